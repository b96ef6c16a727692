"""Feishu as the real API behaves (issue 17): set_host's answer is checked, a CAS conflict already at
the target is success, changes whose answer was lost are read back (never repeated blindly), and
invite's errors get invite's advice, not set_host's."""

from __future__ import annotations

from bot.core.model.outcome import Kind, VendorUser
from bot.core.model.vendor import Meeting, MeetingRef
from bot.sandbox import Fault
from bot.vendors.feishu.vendor import FeishuVendor
from tests.conftest import World
from tests.support.vendors import instant_waits, outcomes, requests

ASK = "make @{who} host of meeting 123456789"
SHOWN = "123 456 789"


def _vendor(w: World) -> FeishuVendor:
    vendor = w.bot.services.vendors["feishu"]
    assert isinstance(vendor, FeishuVendor)
    return vendor


async def _meeting(w: World) -> Meeting:
    found = await _vendor(w).find_meeting(MeetingRef("feishu", w.meeting_id))
    assert isinstance(found, Meeting)
    return found


async def test_a_success_that_names_another_host_is_not_a_success(world: World) -> None:
    bob = world.open_id("bob")
    answer = {"code": 0, "msg": "success", "data": {"host_user": {"id": bob, "user_type": 1}}}
    world.sandbox.faults.arm(Fault("feishu.set_host", status=200, body=answer))
    reply = await world.say(ASK.format(who="alice"))
    assert not reply.startswith("✅"), reply
    assert "it is now @bob" in reply
    assert (await outcomes(world))[-1]["outcome"] == "conflict"


async def test_a_cas_conflict_whose_host_already_is_the_target_is_success(world: World) -> None:
    world.sandbox.feishu.race_host_change(world.meeting_id, world.open_id("alice"))  # alice became host meanwhile
    reply = await world.say(ASK.format(who="alice"))
    assert reply == f"✅ @alice is now host of Feishu meeting {SHOWN}.", reply  # not our change: no Undo
    assert "Retry" not in reply
    assert len(world.set_host_calls()) == 1


async def test_set_host_applied_then_502_is_read_back_not_repeated(world: World) -> None:
    instant_waits(world)
    world.sandbox.faults.arm(Fault("feishu.set_host", status=502, body="<html>502 Bad Gateway</html>", after=True))
    done = await world.say(ASK.format(who="alice"))
    assert done.startswith(f"✅ @alice is now host of Feishu meeting {SHOWN}.")
    assert "the change had gone through, so nothing was sent twice" in done
    assert len(world.set_host_calls()) == 1  # a repeat would have met its own CAS and read as a conflict
    assert world.sandbox.feishu.meetings[world.meeting_id].host[0] == world.open_id("alice")


async def test_set_host_applied_then_timed_out_is_read_back_not_repeated(world: World) -> None:
    instant_waits(world)
    _vendor(world).client.config.timeout = 0.3
    world.sandbox.faults.arm(Fault("feishu.set_host", latency=1.0, after=True))
    outcome = await _vendor(world).set_host(await _meeting(world), VendorUser(world.open_id("alice")), None)
    assert outcome.kind is Kind.OK and outcome.answer_lost is True and outcome.resent == ()
    assert len(world.set_host_calls()) == 1


async def test_invite_applied_then_timed_out_is_read_back_not_repeated(world: World) -> None:
    instant_waits(world)
    _vendor(world).client.config.timeout = 0.3
    world.sandbox.faults.arm(Fault("feishu.invite", latency=1.0, after=True))
    reply = await world.say("invite @dave to meeting 123456789")
    assert reply.startswith("✅ Invited @dave"), reply
    assert len(requests(world, "feishu.invite")) == 1  # dave's phone rang once


async def test_invite_gets_invites_advice_not_set_hosts(world: World) -> None:
    world.sandbox.feishu.end_meeting(world.meeting_id)
    invite = await world.say("invite @dave to meeting 123456789")
    assert "nobody can be called into it" in invite and "ask again once the meeting has started" in invite
    assert "host can only be changed" not in invite
    world.sandbox.faults.arm(Fault("feishu.invite", status=400, body={"code": 121002, "msg": "not support"}))
    world.sandbox.feishu.meetings[world.meeting_id].status = 2
    not_supported = await world.say("invite @dave to meeting 123456789")
    assert "cannot take the host role" not in not_supported and "does not support inviting" in not_supported


async def test_feishu_needs_the_meeting_running_for_a_host_change() -> None:
    assert FeishuVendor.host_change_needs_running is True


async def test_who_is_host_of_an_ended_meeting_says_it_ended(world: World) -> None:
    meeting = await _meeting(world)
    assert meeting.display == SHOWN  # the number, grouped as Feishu prints it, never the internal id
    world.sandbox.feishu.end_meeting(world.meeting_id)
    outcome = await _vendor(world).who_is_host(meeting)
    assert outcome.kind is Kind.OK and outcome.ended is True  # the handler adds who_meeting_ended
    from bot.i18n import t

    assert t("en", "who_meeting_ended", vendor="Feishu", meeting=SHOWN, host="@you") == \
        f"Feishu meeting {SHOWN} has ended; its host was @you."
