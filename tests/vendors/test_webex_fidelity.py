"""Webex as the real API behaves (issue 17): lost answers, sites, the two 403s, third-party meetings,
numbers as printed, instances, and what the fake refuses (415, repeated ids)."""

from __future__ import annotations

import httpx

from bot.core.model.outcome import Kind, VendorUser
from bot.core.model.vendor import Meeting, MeetingRef
from bot.i18n import t
from bot.sandbox import Fault
from bot.sandbox.demo_data import DEMO_WEBEX_DAVE, DEMO_WEBEX_ID
from bot.sandbox.webex import OTHER_SITE
from bot.vendors.webex.vendor import WebexVendor, webex_digits
from tests.conftest import World, WorldFactory
from tests.support.vendors import instant_waits, outcomes, requests

ASK = f"make @alice host of webex meeting {DEMO_WEBEX_ID}"


def _vendor(w: World) -> WebexVendor:
    vendor = w.bot.services.vendors["webex"]
    assert isinstance(vendor, WebexVendor)
    return vendor


def _number(w: World) -> str:
    return webex_digits(w.sandbox.webex.meetings[DEMO_WEBEX_ID].number)


async def test_a_reassignment_whose_answer_was_lost_is_read_back_not_repeated(world: World) -> None:
    instant_waits(world)
    world.sandbox.faults.arm(Fault("webex.reassign", status=502, body="<html>bad gateway</html>", after=True))
    reply = await world.say(ASK)
    assert reply.startswith(f"✅ @alice is now host of Webex meeting {_number(world)}.\n(Webex's first answer was lost")
    assert len(requests(world, "webex.reassign")) == 1  # one cancellation email for the old host, not two
    assert world.sandbox.webex.meetings[DEMO_WEBEX_ID].host_email == "alice@example.com"
    row = (await outcomes(world))[-1]
    assert row["outcome"] == "ok"


async def test_a_timeout_after_the_change_is_read_back_too(world: World) -> None:
    instant_waits(world)
    _vendor(world).http.client.timeout = httpx.Timeout(0.3)
    world.sandbox.faults.arm(Fault("webex.reassign", latency=1.0, after=True))
    meeting = await _vendor(world).find_meeting(MeetingRef("webex", DEMO_WEBEX_ID))
    assert isinstance(meeting, Meeting)
    outcome = await _vendor(world).set_host(meeting, VendorUser("alice@example.com"), None)
    assert outcome.kind is Kind.OK and outcome.answer_lost is True and outcome.resent == ()
    assert len(requests(world, "webex.reassign")) == 1


async def test_only_the_meetings_that_did_not_move_are_sent_again(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="you")
    instant_waits(world)
    webex = world.sandbox.webex
    # The first call moves "Dave's 1:1s" and then its answer is lost; the webinar one needs a licence bob has.
    world.sandbox.faults.arm(Fault("webex.reassign", status=504, body={}, after=True))
    outcome = await _vendor(world).reassign(VendorUser("bob@example.com"), [DEMO_WEBEX_DAVE[0], DEMO_WEBEX_DAVE[2]])
    assert outcome.kind is Kind.OK and outcome.answer_lost is True
    assert [len(r.body["meetingIds"]) for r in requests(world, "webex.reassign")] == [2]  # all moved: no resend
    assert webex.meetings[DEMO_WEBEX_DAVE[0]].host_email == "bob@example.com"


async def test_a_lost_answer_with_nothing_moved_resends_only_those(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="you")
    instant_waits(world)
    webex = world.sandbox.webex
    webex.meetings[DEMO_WEBEX_DAVE[0]].host_email = "bob@example.com"  # already bob's (moved by the lost call)
    world.sandbox.faults.arm(Fault("webex.reassign", status=502, body={}))  # nothing done, answer 502
    outcome = await _vendor(world).reassign(VendorUser("bob@example.com"), [DEMO_WEBEX_DAVE[0], DEMO_WEBEX_DAVE[2]])
    assert outcome.kind is Kind.OK and outcome.resent == (DEMO_WEBEX_DAVE[2],)
    sent = [r.body["meetingIds"] for r in requests(world, "webex.reassign")]
    assert sent == [[DEMO_WEBEX_DAVE[0], DEMO_WEBEX_DAVE[2]], [DEMO_WEBEX_DAVE[2]]]


async def test_a_non_admin_token_is_told_apart_from_an_unqualified_host(world: World) -> None:
    _vendor(world)._token = world.sandbox.webex.user_token
    reply = await world.say(ASK)
    assert "it is not a Webex admin's" in reply and "WEBEX_TOKEN" in reply, reply
    assert "not qualified" not in reply
    world.sandbox.webex.users["alice@example.com"].can_host = False
    _vendor(world)._token = world.sandbox.webex.token
    assert "@alice is not qualified to host meetings on this Webex site" in await world.say(ASK)


