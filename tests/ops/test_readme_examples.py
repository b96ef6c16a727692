"""The README's example table stays honest: every example parses to the intent its row claims."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from bot.devtools.demo import PEOPLE, seed
from bot.intents import INTENT_NAMES, parse
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


# ---- every path, command and example the README names (issue 28, item 11) ---------------------------------
ROOT = Path(__file__).parents[2]
_PATH = re.compile(r"(?<![\w/.-])((?:bot|handlers|tests|bench|docs|\.ci)/[\w./-]*[\w/]|manifest\.yaml|pyproject\.toml|"
                   r"\.env\.example|Makefile)")


def test_every_repository_path_the_readme_names_exists() -> None:
    named = set(_PATH.findall(README))
    assert {"bot/core/decide/policy.py", "tests/ops/test_readme_examples.py", "docs/vendors.md"} <= named
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == [], missing


def _code() -> str:
    """What the README shows as code: fenced blocks and `inline` spans (prose says "hostbot is …")."""
    fenced = [re.sub(r"#.*", "", block) for block in re.findall(r"```[a-z]*\n(.*?)```", README, re.S)]
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", README, flags=re.S))
    return "\n".join(fenced + inline)


def _commands() -> set[tuple[str, ...]]:
    """Each `hostbot SUB [SUB2]` and `make TARGET` the README shows, as words."""
    code, found = _code(), set()
    for m in re.finditer(r"(?:^|[\s/;(])(?<!-u )(?<!-O )hostbot ([a-z]+)(?: ([a-z]+))?", code, re.M):
        found.add(("hostbot", m.group(1), m.group(2) or ""))
    for m in re.finditer(r"(?:^|[\s;])make ([a-z]+)\b", code, re.M):
        found.add(("make", m.group(1), ""))
    return found


def test_every_hostbot_and_make_command_the_readme_names_exists() -> None:
    import click

    from bot.cli import main

    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), re.M))
    commands = _commands()
    assert ("hostbot", "users", "import") in commands and ("make", "install", "") in commands
    for kind, first, second in sorted(commands):
        if kind == "make":
            assert first in targets, f"make {first}"
            continue
        ctx = click.Context(main)
        assert first in main.list_commands(ctx), f"hostbot {first}"  # some are imported when named (bot/cli.py)
        group = main.get_command(ctx, first)
        if isinstance(group, click.Group) and second:
            assert second in group.commands, f"hostbot {first} {second}"


def test_the_csv_example_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    block = README.split("```csv\n", 1)[1].split("```", 1)[0]
    (tmp_path / "people.csv").write_text(block, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    env = {"HOSTBOT_DB": str(tmp_path / "h.db")}
    done = CliRunner().invoke(main, ["users", "import", "people.csv"], env=env)
    assert done.exit_code == 0, done.output
    listed = CliRunner().invoke(main, ["users", "list", "--format", "csv"], env=env).output
    assert "union_alice" in listed and "小王" in listed


def test_the_demo_banner_the_readme_shows_is_the_demos() -> None:
    from bot.devtools.demo import banner

    with Sandbox() as box:
        shown = banner(seed(box)).splitlines()
    line = next(x for x in README.splitlines() if x.startswith("  host: you · in the meeting"))
    assert line in shown
