"""The parser against a corpus of what people type, in English and Chinese, on all three platforms.

tests/corpus/utterances.json holds each utterance with the exact `hostbot parse` JSON it must
give (and, where it matters, keys of Intent.extra), at a fixed "now" and time zone. Corpus rows
may override platform, mentions (Feishu placeholders), the bot's own id, now and tz.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.request.registry import Registry
from bot.intents import INTENT_NAMES, Intent, parse
from bot.intents.parser import _parse, _second_look
from handlers import HANDLERS
from tests.support.markup import Mention, neutral, parse_as

CORPUS = json.loads((Path(__file__).parents[1] / "corpus" / "utterances.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = CORPUS["cases"]

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["intent", "targets", "from_user", "meeting", "at", "lang"],
    "properties": {
        "intent": {"enum": list(INTENT_NAMES)},
        "targets": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "from_user": {"type": ["string", "null"]},
        "meeting": {"oneOf": [{"type": "null"}, {
            "type": "object", "additionalProperties": False, "required": ["vendor", "id"],
            "properties": {"vendor": {"enum": ["feishu", "zoom", "webex", "dingtalk", None]},
                           "id": {"type": "string", "minLength": 1}}}]},
        "at": {"oneOf": [{"type": "null"},
                         {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$"}]},
        "lang": {"enum": ["en", "zh"]},
    },
}


def _parse_case(case: dict[str, Any]) -> Intent:
    mentions = tuple(Mention(chat_user=m["chat_user"], name=m["key"], is_bot=m.get("is_bot", False))
                     for m in case.get("mentions", []))
    return parse_as(case["text"], case.get("platform", "console"), mentions, case.get("bot_user", ""),
                 now=datetime.fromisoformat(case.get("now", CORPUS["now"])), tz=case.get("tz", CORPUS["tz"]))


def test_corpus_is_big_and_covers_everything() -> None:
    assert len(CASES) >= 150
    intents = {c["expect"]["intent"] for c in CASES}
    assert intents == set(INTENT_NAMES)
    for name in INTENT_NAMES:
        langs = {c["expect"]["lang"] for c in CASES if c["expect"]["intent"] == name}
        assert langs == {"en", "zh"} or (name == "unknown" and "en" in langs), name
    vendors = {c["expect"]["meeting"]["vendor"] for c in CASES if c["expect"]["meeting"]}
    assert vendors == {"feishu", "zoom", "webex", "dingtalk", None}
    assert {c.get("platform", "console") for c in CASES} == {"console", "slack", "feishu"}
    assert sum(1 for c in CASES if c["expect"]["at"]) >= 30


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}:{c['text'][:40]}" for i, c in enumerate(CASES)])
def test_corpus(case: dict[str, Any]) -> None:
    intent = _parse_case(case)
    assert intent.to_json() == case["expect"]
    for key, value in case.get("extra", {}).items():
        assert intent.details().get(key) == value, key
    jsonschema.validate(intent.to_json(), SCHEMA)


@pytest.mark.parametrize(("name", "lang", "text"),
                         [(spec.name, lang, t) for spec in Registry(HANDLERS).specs()
                          for lang, ts in spec.examples.items() for t in ts])
def test_help_examples_mean_what_they_say(name: str, lang: str, text: str) -> None:
    intent = parse(text, now=datetime(2026, 3, 7, 9, 0, tzinfo=UTC), tz="Europe/Berlin")
    assert (intent.name, intent.lang) == (name, lang)


def test_time_problems_carry_what_the_reply_needs() -> None:
    from bot.i18n import t

    now = datetime.fromisoformat("2026-03-07T10:00:00+01:00")
    past = parse("make @bob host at 9am", now=now, tz="Europe/Berlin")
    assert t("en", past.time_problem.key, **past.time_problem.values) == (
        "2026-03-07 09:00 (UTC+1) has already passed (it is 2026-03-07 10:00 (UTC+1) now). "
        "Give a later time, e.g. “in 20 minutes”.")
    ambiguous = parse("三点把主持人交给 @bob", now=now, tz="Europe/Berlin")
    assert t("zh", ambiguous.time_problem.key, **ambiguous.time_problem.values) == (
        "“三点”可能是 03:00 也可能是 15:00，请说明是哪个，例如“15:00”。")
    fold = parse("make @bob host at 2:30 on 2026-10-25", now=now, tz="Europe/Berlin")
    assert fold.at is None
    assert fold.time_problem is not None and fold.time_problem.key == "time_ambiguous_dst"
    assert fold.time_problem.values["first"] == "2026-10-25T02:30:00+02:00"
    assert fold.time_problem.values["second"] == "2026-10-25T02:30:00+01:00"


def test_unknown_zone_and_naive_now_fall_back_quietly() -> None:
    intent = parse("make @bob host at 15:00", now=datetime(2026, 3, 7, 10, 0), tz="Mars/Olympus")
    assert intent.to_json()["at"] == "2026-03-07T15:00:00+00:00"


def test_payload_round_trip_keeps_extra() -> None:
    intent = parse("reassign webex meeting 0123456789abcdef0123456789abcdef from @dave to @erin")
    again = Intent.from_json(json.loads(json.dumps(intent.to_payload())), text=intent.text)
    assert again == intent
    assert Intent.from_json(intent.to_json()).details() == {}  # old proposals without extra still load


def test_parse_cli_prints_the_schema_and_every_field_with_now_and_tz() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "parse", "明天下午三点把主持人交给", "@bob", "--now", "2026-03-07T10:00:00+08:00",
         "--tz", "Asia/Shanghai"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"intent": "schedule_handover", "targets": ["@bob"], "from_user": None,
                                       "meeting": None, "at": "2026-03-08T15:00:00+08:00", "lang": "zh",
                                       "extra": {"time_text": "明天下午三点"}}
    slack = subprocess.run([sys.executable, "-m", "bot", "parse", "--platform", "slack",
                            "make <@U1ABC|al> host of zoom.us/j/81234567890"], capture_output=True, text=True,
                           timeout=60)
    assert json.loads(slack.stdout)["targets"] == ["U1ABC"] and "Traceback" not in slack.stderr
    fields = subprocess.run([sys.executable, "-m", "bot", "parse", "cancel handover #3"], capture_output=True,
                            text=True, timeout=60)
    assert json.loads(fields.stdout)["extra"] == {"handover_id": "3"}
    typo = subprocess.run([sys.executable, "-m", "bot", "parse", "make alice host", "--known", "alice,bob"],
                          capture_output=True, text=True, timeout=60)
    assert json.loads(typo.stdout)["suggestion"] == "make @alice host"


@pytest.mark.parametrize(("option", "value"), [("--now", "garbage"), ("--now", "2026-13-01T00:00"),
                                               ("--tz", "Mars/Olympus"), ("--tz", "../../etc/passwd")])
def test_parse_cli_refuses_a_bad_now_or_tz(option: str, value: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "bot", "parse", "make @bob host", option, value],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"Invalid value for '{option}'" in proc.stderr and "Traceback" not in proc.stderr


_PLATFORMS = st.sampled_from(["console", "slack", "feishu"])
_PIECES = st.sampled_from([
    "make", "host", "cohost", "主持人", "@alice", "<@U1AB>", "@_user_1", "@_user_7", "<https://zoom.us/j/123456789|x>",
    "vc.feishu.cn/j/123456789", "123 456 789", "at", "3pm", "25:99", "tomorrow", "明天下午三点", "20分钟后", "in",
    "minutes", "把", "我", "me", "my meetings", "to", "的", "cancel", "handover", "#", "/host", "2026-02-30 10:00",
    "in 99999999999 hours", "十十十点", "3月32日", "\x1f", "\ue000p0\ue000", "<@", "|", ">", "'s", "、", " ",
])


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(), st.lists(_PIECES, max_size=14).map(" ".join), st.lists(_PIECES).map("".join)),
       platform=_PLATFORMS,
       tz=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai", "bad/zone"]),
       now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)))
def test_parse_never_raises(text: str, platform: str, tz: str, now: datetime) -> None:
    """parse() has a last-resort guard; this checks the parser itself never needs it."""
    mentions = (Mention("ou_bot", name="@_user_1", is_bot=True), Mention("ou_x", name="@_user_2"))
    text = neutral(text, platform, mentions, "ou_bot")
    args = ("ou_bot", now, tz, ())
    intent = _second_look(_parse(text, *args), args)  # parse() without its last-resort guard
    assert intent == parse(text, "ou_bot", now=now, tz=tz)
    out = intent.to_json()
    jsonschema.validate(out, SCHEMA)
    json.dumps(out, ensure_ascii=False)


def test_every_intent_declares_its_examples_once_in_both_languages() -> None:
    specs = list(Registry(HANDLERS).specs())
    assert {s.name for s in specs} == set(INTENT_NAMES) - {"unknown"}
    for spec in specs:
        assert set(spec.examples) == {"en", "zh"} and all(spec.examples.values()), spec.name
