"""A meeting number resolved recently costs 2 Feishu calls, not 3 (bot/vendors/feishu/numbers.py): list_by_no
is skipped, the meeting is still read before every change, and an entry goes when Feishu says it is gone."""

from __future__ import annotations

from bot.sandbox import Fault
from tests.conftest import World

ASK = "make @{who} host of meeting 123456789"
CALLS = ("feishu.list_by_no", "feishu.get_meeting", "feishu.set_host")


def calls(world: World) -> dict[str, int]:
    return {op.split(".")[1]: len(world.sandbox.recorder.all(op)) for op in CALLS}


def set_host_paths(world: World) -> list[str]:
    return [r.path for r in world.sandbox.recorder.all("feishu.set_host")]


async def test_a_number_resolved_recently_costs_two_calls_and_the_meeting_is_still_read(world: World) -> None:
    assert "now host" in await world.say(ASK.format(who="alice"))
    assert calls(world) == {"list_by_no": 1, "get_meeting": 1, "set_host": 1}
    world.sandbox.feishu.change_host(world.meeting_id, world.open_id("you"))  # back to you, in the Feishu client
    reply = await world.say(ASK.format(who="bob"))
    assert "@bob is now host" in reply
    assert calls(world) == {"list_by_no": 1, "get_meeting": 2, "set_host": 2}
    # the CAS names the host Feishu reported just now (the read was not skipped), not the one from before
    assert world.set_host_calls()[-1]["old_host_user"]["id"] == world.open_id("you")


async def test_an_ended_meeting_is_dropped_and_its_number_found_again_in_the_new_meeting(world: World) -> None:
    assert "now host" in await world.say(ASK.format(who="alice"))
    feishu, demo = world.sandbox.feishu, world.demo
    feishu.end_meeting(world.meeting_id)  # Feishu reuses the number for a meeting started since
    again = feishu.add_meeting(demo.users["you"], [demo.users["alice"], demo.users["bob"]], topic="Later",
                               meeting_no="123456789", started_ago=60)
    assert "@bob is now host" in await world.say(ASK.format(who="bob"))
    assert calls(world)["list_by_no"] == 2
    assert set_host_paths(world) == [f"/open-apis/vc/v1/meetings/{world.meeting_id}/set_host",
                                     f"/open-apis/vc/v1/meetings/{again.id}/set_host"]
    feishu.change_host(again.id, world.open_id("you"))
    assert "now host" in await world.say(ASK.format(who="alice"))  # the new meeting is the one remembered
    assert calls(world)["list_by_no"] == 2 and set_host_paths(world)[-1] == set_host_paths(world)[-2]


async def test_a_meeting_feishu_no_longer_knows_is_dropped(world: World) -> None:
    assert "now host" in await world.say(ASK.format(who="alice"))
    del world.sandbox.feishu.meetings[world.meeting_id]
    reply = await world.say(ASK.format(who="bob"))
    assert "now host" not in reply and "123 456 789" in reply
    assert calls(world) == {"list_by_no": 2, "get_meeting": 2, "set_host": 1}
    await world.say(ASK.format(who="bob"))
    assert calls(world)["list_by_no"] == 3  # nothing was remembered for the number


async def test_set_host_saying_not_running_drops_the_number(world: World) -> None:
    assert "now host" in await world.say(ASK.format(who="alice"))
    world.sandbox.feishu.change_host(world.meeting_id, world.open_id("you"))
    world.sandbox.faults.arm(Fault("feishu.set_host", status=400, body={"code": 122001, "msg": "x"}))
    assert "not in progress" in await world.say(ASK.format(who="bob"))
    assert calls(world)["list_by_no"] == 1
    assert "@bob is now host" in await world.say(ASK.format(who="bob"))
    assert calls(world) == {"list_by_no": 2, "get_meeting": 3, "set_host": 3}
