"""Each vendor's "meetings this person runs now" (MeetingVendor.running_meetings) against the sandbox,
and the fakes' strictness on those calls; the console shows a meeting found that way by its vendor."""

from __future__ import annotations

import httpx

from bot.core.model.outcome import Kind, Outcome, VendorUser
from bot.core.model.vendor import Meeting, MeetingRef
from bot.sandbox.demo_data import DEMO_DINGTALK_ID, DEMO_WEBEX_DAVE, DEMO_ZOOM_ID
from bot.sandbox.zoom import STARTED
from tests.conftest import World


async def test_zoom_lists_the_live_meetings_of_a_user(world: World) -> None:
    zoom = world.bot.services.vendors["zoom"]
    assert await zoom.running_meetings(VendorUser("you@example.com")) == []  # scheduled, not started
    world.sandbox.zoom.meetings[DEMO_ZOOM_ID].status = STARTED
    assert await zoom.running_meetings(VendorUser("you@example.com")) == [str(DEMO_ZOOM_ID)]
    unknown = await zoom.running_meetings(VendorUser("nobody@example.com"))
    assert isinstance(unknown, Outcome) and unknown.kind is Kind.NOT_FOUND


async def test_zoom_fake_refuses_what_the_spec_does_not_allow(world: World) -> None:
    token = await world.bot.services.vendors["zoom"].tokens.get()  # type: ignore[attr-defined]
    base = f"{world.sandbox.url}/zoom/v2/users/you@example.com/meetings"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
        for query in ({"type": "running"}, {"page_size": "301"}, {"page_number": "0"}):
            resp = await http.get(base, params=query)
            assert (resp.status_code, resp.json()["code"]) == (400, 300), query
        ok = (await http.get(base, params={"type": "scheduled"})).json()
        assert ok["total_records"] == 2 and "status" not in ok["meetings"][0]  # the list leaves status out


async def test_webex_lists_in_progress_instances_and_reads_each_back(world: World) -> None:
    webex = world.bot.services.vendors["webex"]
    assert await webex.running_meetings(VendorUser("you@example.com")) == []
    [instance] = await webex.running_meetings(VendorUser("dave@example.com"))  # "Release planning" runs
    assert instance.startswith(DEMO_WEBEX_DAVE[1] + "_")
    found = await webex.find_meeting(MeetingRef("webex", instance))
    assert isinstance(found, Meeting) and found.in_progress and found.host is not None
    assert found.host.id == "dave@example.com" and found.id == DEMO_WEBEX_DAVE[1]
    listed = [r for r in world.sandbox.recorder.all("webex.list_meetings") if r.query.get("state")]
    assert [(r.query["meetingType"], r.query["state"], r.query["hostEmail"]) for r in listed] == [
        ("meeting", "inProgress", "you@example.com"), ("meeting", "inProgress", "dave@example.com")]


async def test_dingtalk_lists_the_conferences_a_user_is_in(world: World) -> None:
    dingtalk = world.bot.services.vendors["dingtalk"]
    you = world.demo.vendors.dingtalk_users["you"].union_id
    assert await dingtalk.running_meetings(VendorUser(you)) == [DEMO_DINGTALK_ID]
    bob = world.demo.vendors.dingtalk_users["bob"].union_id
    assert await dingtalk.running_meetings(VendorUser(bob)) == []
    [call] = world.sandbox.recorder.all("dingtalk.user_conferences")[:1]
    assert call.path == "/dingtalk/v1.0/conference/users/lists" and call.query == {"unionId": you}


async def test_the_console_names_a_dingtalk_conference_found_that_way(world: World) -> None:
    reply = await world.say("make @bob co-host")  # only the DingTalk conference runs (Feishu: no event yet)
    assert reply.startswith("DingTalk meeting 644272f14ba331015e7a-78bc1 “Design review”, which you are hosting now:")
    assert [r.body for r in world.sandbox.recorder.all("dingtalk.cohosts")] == [
        {"action": "add", "userList": [{"unionId": world.demo.vendors.dingtalk_users["bob"].union_id}]}]
