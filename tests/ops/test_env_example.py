""".env.example stays complete: every variable bot/config.py reads is listed with a one-line comment,
nothing else is, and the file as it ships (all empty) loads as the defaults."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"
PREFIXES = ("SLACK_", "FEISHU_", "DINGTALK_", "WEBEX_", "ZOOM_", "HOSTBOT_")


def read_by_config() -> set[str]:
    """Every variable name spelled in bot/config.py, the one place that reads the environment."""
    source = (ROOT / "bot" / "config.py").read_text(encoding="utf-8")
    return {name for name in re.findall(r'"([A-Z][A-Z0-9_]+)"', source) if name.startswith(PREFIXES)}


def listed() -> list[tuple[str, str]]:
    """(NAME, the comment line right above it) for each NAME= line of .env.example."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        match = re.match(r"^([A-Z][A-Z0-9_]*)=", line)
        if match:
            found.append((match.group(1), lines[i - 1] if i else ""))
    return found


def test_every_variable_read_is_listed_and_nothing_else() -> None:
    names = [name for name, _ in listed()]
    assert len(names) == len(set(names)), "listed twice"
    assert read_by_config() - set(names) == set(), "read by bot/config.py but missing from .env.example"
    assert set(names) - read_by_config() == set(), "listed in .env.example but read by nobody"


def test_each_variable_has_a_one_line_comment() -> None:
    for name, comment in listed():
        assert comment.startswith("# ") and len(comment) > 12, f"{name} needs a comment line right above it"


def test_the_example_as_shipped_loads_as_the_defaults() -> None:
    assert load_settings(environ={}, dotenv_path=EXAMPLE) == Settings()
