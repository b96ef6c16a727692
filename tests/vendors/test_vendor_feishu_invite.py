"""Feishu invite end to end: console line -> invite handler -> lark-oapi (user token) -> sandbox -> reply.

One row per documented error code of vendor-docs/feishu-vc-invite.md, plus the user-token rules
(invite accepts only a user_access_token: the requester's own, from the store) and per-invitee results.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.sandbox import Fault
from bot.sandbox.feishu.vc import P_CALLING, P_LEFT, FeishuMeeting
from tests.conftest import World
from tests.support.vendors import add_feishu_people, instant_waits, outcomes, requests

ASK = "invite @dave to meeting 123456789"
FAILED = "❌ Could not invite @dave to Feishu meeting 123 456 789: "


def _fault(code: int, status: int, times: int = 1) -> Callable[[World], None]:
    def arm(w: World) -> None:
        w.sandbox.faults.arm(Fault("feishu.invite", status=status, body={"code": code, "msg": "x"}, times=times))
    return arm


def _meeting(w: World) -> FeishuMeeting:
    return w.sandbox.feishu.meetings[w.meeting_id]


def _foreign(w: World) -> None:
    _meeting(w).foreign_tenant = True


def _ended(w: World) -> None:
    w.sandbox.feishu.end_meeting(w.meeting_id)


def _you_left(w: World) -> None:
    _meeting(w).participants[w.open_id("you")] = (1, P_LEFT)


def _full(w: World) -> None:
    _meeting(w).max_participants = 4  # you, alice, bob + carol being called


def _busy(w: World) -> None:
    w.sandbox.feishu.busy.add(w.open_id("dave"))


def _locked(w: World) -> None:
    _meeting(w).locked = True


CASES = [
    # (vendor code, how to reach it, words the user must see)
    ("121001", _fault(121001, 500, times=-1), ["Feishu had an internal error", "try again in a minute"]),
    # invite's own table (vendor-docs/feishu-vc-invite.md), not set_host's advice
    ("121002", _fault(121002, 400), ["does not support inviting into this meeting",
                                     "invite them from the Feishu meeting window"]),
    ("121003", _fault(121003, 400), ["rejected the request as malformed"]),
    ("121005", _foreign, ["may not do this for this meeting", "`vc:meeting`"]),
    ("122001", _ended, ["not in progress", "nobody can be called into it", "once the meeting has started"]),
    ("122003", _you_left, ["you must be in the meeting to invite people", "join the meeting, then ask again"]),
    ("122006", _full, ["reached its participant limit", "ask someone to leave"]),
    ("122007", _busy, ["the person called is busy", "try again when they are free"]),
    ("122008", _locked, ["the meeting is locked", "ask the host to unlock it in Feishu"]),
]


@pytest.mark.parametrize(("code", "arrange", "words"), CASES, ids=[c[0] for c in CASES])
async def test_each_invite_error_code_gets_its_own_reply(world: World, code: str, arrange: Callable[[World], None],
                                                         words: list[str]) -> None:
    arrange(world)
    reply = await world.say(ASK)
    assert reply.startswith(FAILED), reply
    for w in words:
        assert w in reply, reply
    # A meeting not in progress is known from the lookup: refused before anybody is asked, no call.
    assert (await outcomes(world))[-1]["vendor_code"] == ("" if code == "122001" else code)


async def test_meeting_not_exist(world: World) -> None:
    reply = await world.say("invite @dave to meeting 6900000000000000001")
    assert "the meeting does not exist at Feishu" in reply
    assert (await outcomes(world))[-1]["vendor_code"] == "122002"


async def test_cannot_invite_yourself(world: World) -> None:
    reply = await world.say("invite me to meeting 123456789")
    assert reply.startswith("❌ Could not invite @you to Feishu meeting 123 456 789:")
    assert "you cannot invite yourself" in reply
    assert (await outcomes(world))[-1]["vendor_code"] == "122005"


async def test_invite_uses_the_requesters_user_token(world: World) -> None:
    reply = await world.say(ASK)
    assert reply == "✅ Invited @dave to Feishu meeting 123 456 789; Feishu is calling them."
    [call] = requests(world, "feishu.invite")
    assert call.method == "PATCH"
    assert call.path == f"/open-apis/vc/v1/meetings/{world.meeting_id}/invite"
    assert call.query == {"user_id_type": "open_id"}
    assert call.body == {"invitees": [{"id": world.open_id("dave"), "user_type": 1}]}
    token = call.headers["authorization"].removeprefix("Bearer ")
    assert world.sandbox.feishu.user_tokens[token] == world.open_id("you")  # yours, not the app's
    assert _meeting(world).participants[world.open_id("dave")] == (1, P_CALLING)


async def test_no_user_token_asks_to_authorize_and_calls_nothing(world: World) -> None:
    await world.bot.services.store.delete_user_token("feishu", world.open_id("you"))
    reply = await world.say(ASK)
    assert reply == (FAILED + "Feishu lets only a person, not an app, invite people, and you have not authorized "
                     "hostbot to invite on your behalf yet. What to do: authorize hostbot in Feishu (open hostbot's "
                     "authorization link, or ask an admin for it), then ask again.")
    assert requests(world, "feishu.invite") == []
    assert (await outcomes(world))[-1]["outcome"] == "denied"


async def test_expired_user_token_in_the_store(world: World) -> None:
    store = world.bot.services.store
    you = world.open_id("you")
    token = await store.user_token("feishu", you)
    assert token is not None
    await store.save_user_token("feishu", you, token.token, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    reply = await world.say(ASK)
    assert "your authorization of hostbot in Feishu has expired or was revoked" in reply
    assert requests(world, "feishu.invite") == []


async def test_user_token_refused_by_feishu(world: World) -> None:
    token = await world.bot.services.store.user_token("feishu", world.open_id("you"))
    assert token is not None
    world.sandbox.feishu.expired_user_tokens.add(token.token)
    reply = await world.say(ASK)
    assert "has expired or was revoked" in reply and "authorize hostbot in Feishu" in reply
    assert (await outcomes(world))[-1]["vendor_code"] == "99991677"


async def test_some_invitees_fail_each_is_named(world: World) -> None:
    world.sandbox.feishu.busy.add(world.open_id("dave"))
    await add_feishu_people(world, ["erin"])
    world.sandbox.feishu.users.pop((await world.bot.services.store.person("console", "erin"))["feishu_open_id"])
    reply = await world.say("invite @dave, @erin and @carol to meeting 123456789")
    assert reply == ("⚠️ Invited 1 of 3 to Feishu meeting 123 456 789.\n"
                     "2 of 3 could not be invited:\n"
                     "• @dave: Feishu could not call them.\n"
                     "• @erin: Feishu could not call them.")
    assert (await outcomes(world))[-1]["outcome"] == "partial"


async def test_non_host_invite_goes_to_the_host_then_runs_with_the_requesters_token(world: World) -> None:
    bob = world.open_id("bob")
    await world.bot.services.store.save_user_token("feishu", bob, world.sandbox.feishu.issue_user_token(bob))
    world.console.user = "bob"
    ask = await world.say(ASK)
    assert ask.startswith("@you, @bob asks: Feishu calls @dave into meeting 123 456 789.")
    world.console.user = "you"
    assert await world.say("1") == "✅ Invited @dave to Feishu meeting 123 456 789; Feishu is calling them."
    [call] = requests(world, "feishu.invite")
    assert world.sandbox.feishu.user_tokens[call.headers["authorization"].removeprefix("Bearer ")] == bob


async def test_invite_reply_in_chinese(world: World) -> None:
    _locked(world)
    reply = await world.say("邀请 @dave 加入会议 123456789")
    assert reply == ("❌ 未能邀请 @dave 加入飞书会议 123 456 789：会议已被锁定。"
                     "建议：请主持人在飞书中解除锁定，然后重试。")


async def test_a_short_rate_limit_is_waited_out(world: World) -> None:
    waits = instant_waits(world)
    world.sandbox.faults.arm(Fault("feishu.invite", status=429, body={"code": 99991400, "msg": "limit"},
                                   headers={"x-ogw-ratelimit-reset": "2"}))
    assert "✅ Invited @dave" in await world.say(ASK)
    assert [r.status for r in requests(world, "feishu.invite")] == [429, 200]
    assert 2.0 in waits.asked


async def test_a_long_rate_limit_is_told(world: World) -> None:
    instant_waits(world)
    world.sandbox.faults.arm(Fault("feishu.invite", status=429, body={"code": 99991400, "msg": "limit"},
                                   headers={"x-ogw-ratelimit-reset": "40"}))
    assert "Feishu is rate-limiting us; retry in 40 s." in await world.say(ASK)


async def test_invite_is_read_back_after_a_server_error_and_sent_again_only_if_nobody_is_called(
        world: World) -> None:
    instant_waits(world)
    world.sandbox.faults.arm(Fault("feishu.invite", status=502, body="<html>502 Bad Gateway</html>"))
    assert (await world.say(ASK)).startswith("✅ Invited @dave"), "dave was not being called: invited once more"
    assert len(requests(world, "feishu.invite")) == 2


async def test_an_invite_that_went_through_before_its_answer_was_lost_is_not_repeated(world: World) -> None:
    instant_waits(world)
    world.sandbox.faults.arm(Fault("feishu.invite", status=502, body="<html>502 Bad Gateway</html>", after=True))
    assert (await world.say(ASK)).startswith("✅ Invited @dave")
    assert len(requests(world, "feishu.invite")) == 1  # a repeat would ring dave twice
    assert _meeting(world).participants[world.open_id("dave")][1] == P_CALLING


async def test_who_is_host_asks_feishu_now(world: World) -> None:
    world.sandbox.feishu.change_host(world.meeting_id, world.open_id("bob"))  # changed in the Feishu client
    assert await world.say("who is host of meeting 123456789") == "Feishu meeting 123 456 789: @bob is host."
    assert await world.say("谁是主持人 123456789") == "飞书会议 123 456 789 的主持人是 @bob。"
    assert [r["intent"] for r in await outcomes(world)] == ["who_is_host", "who_is_host"]  # read-only, but audited
