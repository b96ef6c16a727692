"""Issue 25, "never guess into an action": each case of the issue in `hostbot parse` and in the console,
and the properties behind them (a time or a meeting the line names is used or answered, never dropped)."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.core.flow.pipeline import ACTS_NOW
from bot.intents import Intent, parse
from bot.intents.parser import _parse, _second_look
from tests.conftest import World
from tests.support.undo import without_undo

NOW = "2026-11-23T09:00:00+08:00"
TZ = "Asia/Shanghai"
T0 = datetime.fromisoformat(NOW)

# (line, what `hostbot parse` must print: the contract keys given, plus "extra"/"why"/"parts" when given)
CASES: list[tuple[str, dict[str, Any]]] = [
    ("make @alice host of meeting 123456789 at 25:00",
     {"intent": "schedule_handover", "at": None, "extra": {"time_problem": "time_not_understood"}}),
    ("hand host to @bob at 99:99 for meeting 123456789",
     {"intent": "schedule_handover", "at": None, "extra": {"time_problem": "time_not_understood"}}),
    ("make @bob host in -5 minutes", {"intent": "schedule_handover", "extra": {"time_problem": "time_not_understood"}}),
    ("make @bob host yesterday at 3pm",
     {"intent": "schedule_handover", "at": "2026-11-22T15:00:00+08:00", "extra": {"time_problem": "time_in_past"}}),
    ("9" * 490 + "分钟后把主持人交给@bob",
     {"intent": "schedule_handover", "at": None, "extra": {"time_problem": "time_not_understood"}}),
    ("make @alice host of https://example.webex.com/meet/xyz",
     {"intent": "set_host", "meeting": None, "extra": {"meeting_problem": "meeting_personal_room"}}),
    ("make @alice host of https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef0123456789abcdef",
     {"meeting": {"vendor": "webex", "id": "0123456789abcdef0123456789abcdef"}}),
    ("make @alice co-host of webex meeting 2550 123 4567.",
     {"intent": "add_cohost", "meeting": {"vendor": "webex", "id": "25501234567"}}),
    ("add @bob as co-host of dingtalk meeting 644272f14ba33101",
     {"intent": "add_cohost", "meeting": {"vendor": "dingtalk", "id": "644272f14ba33101"}}),
    ("把zoom会议812 3456 7890的主持人设为@erin",
     {"intent": "set_host", "meeting": {"vendor": "zoom", "id": "81234567890"}}),
    ("把zoom 会议 812 3456 7890的主持人设为@erin", {"meeting": {"vendor": "zoom", "id": "81234567890"}}),
    ("@alice is hosting the team dinner on friday 🎉", {"intent": "nothing", "why": "statement"}),
    ("the meeting host said we'd start 5 min late", {"intent": "nothing", "why": "statement"}),
    ("这周的主持人轮值表发一下", {"intent": "unknown"}),
    ("hmm should @bob be a co-host?", {"intent": "nothing", "why": "question"}),
    ("let's not invite @frank to this one", {"intent": "nothing", "why": "negation"}),
    ("能帮我把@dave设成主持人吗？", {"intent": "set_host", "targets": ["@dave"]}),
    ("can you make @carol host?", {"intent": "set_host", "targets": ["@carol"]}),
    ("@dave shouldn't be a cohost anymore, please remove him", {"intent": "remove_cohost", "targets": ["@dave"]}),
    ("谁是会议 123456789 的主持人？", {"intent": "who_is_host", "meeting": {"vendor": None, "id": "123456789"}}),
    ("谁是host", {"intent": "who_is_host"}),
    ("我设置的交接都有哪些", {"intent": "list_handovers"}),
    ("把给@carol的定时交接取消掉", {"intent": "cancel_handover", "targets": ["@carol"]}),
    ("把@bob设为住持人", {"intent": "did_you_mean", "suggestion": "把@bob设为主持人"}),
    ("把@alice社为主持人", {"intent": "did_you_mean", "suggestion": "把@alice设为主持人"}),
    ("undo", {"intent": "undo"}),
    ("撤销", {"intent": "undo"}),
    ("cancel", {"intent": "cancel"}),
    ("我先下了，主持人给@alice", {"intent": "set_host", "targets": ["@alice"]}),
    ("transfer every meeting hosted by @carol to @dave",
     {"intent": "reassign", "targets": ["@dave"], "from_user": "@carol"}),
    ("@carol 的所有会议改由 @小王 主持", {"intent": "reassign", "targets": ["@小王"], "from_user": "@carol"}),
    ("link this channel to meeting 123456789 and make @alice host",
     {"intent": "compound", "parts": ["link this channel to meeting 123456789", "make @alice host"]}),
    ("make @bob host and @carol co-host", {"intent": "compound", "parts": ["make @bob host", "make @carol co-host"]}),
    # Found by lines written independently after the grammar work (120 lines, 112 read right, these acted):
    # an opinion put to the group, and "who did this?" about a change already made, never act;
    ("我觉得下周可以让 @alice 当主持人，大家觉得呢", {"intent": "nothing"}),
    ("是谁把 @dave 设成联席主持人的？我没操作啊", {"intent": "nothing"}),
    ("I think we should make @bob host", {"intent": "nothing"}),
    # and a week, a month or a weekend with no day in it is a time not read, never "now".
    ("下周让 @alice 当主持人", {"intent": "schedule_handover", "at": None,
                                "extra": {"time_problem": "time_not_understood"}}),
    ("make @alice host next week", {"intent": "schedule_handover", "at": None,
                                    "extra": {"time_problem": "time_not_understood"}}),
    ("周末把主持人给 @bob", {"intent": "schedule_handover", "at": None,
                             "extra": {"time_problem": "time_not_understood"}}),
    # Misses of a second independent check: "我" in "把我会议的" is whose meeting, not a second host (it made a
    # "compound" of one part), and a change told as done in the past is a report, not a request;
    ("麻烦把我会议的主持人换成 @bob 谢谢", {"intent": "set_host", "targets": ["@bob"]}),
    ("昨天 @bob 把主持人转给我了", {"intent": "nothing", "why": "statement"}),
    # an undo said with what is undone first, and a handover named by its number in any form;
    ("刚才那个撤回一下", {"intent": "undo"}),
    ("把3号交接取消掉", {"intent": "cancel_handover", "extra": {"handover_id": "3"}}),
    ("取消#3交接", {"intent": "cancel_handover", "extra": {"handover_id": "3"}}),
    ("取消第3个交接", {"intent": "cancel_handover", "extra": {"handover_id": "3"}}),
    ("cancel handover 3", {"intent": "cancel_handover", "extra": {"handover_id": "3"}}),
    # ... taken whole after 交接 too (the fuzz below found "交接 0A" read as handover 0), and an id no handover can
    # have is carried as written: "no handover #3a", never the only pending handover cancelled instead
    ("取消第10000个交接 0A", {"intent": "cancel_handover", "extra": {"handover_id": "10000"}}),
    ("取消交接 3a", {"intent": "cancel_handover", "extra": {"handover_id": "3a"}}),
    ("取消交接3吧", {"intent": "cancel_handover", "extra": {"handover_id": "3"}}),
    # "can @x be co-host of …" is a polite request; a negation of the old plan before a cancel is no negation
    # of the cancel; "who made @x host??" asks about the past and changes nothing.
    ("can @erin be co-host of zoom 85012345678",
     {"intent": "add_cohost", "targets": ["@erin"], "meeting": {"vendor": "zoom", "id": "85012345678"}}),
    ("nvm, don't hand over to @bob at 15:00 anymore, cancel that handover",
     {"intent": "cancel_handover", "targets": ["@bob"], "at": "2026-11-23T15:00:00+08:00"}),
    ("don't cancel the handover to @bob", {"intent": "nothing", "why": "negation"}),
    ("who made @carol host?? that wasn't me", {"intent": "who_is_host"}),
    ("make @bob and @carol host", {"intent": "compound", "parts": ["make @bob host", "make @carol host"]}),
    # Found by probing in the independent lines' styles: a remark about one person, then the request about another;
    ("@alice is out sick, please make @bob host", {"intent": "set_host", "targets": ["@bob"]}),
    ("主持人@alice请假了，换成@bob", {"intent": "set_host", "targets": ["@bob"]}),
    ("@alice can't host today, make @bob host", {"intent": "set_host", "targets": ["@bob"], "at": None}),
    # a time tied to the meeting's course or with no hour, a clock after 下午, a meeting of a service hostbot lacks;
    ("make @bob host before the meeting starts", {"intent": "schedule_handover",
                                                   "extra": {"time_problem": "time_not_understood"}}),
    ("下午给@dave主持人", {"intent": "schedule_handover", "extra": {"time_problem": "time_not_understood"}}),
    ("下午3:30把主持人交给@dave", {"intent": "schedule_handover", "at": "2026-11-23T15:30:00+08:00"}),
    ("把腾讯会议123456789的主持人给@bob", {"intent": "set_host", "meeting": None,
                                           "extra": {"meeting_problem": "meeting_not_read"}}),
    ("make @alice host of meeting 12-34", {"meeting": None, "extra": {"meeting_problem": "meeting_not_read"}}),
    # doubt, a question put to a person, "not the host", "stop …ing" and "isn't a co-host anymore".
    ("@alice could host maybe", {"intent": "nothing", "why": "question"}),
    ("@bob will you be the host today?", {"intent": "nothing", "why": "question"}),
    ("I'm not the host anymore", {"intent": "nothing", "why": "statement"}),
    ("please stop inviting @dave", {"intent": "nothing", "why": "negation"}),
    ("@alice isn't a co-host anymore, please update", {"intent": "remove_cohost", "targets": ["@alice"]}),
]


@pytest.mark.parametrize(("line", "want"), CASES, ids=[c[0][:40] for c in CASES])
def test_hostbot_parse_reads_each_case_of_the_issue(line: str, want: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["parse", line, "--now", NOW, "--tz", TZ])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    for key, value in want.items():
        if key == "extra":
            assert {k: got["extra"].get(k) for k in value} == value, got
        else:
            assert got.get(key) == value, (key, got)


async def test_unreadable_times_are_answered_by_name_and_change_nothing(world: World) -> None:
    await world.say("link this channel to meeting 123456789")
    assert await world.say("make @alice host of meeting 123456789 at 25:00") == (
        "I couldn't read “at 25:00” as a time. Try “at 15:00”, “tomorrow 9:30” or “in 20 minutes”.")
    assert (await world.say("make @bob host in -5 minutes")).startswith("I couldn't read “in -5 minutes”")
    assert "has already passed" in await world.say("make @bob host yesterday at 3pm")
    huge = await world.say("9" * 490 + "分钟后把主持人交给@bob")
    assert huge.startswith("我没看懂时间“") and len(huge) < 200  # named, not echoed 490 digits long
    assert (await world.say("invite @carol at 3pm")).startswith("Only host handovers can be scheduled")
    assert world.set_host_calls() == [] and world.sandbox.recorder.all("feishu.invite") == []


async def test_a_meeting_that_cannot_be_read_is_never_the_linked_one(world: World) -> None:
    await world.say("link this channel to meeting 123456789")
    room = await world.say("make @alice host of https://example.webex.com/meet/xyz")
    assert room.startswith("“https://example.webex.com/meet/xyz” is a Webex personal room")
    other = await world.say("make @alice host of https://meet.google.com/abc-defg-hij")
    assert other.startswith("I can't read “https://meet.google.com/abc-defg-hij” as a meeting")
    who = await world.say("who is host of https://vc.feishu.cn/j/12345")
    assert "https://vc.feishu.cn/j/12345" in who and "123 456 789" not in who
    assert world.set_host_calls() == []
    vendor = await world.say("make @alice host of the zoom meeting")
    assert vendor == ("You named a Zoom meeting, but the meeting linked here is a Feishu meeting, so I left it alone. "
                      "Give the Zoom meeting's number or link.")
    assert world.set_host_calls() == []
    zoom = await world.say("把zoom会议812 3456 7890的主持人设为@erin")
    assert "Zoom 会议 812 3456 7890" in zoom  # the vendor word glued to 会议 is kept: not the linked Feishu one


async def test_statements_questions_and_doubt_change_nothing_and_polite_requests_act(world: World) -> None:
    await world.say("link this channel to meeting 123456789")
    remark = await world.say("@alice is hosting the team dinner on friday 🎉")
    assert remark.startswith("That reads as a remark, not a request")
    assert (await world.say("the meeting host said we'd start 5 min late")).startswith("That reads as a remark")
    assert (await world.say("hmm should @bob be a co-host?")).startswith("OK, nothing changed.")
    assert await world.say("let's not invite @frank to this one") == "OK, nothing changed."
    assert (await world.say("谁是会议 123456789 的主持人？")) == "飞书会议 123 456 789 的主持人是 @you。"
    assert world.set_host_calls() == []
    done = await world.say("能帮我把@alice设成主持人吗？")
    assert without_undo(done) == "✅ 已将 @alice 设为飞书会议 123 456 789 的主持人。"
    assert len(world.set_host_calls()) == 1


async def test_typed_undo_presses_the_speakers_last_undo_and_cancel_says_when_nothing_waits(world: World) -> None:
    assert (await world.say("undo")).startswith("You have no change that can still be undone")
    assert (await world.say("cancel")).startswith("Nothing of yours is waiting for an answer here")
    await world.say("link this channel to meeting 123456789")
    without_undo(await world.say("make @alice host"))
    assert await world.say("撤销") == "↩️ 已撤销：@you 重新成为飞书会议 123 456 789 的主持人。"
    calls = world.set_host_calls()
    assert len(calls) == 2 and calls[1]["host_user"] == {"id": world.open_id("you"), "user_type": 1}
    assert (await world.say("undo")).startswith("You have no change that can still be undone")  # used once
    offer = await world.say("mkae @alice hsot")
    assert offer.startswith("Did you mean")
    assert await world.say("cancel") == "Cancelled; nothing was changed."  # the pending question's Cancel
    await world.say("1")  # whatever "1" now means, the cancelled "did you mean" does not run
    assert len(world.set_host_calls()) == 2


async def test_compound_requests_split_right(world: World) -> None:
    await world.say("link this channel to meeting 123456789")
    one = await world.say("我先下了，主持人给@alice")
    assert without_undo(one) == "✅ 已将 @alice 设为飞书会议 123 456 789 的主持人。"
    two = await world.say("link this channel to meeting 987654321 and make @bob host")
    assert two.endswith("1. link this channel to meeting 987654321\n2. make @bob host")
    assert len(world.set_host_calls()) == 1


# ---- properties --------------------------------------------------------------------------------
_HUGE = st.one_of(st.integers(min_value=-10**6, max_value=10**6), st.integers(min_value=10**6, max_value=10**600))
_TIME = st.one_of(
    st.builds(lambda h, m: f"at {h}:{m:02d}", st.integers(0, 120), st.integers(0, 99)),
    st.builds(lambda h, ap: f"at {h}{ap}", st.integers(0, 40), st.sampled_from(["am", "pm", " pm", " a.m."])),
    st.builds(lambda n, u: f"in {n} {u}", _HUGE, st.sampled_from(["minutes", "mins", "hours", "days", "seconds"])),
    st.builds(lambda n, u: f"{n}{u}后", _HUGE, st.sampled_from(["分钟", "小时", "天"])),
    st.builds(lambda d, h: f"{d}下午{h}点", st.sampled_from(["今天", "明天", "昨天", "前天", "下周一"]),
              st.integers(0, 30)),
    st.builds(lambda d, h: f"{d} at {h}pm", st.sampled_from(["yesterday", "tomorrow", "last friday", "feb 30",
                                                             "next monday"]), st.integers(1, 14)),
    st.builds(lambda n: f"{n} days ago", st.integers(0, 10**30)),
    st.builds(lambda h, m: f"时间{h}:{m:02d}", st.integers(0, 99), st.integers(0, 99)),
)
_WITH_TIME = st.sampled_from([
    "make @bob host {t}", "{t} make @bob host", "hand host to @carol {t}", "{t}把主持人交给@bob",
    "把@dave设为主持人 {t}", "invite @dave {t}", "add @erin as cohost {t}", "remove @bob as co-host {t}",
    "link this channel to meeting 123456789 {t}",
])


def _unguarded(text: str) -> Intent:
    """parse() without its last-resort guard, so that an exception fails the test instead of becoming 'unknown'."""
    args = ("", T0, TZ, ("alice", "bob", "carol", "dave", "erin"))
    return _second_look(_parse(text, *args), args)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=_WITH_TIME, phrase=_TIME)
def test_a_line_with_a_time_is_scheduled_at_it_or_answered_never_acted_on_now(template: str, phrase: str) -> None:
    intent = _unguarded(template.format(t=phrase))
    assert intent.name not in ACTS_NOW or intent.time_problem is not None, (phrase, intent.to_payload())
    if intent.name == "schedule_handover":
        assert intent.time_problem is not None or (intent.at is not None and intent.time_text), intent.to_payload()


_GROUPED = st.sampled_from([(3, 3, 3), (9,), (3, 4, 4), (11,), (4, 3, 4), (3, 3, 4), (10,)])
_SEP = st.sampled_from([" ", "-", ""])
_END = st.sampled_from(["", ".", ",", "!", "?", "。", "，", "！", "？", ")", " thanks"])


@st.composite
def _meeting_refs(draw: st.DrawFn) -> tuple[str, str | None]:
    """(how a meeting is written, the id it must be read as; None = a link that names no readable meeting)."""
    kind = draw(st.sampled_from(["number", "zoom", "webex", "dingtalk", "feishu_link", "zoom_link", "mtid", "other"]))
    if kind in ("number", "zoom", "webex"):
        groups = draw(_GROUPED)
        digits = [draw(st.text("0123456789", min_size=n, max_size=n)) for n in groups]
        digits[0] = "8" + digits[0][1:]  # no leading zero in a meeting number
        word = {"number": "meeting ", "zoom": draw(st.sampled_from(["zoom meeting ", "zoom会议", "Zoom 会议 "])),
                "webex": draw(st.sampled_from(["webex meeting ", "webex会议", "Webex "]))}[kind]
        return word + draw(_SEP).join(digits) if len(groups) > 1 else word + digits[0], "".join(digits)
    if kind == "dingtalk":
        cid = draw(st.from_regex(r"[0-9a-f]{8}[0-9a-f]{4,24}", fullmatch=True).filter(
            lambda s: any(c.isalpha() for c in s)))
        return draw(st.sampled_from(["dingtalk meeting ", "钉钉会议", "DingTalk "])) + cid, cid.lower()
    if kind == "feishu_link":
        n = draw(st.text("0123456789", min_size=9, max_size=9))
        return f"https://vc.feishu.cn/j/{n}", n
    if kind == "zoom_link":
        n = draw(st.text("0123456789", min_size=11, max_size=11))
        return f"https://us02web.zoom.us/j/{n}?pwd=Ab12", n
    if kind == "mtid":
        hexid = draw(st.from_regex(r"[0-9a-f]{32}", fullmatch=True))
        return f"https://acme.webex.com/acme/j.php?MTID=m{hexid}", hexid
    path = draw(st.from_regex(r"[A-Za-z0-9/_.=?&-]{0,40}", fullmatch=True))
    host = draw(st.sampled_from(["example.webex.com/meet/", "zoom.us/my/", "meet.google.com/", "vc.feishu.cn/j/",
                                 "teams.microsoft.com/l/", "docs.example.org/"]))
    return f"https://{host}{path}", None


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(ref=_meeting_refs(), end=_END, template=st.sampled_from([
    "make @bob host of {m}", "把{m}的主持人设为@bob", "who is host of {m}", "invite @carol to {m}",
    "add @dave as co-host of {m}", "谁是{m}的主持人"]))
def test_a_line_with_a_meeting_carries_it_or_answers_about_it(ref: tuple[str, str | None], end: str,
                                                              template: str) -> None:
    written, wanted = ref
    intent = _unguarded(template.format(m=written + end))
    ids = {m.id for m in (intent.meeting, *intent.meetings) if m is not None}
    if wanted is None:
        assert intent.meeting_problem is not None or ids, (written + end, intent.to_payload())
    else:
        assert wanted in ids or intent.meeting_problem is not None, (written + end, intent.to_payload())
    if intent.meeting_problem is None and intent.name != "nothing":
        assert ids, (written + end, intent.to_payload())


_NOISE = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Z", "S"]), max_size=60)


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(before=_NOISE, number=st.integers(min_value=0, max_value=10**499), unit=st.sampled_from(
    ["分钟后", "小时后", "天后", " minutes", " hours", ":00", "点", " days ago", "分钟前"]), after=_NOISE,
    url=st.from_regex(r"https?://[a-z0-9.-]{1,30}/[A-Za-z0-9/_.=?&%#-]{0,200}", fullmatch=True))
def test_no_traceback_for_huge_numbers_and_urls(before: str, number: int, unit: str, after: str, url: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    text = f"{before} in {number}{unit} make @bob host of {url} {after}"[:500]  # the adapters' cap
    caplog.clear()  # one fixture for every example: only this example's records count
    with caplog.at_level(logging.ERROR):
        _unguarded(text)
        parse(text, now=T0, tz=TZ)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


_REQUESTS = st.sampled_from([
    "make @bob host", "@carol co-host", "invite @dave", "remove @erin as co-host",
    "link this channel to meeting 123456789", "把@bob设为主持人", "邀请@carol", "把我会议的主持人换成@dave",
    "主持人给@alice", "cancel handover #3", "who is host",
    "make me host", "把主持人转给我", "@bob and @carol", "at 3pm", "明天下午三点", "don't", "不要", "了", "thanks",
])
_JOINS = st.sampled_from([" and ", ", ", "，", " then ", "然后", "; ", " ", "", "并", " also ", "。"])


@settings(max_examples=400, deadline=None, database=None)
@given(pieces=st.lists(_REQUESTS, min_size=1, max_size=5), joins=st.lists(_JOINS, min_size=4, max_size=4),
       lead=st.sampled_from(["", "麻烦", "please ", "昨天", "hmm ", "@hostbot "]))
def test_a_compound_always_has_two_parts_or_more(pieces: list[str], joins: list[str], lead: str) -> None:
    """A "compound" asks for the requests one per message: with fewer than two parts it would ask for nothing."""
    text = lead + "".join(p + j for p, j in zip(pieces, joins, strict=False)).rstrip()
    intent = _unguarded(text)
    if intent.name == "compound":
        assert len(intent.parts) >= 2 and all(p.strip() for p in intent.parts), (text, intent.parts)


_HUGE_PLACES = st.sampled_from([
    "cancel handover #{n}", "取消第{n}个交接", "把{n}号交接取消掉", "cancel handover {n}", "make @bob host at {n}:{n}",
    "make @bob host of meeting {n}", "把zoom会议{n}的主持人设为@erin", "make @bob co-host for {n} minutes",
    "让 @bob 当 {n} 分钟联席主持人", "{n}小时{n}分钟后把主持人交给@bob", "make @bob host on {n}/{n}/{n} at 3pm",
    "make @bob host in {n}h {n}m", "invite @carol to https://vc.feishu.cn/j/{n}", "undo {n}", "第{n}个撤回一下",
])


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(place=_HUGE_PLACES, number=st.one_of(st.integers(0, 10**6), st.integers(10**6, 10**499)),
       zh=st.booleans(), noise=_NOISE)
def test_no_traceback_for_huge_numbers_anywhere_a_number_goes(place: str, number: int, zh: bool, noise: str,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """Ids, clocks, dates, durations and meeting numbers of any size (also as Chinese numerals): an answer, no
    traceback; and a handover id is carried whole or not at all, never cut."""
    n = str(number)
    if zh:  # Chinese numerals of any length, which no int() may ever see
        n = n.translate(str.maketrans("0123456789", "零一二三四五六七八九"))
    text = (place.format(n=n) + " " + noise)[:500]
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        intent = _unguarded(text)
        parse(text, now=T0, tz=TZ)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    if intent.name == "cancel_handover" and intent.handover_id:
        whole = rf"(?<![0-9a-z]){re.escape(intent.handover_id)}(?![0-9a-z])"
        assert re.search(whole, text.lower()), (text, intent.handover_id)


async def test_the_second_checks_misses_end_to_end(world: World) -> None:
    """The lines an independent check found misread, through the console: each does what was asked, or nothing."""
    await world.say("link this channel to meeting 123456789")
    without_undo(await world.say("make @alice host"))
    assert await world.say("刚才那个撤回一下") == "↩️ 已撤销：@you 重新成为飞书会议 123 456 789 的主持人。"
    assert len(world.set_host_calls()) == 2
    scheduled = await world.say("make @bob host in 2 hours")
    assert scheduled.startswith("⏰ Handover #1 scheduled"), scheduled
    cancelled = await world.say("把1号交接取消掉")
    assert cancelled.startswith("🗑") and "#1" in cancelled, cancelled
    assert (await world.say("昨天 @bob 把主持人转给我了")).startswith("这句话看起来是在陈述")
    assert await world.say("who made @carol host?? that wasn't me") == "Feishu meeting 123 456 789: @you is host."
    two = await world.say("make @bob and @carol host")
    assert two.endswith("1. make @bob host\n2. make @carol host"), two
    assert len(world.set_host_calls()) == 2  # none of these changed the host
    told = await world.say("@alice is out sick, please make @bob host")  # the remark, then the request
    assert without_undo(told) == "✅ @bob is now host of Feishu meeting 123 456 789.", told
    assert len(world.set_host_calls()) == 3
    cohost = await world.say("can @erin be co-host of meeting 123456789")  # read as the request it is
    assert "make @erin co-host of Feishu meeting 123 456 789: Feishu has no API for adding co-hosts" in cohost
