"""The README's example table stays honest: every example parses to the intent its row claims."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from bot.intents import INTENT_NAMES, parse
from bot.ops.demo import PEOPLE, seed
from bot.sandbox import Sandbox

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


def _payloads(text: str) -> list[dict[str, object]]:
    payload = parse(text, now=datetime.fromisoformat("2026-03-07T09:00:00+01:00"), tz="Europe/Berlin").to_payload()
    parts = [str(part) for part in payload.get("parts") or [] if str(part) != text]  # (a quoted echo is one part)
    return [payload, *(p for part in parts for p in _payloads(part))]


def test_every_person_and_meeting_the_readme_names_exists_in_the_demo() -> None:
    """So that each example (the table's, and the quoted ones in the text) can be typed into `make demo` or
    `hostbot say` as it stands."""
    with Sandbox() as box:
        seed(box)
        numbers = {m.meeting_no for m in box.feishu.meetings.values()} | {str(m.id) for m in box.zoom.meetings.values()}
    quoted = re.findall(r"“([^”]+)”", README)
    payloads = [p for text in [e for _, _, e in ROWS] + quoted for p in _payloads(text)]
    named = {str(who).lstrip("@") for p in payloads for who in [*p["targets"], p["from_user"]] if who}  # type: ignore[misc]
    assert {"erin", "小王"} <= named  # the README does name them
    assert named <= set(PEOPLE) | {"me"}
    meetings = {str(p["meeting"]["id"]) for p in payloads if isinstance(p["meeting"], dict)}
    assert {"123456789", "81234567890"} <= meetings <= numbers
