"""Reads tests/corpus/grammar.txt (format in its header) and scores a parser against it, per group.

Kept apart from the test so that the same cases can score another checkout's parser
(`python -m tests.support.grammar_corpus /path/to/checkout`): that is how the "before" numbers were taken.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

CORPUS = Path(__file__).parents[1] / "corpus" / "grammar.txt"


@dataclass
class Case:
    line: int
    group: str
    text: str
    now: datetime
    tz: str
    known: tuple[str, ...]
    platform: str = "console"
    bot_user: str = ""
    mentions: list[tuple[str, str, bool]] = field(default_factory=list)
    expect: dict[str, Any] = field(default_factory=dict)


def _at(value: str, now: datetime, tz: str) -> str:
    zone = ZoneInfo(tz)
    if "T" not in value:
        value = f"{now.astimezone(zone).date().isoformat()}T{value}"
    return datetime.fromisoformat(value).replace(tzinfo=zone).isoformat()


def _expect(spec: str, case: Case) -> None:
    fix = ""
    if " fix=" in f" {spec}":
        spec, _, fix = f" {spec}".partition(" fix=")
    words = spec.split()
    expect: dict[str, Any] = {"intent": words[0], "targets": [], "from_user": None, "meeting": None, "at": None}
    for word in words[1:]:
        key, eq, value = word.partition("=")
        if not eq:
            expect["targets"].append(word)
        elif key == "from":
            expect["from_user"] = value
        elif key == "m":
            vendor, _, mid = value.rpartition(":")
            expect["meeting"] = {"vendor": vendor or None, "id": mid}
        elif key == "at":
            expect["at"] = _at(value, case.now, case.tz)
        elif key == "problem":
            expect["problem"] = value
        elif key == "mproblem":
            expect["mproblem"] = value
        elif key == "hid":
            expect["handover_id"] = value
        elif key == "platform":
            case.platform = value
        elif key == "bot":
            case.bot_user = value
        elif key == "mentions":
            for item in value.split(","):
                parts = item.split(":")
                case.mentions.append((parts[0], parts[1], len(parts) > 2 and parts[2] == "bot"))
        else:
            raise ValueError(f"unknown key {key!r}")
    if fix:
        expect["suggestion"] = fix.strip()
    case.expect = expect


def load(path: Path = CORPUS) -> list[Case]:
    cases: list[Case] = []
    group, now, tz, known = "", datetime.now(), "UTC", ()
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("= "):
            key, _, value = line[2:].partition(" ")
            if key == "group":
                group = value.strip()
            elif key == "now":
                stamp, zone = value.split()
                now, tz = datetime.fromisoformat(stamp), zone
            elif key == "known":
                known = () if value.strip() == "-" else tuple(v.strip() for v in value.split(","))
            continue
        text, _, spec = line.rpartition(" => ")
        case = Case(n, group, text, now, tz, known)
        _expect(spec, case)
        cases.append(case)
    return cases


def run(case: Case, parse: Callable[..., Any]) -> dict[str, Any]:
    """What `parse` made of the case, in the shape of Case.expect."""
    kwargs: dict[str, Any] = {"now": case.now, "tz": case.tz}
    params = inspect.signature(parse).parameters
    if "known_names" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
        kwargs["known_names"] = case.known
    if "mentions" in params:  # a checkout from before the adapters read the markup (scored by __main__)
        from bot.core.model.events import Mention  # type: ignore[attr-defined]

        mentions = tuple(Mention(chat_user=uid, name=key, is_bot=bot) for key, uid, bot in case.mentions)
        intent = parse(case.text, case.platform, mentions, case.bot_user, **kwargs)
    else:
        from tests.support.markup import Mention as FeishuMention
        from tests.support.markup import neutral

        mentions = tuple(FeishuMention(chat_user=uid, name=key, is_bot=bot) for key, uid, bot in case.mentions)
        intent = parse(neutral(case.text, case.platform, mentions, case.bot_user), case.bot_user, **kwargs)
    got = {k: v for k, v in intent.to_json().items() if k != "lang"}
    if "problem" in case.expect:
        got["problem"] = intent.time_problem.key if intent.time_problem else None
    if "mproblem" in case.expect:
        problem = getattr(intent, "meeting_problem", None)
        got["mproblem"] = problem.key if problem else None
    if "handover_id" in case.expect:
        got["handover_id"] = getattr(intent, "handover_id", None)
    if "suggestion" in case.expect:
        got["suggestion"] = getattr(intent, "suggestion", None)
    return got


def score(parse: Callable[..., Any], cases: list[Case]) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """{group: (right, total)} and one line per wrong case."""
    by_group: dict[str, tuple[int, int]] = {}
    wrong: list[str] = []
    for case in cases:
        try:
            got = run(case, parse)
        except Exception as err:  # an old parser without a feature may fail loudly: that is a miss
            got = {"error": repr(err)}
        ok = got == case.expect
        right, total = by_group.get(case.group, (0, 0))
        by_group[case.group] = (right + ok, total + 1)
        if not ok:
            wrong.append(f"line {case.line} [{case.group}] {case.text!r}: got {got}, want {case.expect}")
    return by_group, wrong


def report(by_group: dict[str, tuple[int, int]]) -> str:
    lines = [f"{'group':<14} {'right':>5} {'total':>5} {'accuracy':>9}"]
    for group, (right, total) in by_group.items():
        lines.append(f"{group:<14} {right:>5} {total:>5} {right / total:>8.1%}")
    right = sum(r for r, _ in by_group.values())
    total = sum(t for _, t in by_group.values())
    lines.append(f"{'overall':<14} {right:>5} {total:>5} {right / max(total, 1):>8.1%}")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m tests.support.grammar_corpus [CHECKOUT]: score that checkout's parser
    if len(sys.argv) > 1:
        sys.path.insert(0, sys.argv[1])
    from bot.intents import parse as parse_fn

    groups, misses = score(parse_fn, load())
    if "-v" in sys.argv:
        print("\n".join(misses))
    print(report(groups))