async def test_meetings_of_two_sites_are_sent_one_call_per_site(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="you")
    instant_waits(world)
    webex = world.sandbox.webex
    emea = webex.add_meeting(webex.users["dave@example.com"], "EMEA standup", site=OTHER_SITE)
    await world.say("reassign @dave's webex meetings to @bob")
    reply = await world.say("1")
    assert webex.meetings[emea.id].host_email == "bob@example.com", reply
    calls = requests(world, "webex.reassign")
    assert {c.headers["siteurl"]: c.body["meetingIds"] for c in calls} == {
        webex.site: [DEMO_WEBEX_DAVE[0], DEMO_WEBEX_DAVE[2]], OTHER_SITE: [emea.id]}


async def test_a_meeting_of_another_site_is_found_by_its_number(world: World) -> None:
    webex = world.sandbox.webex
    emea = webex.add_meeting(webex.users["you@example.com"], "EMEA standup", site=OTHER_SITE)
    reply = await world.say(f"who is host of webex meeting {emea.number}")
    assert reply == f"Webex meeting {webex_digits(emea.number)}: @you is host."


async def test_the_number_the_bot_printed_is_usable_in_the_next_request(world: World) -> None:
    printed = await world.say(f"who is host of webex meeting {DEMO_WEBEX_ID}")
    number = printed.split(":")[0].removeprefix("Webex meeting ")
    assert number == _number(world) and " " in number  # grouped as Webex prints it: 2820 653 693
    assert await world.say(f"who is host of webex meeting {number}") == printed


async def test_a_third_party_meeting_is_explained(world: World) -> None:
    world.sandbox.webex.meetings[DEMO_WEBEX_ID].integration = "Outlook"
    reply = await world.say(ASK)
    assert "scheduled from Outlook or Google" in reply and "Webex cannot reassign such meetings" in reply, reply
    assert world.sandbox.webex.meetings[DEMO_WEBEX_ID].host_email == "you@example.com"


async def test_an_instance_id_stands_for_its_series(world: World) -> None:
    instance = f"{DEMO_WEBEX_ID}_20260105T090000Z"
    found = await _vendor(world).find_meeting(MeetingRef("webex", instance))
    assert isinstance(found, Meeting) and found.id == DEMO_WEBEX_ID  # the instance's meetingSeriesId
    [got] = [r for r in requests(world, "webex.get_meeting") if r.path.endswith(instance)]
    assert got.status == 200
    assert (await _vendor(world).set_host(found, VendorUser("alice@example.com"), None)).kind is Kind.OK
    [call] = requests(world, "webex.reassign")
    assert call.body["meetingIds"] == [DEMO_WEBEX_ID]  # reassignHost takes series ids only


async def test_what_a_webex_reassignment_does_is_worded_for_the_confirmation() -> None:
    assert WebexVendor.host_change_notice == "webex_reassign_effects"
    text = t("en", WebexVendor.host_change_notice, meeting="2820 653 693", target="@alice")
    assert "whole series" in text and "cancellation email" in text and "already ended stay with the old host" in text
    assert "取消邮件" in t("zh", WebexVendor.host_change_notice, meeting="1", target="@a")
    assert WebexVendor.host_change_needs_running is False  # Webex changes meetings that have not started


# ---- the fake is strict where Webex is -------------------------------------------------------------
async def test_fake_refuses_a_body_not_sent_as_json(world: World) -> None:
    async with httpx.AsyncClient(base_url=f"{world.sandbox.url}/webex/v1") as http:
        body = b'{"hostEmail":"alice@example.com","meetingIds":["x"]}'
        resp = await http.post("/meetings/reassignHost", content=body,
                               headers={"Authorization": f"Bearer {world.sandbox.webex.token}",
                                        "Content-Type": "text/plain"})
    assert resp.status_code == 415


async def test_fake_refuses_the_same_meeting_twice_and_the_client_never_sends_it(world: World) -> None:
    async with httpx.AsyncClient(base_url=f"{world.sandbox.url}/webex/v1") as http:
        resp = await http.post("/meetings/reassignHost", json={"hostEmail": "alice@example.com",
                                                               "meetingIds": [DEMO_WEBEX_ID, DEMO_WEBEX_ID]},
                               headers={"Authorization": f"Bearer {world.sandbox.webex.token}"})
    assert resp.status_code == 400
    outcome = await _vendor(world).reassign(VendorUser("alice@example.com"), [DEMO_WEBEX_ID, DEMO_WEBEX_ID])
    assert outcome.kind is Kind.OK
    assert requests(world, "webex.reassign")[-1].body["meetingIds"] == [DEMO_WEBEX_ID]

