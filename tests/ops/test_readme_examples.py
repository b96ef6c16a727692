"""The README's example table stays honest: every example parses to the intent its row claims."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from bot.intents import INTENT_NAMES, parse

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def _table() -> list[tuple[str, str, str]]:
    """(intent, language column, example) for each cell of the example table."""
    lines = README.splitlines()
    start = lines.index("| intent | English | 中文 |")
    rows: list[tuple[str, str, str]] = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        intent = cells[0].strip("`")
        for lang, cell in zip(("en", "zh"), cells[1:], strict=True):
            rows.extend((intent, lang, example) for example in re.findall(r"`([^`]+)`", cell))
    return rows


ROWS = _table()


def test_the_table_has_every_intent_in_both_languages() -> None:
    for name in INTENT_NAMES:
        if name != "unknown":
            assert {lang for intent, lang, _ in ROWS if intent == name} == {"en", "zh"}, name


@pytest.mark.parametrize(("intent", "lang", "example"), ROWS, ids=[f"{r[0]}-{r[2][:30]}" for r in ROWS])
def test_example_parses_to_its_intent(intent: str, lang: str, example: str) -> None:
    parsed = parse(example, now=datetime.fromisoformat("2026-03-07T09:00:00+01:00"), tz="Europe/Berlin")
    assert parsed.name == intent
    assert parsed.lang == lang
    assert parsed.time_problem is None
    if intent in ("set_host", "add_cohost", "remove_cohost", "invite", "reassign", "schedule_handover"):
        assert parsed.targets, example
