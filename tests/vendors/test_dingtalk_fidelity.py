"""DingTalk as the real API behaves (issue 17): success=false said plainly, co-hosts already there,
a lost answer read back through the members list, and what the fake refuses (marked GUESS there)."""

from __future__ import annotations

import httpx

from bot.core.model.outcome import Kind, VendorUser
from bot.core.model.vendor import Meeting, MeetingRef
from bot.sandbox import Fault
from bot.sandbox.demo_data import DEMO_DINGTALK_ID
from bot.sandbox.dingtalk import CREATED, ENDED, Conference
from bot.vendors.dingtalk import DingTalkVendor
from tests.conftest import World
from tests.support.vendors import instant_waits, outcomes, requests

ASK = f"make @bob co-host of dingtalk meeting {DEMO_DINGTALK_ID}"
FAILED = f"❌ Could not make @bob co-host of DingTalk meeting {DEMO_DINGTALK_ID}: "


def _conference(w: World) -> Conference:
    return w.sandbox.dingtalk.conferences[DEMO_DINGTALK_ID]


def _union(w: World, name: str) -> str:
    return w.demo.vendors.dingtalk_users[name].union_id


def _vendor(w: World) -> DingTalkVendor:
    vendor = w.bot.services.vendors["dingtalk"]
    assert isinstance(vendor, DingTalkVendor)
    return vendor


async def test_success_false_is_said_for_what_it_is(world: World) -> None:
    world.sandbox.faults.arm(Fault("dingtalk.cohosts", status=200, body={"success": False}))
    reply = await world.say(ASK)
    assert reply.startswith(FAILED), reply
    assert "DingTalk answered without an error code but said the change did not succeed (success: false)" in reply
    assert "internal error" not in reply
    assert (await outcomes(world))[-1]["vendor_code"] == "success=false"


async def test_adding_someone_who_already_is_co_host_says_so_and_sends_nothing(world: World) -> None:
    _conference(world).cohosts.add(_union(world, "bob"))
    reply = await world.say(ASK)
    assert reply == (f"Already co-host of DingTalk meeting {DEMO_DINGTALK_ID}: @bob; nothing to do.\n"
                     "Co-hosts now: @bob."), reply  # read back from the members list
    assert requests(world, "dingtalk.cohosts") == []


async def test_removing_someone_who_is_not_co_host_sends_nothing(world: World) -> None:
    outcome = await _vendor(world).remove_cohost(await _meeting(world), [VendorUser(_union(world, "bob"))])
    assert outcome.kind is Kind.OK and outcome.unchanged is True
    assert requests(world, "dingtalk.cohosts") == []


async def test_a_lost_answer_after_the_change_is_read_back_not_repeated(world: World) -> None:
    instant_waits(world)
    world.sandbox.faults.arm(Fault("dingtalk.cohosts", status=502, body="<html>502</html>", after=True))
    reply = await world.say(ASK)
    assert reply.startswith("✅ Made @bob co-host of DingTalk meeting"), reply
    assert len(requests(world, "dingtalk.cohosts")) == 1
    assert _union(world, "bob") in _conference(world).cohosts


async def test_a_timeout_after_the_change_is_read_back_too(world: World) -> None:
    instant_waits(world)
    _vendor(world).http.client.timeout = httpx.Timeout(0.3)
    world.sandbox.faults.arm(Fault("dingtalk.cohosts", latency=1.0, after=True))
    outcome = await _vendor(world).add_cohost(await _meeting(world), [VendorUser(_union(world, "bob"))])
    assert outcome.kind is Kind.OK and outcome.answer_lost is True and outcome.resent == ()
    assert len(requests(world, "dingtalk.cohosts")) == 1


async def test_a_lost_answer_that_cannot_be_read_back_is_unknown(world: World) -> None:
    instant_waits(world)
    world.sandbox.faults.arm(Fault("dingtalk.cohosts", status=504, body={}, after=True))
    world.sandbox.faults.arm(Fault("dingtalk.members", status=200, body={"memberModels": []}))  # the pre-check
    world.sandbox.faults.arm(Fault("dingtalk.members*", status=503, body={}, times=-1))
    reply = await world.say(ASK)
    assert reply.startswith(FAILED) and "its answer was lost" in reply, reply
    assert "check the meeting in the DingTalk app before asking again" in reply
    assert len(requests(world, "dingtalk.cohosts")) == 1
    assert (await outcomes(world))[-1]["outcome"] == "unknown"


async def test_co_hosts_of_a_conference_not_started_are_refused_with_those_words(world: World) -> None:
    _conference(world).status = CREATED  # GUESS in the fake: see bot/sandbox/dingtalk
    reply = await world.say(ASK)
    assert "the DingTalk conference has not started yet" in reply, reply
    _conference(world).status = ENDED
    assert "the DingTalk conference has ended" in await world.say(ASK)
    assert DingTalkVendor.host_change_needs_running is True


async def _meeting(world: World) -> Meeting:
    found = await _vendor(world).find_meeting(MeetingRef("dingtalk", DEMO_DINGTALK_ID))
    assert isinstance(found, Meeting)
    return found


async def test_who_is_host_of_an_ended_conference_says_it_ended(world: World) -> None:
    meeting = await _meeting(world)
    _conference(world).status = ENDED
    outcome = await _vendor(world).who_is_host(meeting)
    assert outcome.kind is Kind.OK and outcome.ended is True
