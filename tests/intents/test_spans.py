"""How long a change lasts (bot/intents/spans.py): "for 30 minutes", "until 15:00", "30 分钟", "到下午三点".

Through `hostbot parse`'s own function: the end is an instant (elapsed time for a duration, the speaker's
wall clock for "until"), and an end that has passed or cannot be read is a time problem, never dropped
(dropped, the change would be permanent).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.intents import parse

NOW = datetime.fromisoformat("2026-12-07T10:00:00+01:00")


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse(text, now=NOW, tz="Europe/Berlin")


@pytest.mark.parametrize(("text", "intent", "target", "until"), [
    ("make @bob co-host for 30 minutes", "add_cohost", "@bob", "2026-12-07T10:30:00+01:00"),
    ("让 @bob 当 30 分钟联席主持人", "add_cohost", "@bob", "2026-12-07T10:30:00+01:00"),
    ("make @alice host until 15:00", "set_host", "@alice", "2026-12-07T15:00:00+01:00"),
    ("host to @alice for the next hour", "set_host", "@alice", "2026-12-07T11:00:00+01:00"),
    ("把主持人给 @小王 一个小时", "set_host", "@小王", "2026-12-07T11:00:00+01:00"),
    ("make @bob cohost for half an hour", "add_cohost", "@bob", "2026-12-07T10:30:00+01:00"),
    ("make @alice host till 3pm", "set_host", "@alice", "2026-12-07T15:00:00+01:00"),
    ("让 @bob 当半小时联席主持人", "add_cohost", "@bob", "2026-12-07T10:30:00+01:00"),
    ("让 @alice 当主持人到下午三点", "set_host", "@alice", "2026-12-07T15:00:00+01:00"),
    ("把 @alice 设为主持人直到15:30", "set_host", "@alice", "2026-12-07T15:30:00+01:00"),
    ("make @alice host for 2 hours of meeting 123456789", "set_host", "@alice", "2026-12-07T12:00:00+01:00"),
])
def test_a_change_that_lasts_a_while_has_its_end(text: str, intent: str, target: str, until: str) -> None:
    parsed = _parse(text)
    assert (parsed.name, parsed.targets, parsed.time_problem) == (intent, (target,), None)
    assert parsed.until is not None and parsed.until.isoformat() == until
    assert parsed.at is None  # the change is now; only its end is later
    assert parsed.to_payload()["extra"]["until"] == until


@pytest.mark.parametrize(("text", "problem"), [
    ("make @alice host until 9:00", "until_in_past"),
    ("make @alice host until 25:00", "until_not_understood"),
    ("make @alice host until lunch", "until_not_understood"),
    ("make @bob co-host for a while", "until_not_understood"),
    ("make @bob co-host for 0 minutes", "until_not_understood"),
    ("make @alice host until 3", "time_ambiguous_hour"),
    ("让 @bob 当联席主持人直到明天", "time_need_clock"),
    ("invite @bob for 30 minutes", "until_not_supported"),
    ("remove @bob as co-host for an hour", "until_not_supported"),
    ("at 15:00 make @alice host for an hour", "until_with_start"),
])
def test_an_end_that_cannot_be_used_is_a_problem_never_dropped(text: str, problem: str) -> None:
    parsed = _parse(text)
    assert parsed.time_problem is not None and parsed.time_problem.key == problem, parsed.to_payload()
    assert parsed.until is None


@pytest.mark.parametrize(("text", "at"), [
    ("1小时30分钟后把主持人交给 @bob", "2026-12-07T11:30:00+01:00"),
    ("一个小时零五分钟后把主持人交给@carol", "2026-12-07T11:05:00+01:00"),
    ("in 30 minutes make @bob host", "2026-12-07T10:30:00+01:00"),
])
def test_a_start_is_still_a_start(text: str, at: str) -> None:
    parsed = _parse(text)
    assert parsed.name == "schedule_handover" and parsed.until is None
    assert parsed.at is not None and parsed.at.isoformat() == at


def test_a_remark_with_a_duration_stays_a_remark() -> None:
    assert _parse("主持人说推迟10分钟").name == "nothing"
    assert _parse("@alice hosted for 30 minutes yesterday").name == "nothing"
