"""Feishu set_host end to end: console line -> parser -> handler -> lark-oapi -> sandbox -> reply.

lark-oapi is not mocked: it talks HTTP to the sandbox on 127.0.0.1. One row per documented
error code of vendor-docs/feishu-vc-set-host.md, each asserting the words the user sees.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.sandbox import Fault
from bot.sandbox.feishu.vc import P_RINGING
from tests.conftest import World, WorldFactory
from tests.support.undo import without_undo

ASK = "make @{who} host of meeting 123456789"


def _fault(code: int, status: int, times: int = 1) -> Callable[[World], None]:
    def arm(w: World) -> None:
        w.sandbox.faults.arm(Fault("feishu.set_host", status=status, body={"code": code, "msg": "x"}, times=times))
    return arm


def _foreign(w: World) -> None:
    w.sandbox.feishu.meetings[w.meeting_id].foreign_tenant = True


def _ended(w: World) -> None:
    w.sandbox.feishu.end_meeting(w.meeting_id)


def _ringing(w: World) -> None:
    w.sandbox.feishu.set_participant(w.meeting_id, w.open_id("alice"), P_RINGING)


def _left(w: World) -> None:
    w.sandbox.feishu.meetings[w.meeting_id].participants.pop(w.open_id("alice"))


CASES = [
    # (vendor code, how to reach it, words the user must see)
    # a 5xx on a change is read back and sent once more (bot/vendors/calls.py): it fails if Feishu keeps failing
    ("121001", _fault(121001, 500, times=-1), ["Feishu had an internal error", "try again in a minute"]),
    ("121002", _fault(121002, 400), ["does not support this", "pick a Feishu user"]),
    ("121003", _fault(121003, 400), ["rejected the request as malformed", "report this to the hostbot admins"]),
    ("121005", _foreign, ["may not do this for this meeting", "`vc:meeting`"]),
    ("122001", _ended, ["not in progress", "only be changed while the meeting is running"]),
    ("122003", _fault(122003, 400), ["must be in the meeting", "join the meeting"]),
    ("122004", _left, ["@alice is not in the meeting", "ask @alice to join"]),
    ("122005", _fault(122005, 400), ["cannot do this to themselves", "pick somebody else"]),
    ("122009", _ringing, ["@alice is not in a state that allows this", "wait until @alice has fully joined"]),
]


@pytest.mark.parametrize(("code", "arrange", "words"), CASES, ids=[c[0] for c in CASES])
async def test_each_feishu_error_code_gets_its_own_reply(world: World, code: str, arrange: Callable[[World], None],
                                                         words: list[str]) -> None:
    arrange(world)
    reply = await world.say(ASK.format(who="alice"))
    assert reply.startswith("❌ Could not make @alice host of Feishu meeting 123 456 789:"), reply
    for w in words:
        assert w in reply, reply
    rows = [r for r in await world.bot.services.store.audit_rows() if r["event"] == "outcome"]
    # A meeting not in progress is known from the lookup: refused before anybody is asked, no call.
    assert rows[-1]["vendor_code"] == ("" if code == "122001" else code)


async def test_meeting_not_exist_by_id(world: World) -> None:
    reply = await world.say("make @alice host of meeting 6900000000000000001")
    assert "the meeting does not exist at Feishu" in reply and "check the meeting number" in reply


async def test_error_reply_in_chinese(world: World) -> None:
    _left(world)
    reply = await world.say("把 @alice 设为主持人 123456789")
    assert reply == ("❌ 未能将 @alice 设为飞书会议 123 456 789 的主持人：@alice 不在会中。"
                     "建议：请 @alice 先加入会议，然后重试。")


async def test_success_then_already_host(world: World) -> None:
    assert without_undo(await world.say(ASK.format(who="alice"))) == \
        "✅ @alice is now host of Feishu meeting 123 456 789."
    assert world.sandbox.feishu.meetings[world.meeting_id].host[0] == world.open_id("alice")
    again = await world.say(ASK.format(who="alice"))
    assert "already host" in again
    assert len(world.set_host_calls()) == 1


async def test_cas_conflict_names_current_host_and_retry_succeeds(world: World) -> None:
    world.sandbox.feishu.race_host_change(world.meeting_id, world.open_id("bob"))
    reply = await world.say(ASK.format(who="alice"))
    assert "changed meanwhile: it is now @bob" in reply
    assert reply.splitlines()[-1] == "[1] Retry   [2] Cancel"
    first = world.set_host_calls()[0]
    assert first["old_host_user"] == {"id": world.open_id("you"), "user_type": 1}

    # Retry goes through the policy: you are no longer host, so bob (host now) must approve.
    ask = await world.say("1")
    assert ask.startswith("@bob, @you asks: @alice becomes host of Feishu meeting 123 456 789; @bob stops being host.")
    assert len(world.set_host_calls()) == 1
    world.console.user = "bob"
    assert without_undo(await world.say("1")) == "✅ @alice is now host of Feishu meeting 123 456 789."
    retry = world.set_host_calls()[1]
    assert retry == {"host_user": {"id": world.open_id("alice"), "user_type": 1},
                     "old_host_user": {"id": world.open_id("bob"), "user_type": 1}}
    # the approval's buttons are gone; "1" is now Undo: alice, only named in it, may not press it
    world.console.user = "alice"
    assert await world.say("1") == "Only @you and @bob (or an admin) can undo this; nothing was changed."
    assert len(world.set_host_calls()) == 2
    world.console.user = "bob"  # bob lost the host role, and approved: his to undo (issue 24)
    assert await world.say("1") == "↩️ Undone: @bob is host of Feishu meeting 123 456 789 again."
    assert len(world.set_host_calls()) == 3


async def test_admin_retry_acts_at_once(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="you")
    world.sandbox.feishu.race_host_change(world.meeting_id, world.open_id("bob"))
    await world.say(ASK.format(who="alice"))
    assert without_undo(await world.say("1")) == "✅ @alice is now host of Feishu meeting 123 456 789."


async def test_retry_click_delivered_twice_calls_the_vendor_once(make_world: WorldFactory) -> None:
    from bot.core.model.events import ButtonClick, Platform

    world = await make_world(HOSTBOT_ADMINS="you")
    world.sandbox.feishu.race_host_change(world.meeting_id, world.open_id("bob"))
    await world.say(ASK.format(who="alice"))
    retry = world.console.choices[0]
    click = ButtonClick(Platform.CONSOLE, "you", retry.action, retry.value, click_id="c-1")
    first = await world.bot.dispatcher.handle_click(click)
    redelivered = await world.bot.dispatcher.handle_click(click)
    second_press = await world.bot.dispatcher.handle_click(
        ButtonClick(Platform.CONSOLE, "you", retry.action, retry.value, click_id="c-2"))
    assert "is now host" in first[0].text
    assert redelivered == []
    assert "already answered" in second_press[0].text
    assert len(world.set_host_calls()) == 2


async def test_retry_button_pressed_by_someone_else(world: World) -> None:
    from bot.adapters.markup import console_text
    from bot.core.model.events import ButtonClick, Platform

    world.sandbox.feishu.race_host_change(world.meeting_id, world.open_id("bob"))
    await world.say(ASK.format(who="alice"))
    retry = world.console.choices[0]
    reply = await world.bot.dispatcher.handle_click(ButtonClick(Platform.CONSOLE, "bob", "retry", retry.value))
    assert console_text(reply[0].text) == "Only @you can use this button."
    assert len(world.set_host_calls()) == 1


async def test_conflict_again_on_retry_offers_a_new_retry(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="you")
    world.sandbox.feishu.race_host_change(world.meeting_id, world.open_id("bob"))
    await world.say(ASK.format(who="alice"))
    world.sandbox.feishu.race_host_change(world.meeting_id, world.open_id("carol"))
    reply = await world.say("1")
    assert "it is now @carol" in reply and "[1] Retry" in reply


async def test_cancel_after_conflict(world: World) -> None:
    world.sandbox.feishu.race_host_change(world.meeting_id, world.open_id("bob"))
    await world.say(ASK.format(who="alice"))
    assert await world.say("2") == "Cancelled; nothing was changed."
    assert len(world.set_host_calls()) == 1


async def test_rate_limited_reply_says_when(world: World) -> None:
    world.sandbox.faults.arm(Fault("feishu.set_host", status=429, body={"code": 99991400, "msg": "limit"},
                                   headers={"x-ogw-ratelimit-reset": "7"}))
    reply = await world.say(ASK.format(who="alice"))
    assert "Feishu is rate-limiting us; retry in 7 s." in reply


@pytest.mark.parametrize("body", ["<html><body>502 Bad Gateway</body></html>", '{"code": 0, "da'])
async def test_garbage_from_the_vendor_is_read_back_not_a_crash(world: World, body: str) -> None:
    # Before anything changed: the host read back is still @you, so set_host goes out once more (same CAS).
    world.sandbox.faults.arm(Fault("feishu.set_host", status=502, body=body))
    done = await world.say(ASK.format(who="alice"))
    assert done.startswith("✅ @alice is now host of Feishu meeting 123 456 789.\n(Feishu's first answer was lost")
    assert len(world.set_host_calls()) == 2
    # Feishu keeps failing: after reading back twice, it says so (and nothing claims success).
    world.console.user = "alice"
    world.sandbox.faults.arm(Fault("feishu.set_host", status=502, body=body, times=-1))
    reply = await world.say(ASK.format(who="bob"))
    assert "Feishu had an internal error or did not answer in time" in reply
    assert len(world.set_host_calls()) == 4


async def test_vendor_timeout(world: World) -> None:
    vendor = world.bot.services.vendors["feishu"]
    vendor.client.config.timeout = 0.3
    world.sandbox.faults.arm(Fault("feishu.set_host", status=504, body={}, latency=1.0, times=-1))
    reply = await world.say(ASK.format(who="alice"))
    assert "Feishu did not answer in time." in reply
    assert len(world.set_host_calls()) <= 2  # read back between the two, never a blind repeat


async def test_connection_refused(world: World) -> None:
    world.sandbox.stop()
    reply = await world.say(ASK.format(who="alice"))
    assert "Feishu had an internal error or did not answer in time" in reply


async def test_bad_app_secret_tells_admin_what_to_fix(world: World) -> None:
    world.sandbox.feishu.app_secret = "rotated"
    reply = await world.say(ASK.format(who="alice"))
    assert "rejected hostbot's app credentials" in reply and "FEISHU_APP_SECRET" in reply


async def test_expired_tenant_token_is_refreshed_once(world: World) -> None:
    assert "is now host" in await world.say(ASK.format(who="alice"))
    world.sandbox.feishu.tenant_tokens.clear()  # Feishu forgot our token
    world.console.user = "alice"  # alice is host now; she passes it on
    assert "is now host" in await world.say(ASK.format(who="bob"))
    assert world.sandbox.recorder.count("feishu.token") == 2
