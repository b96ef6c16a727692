""""This meeting" when nothing names one and nothing is linked: the meeting(s) the speaker hosts right
now, found at the vendors. End to end: signed Slack bodies and encrypted Feishu events against the
sandbox's vendors; asserted on the thread, the requests the vendor fakes recorded, and the store.

In the demo world `you` host the Feishu meeting 123 456 789 and two Zoom meetings (not started unless a
test starts them); the Slack people are mapped to Feishu and known by email at Zoom and Webex.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_ZOOM_ID, DEMO_ZOOM_README_ID
from bot.sandbox.feishu.im import BOT
from bot.sandbox.zoom import STARTED
from tests.support.feishu import feishu_world
from tests.support.slack import SlackWorld, wait_for
from tests.support.slack_views import slack_world

MUTATING = {"feishu.set_host", "feishu.invite", "zoom.update_meeting", "webex.reassign", "dingtalk.cohosts"}


def _changes(sandbox: Sandbox) -> list[Any]:
    return [r for r in sandbox.recorder.all() if r.op in MUTATING and 200 <= r.status < 300]


async def _mention(world: SlackWorld, who: str, text: str, n: int) -> list[dict[str, Any]]:
    """`who` says `text` to hostbot in #general (people as @name); hostbot's replies in the thread."""
    for name, user in world.users.items():
        text = text.replace(f"@{name}", f"<@{user.id}>")
    ts = f"1700000{n:03d}.000200"
    event = {"type": "app_mention", "user": world.users[who].id, "channel": world.channel.id,
             "text": f"<@{world.sandbox.slack.bot_user.id}> {text}", "ts": ts, "event_ts": ts}
    assert (await world.event(event, f"EvRun{n}")).status_code == 200
    return list(await wait_for(lambda: world.replies_in(ts)))


def _start_zoom(sandbox: Sandbox, *ids: int) -> None:
    with sandbox.zoom.lock:
        for meeting_id in ids:
            sandbox.zoom.meetings[meeting_id].status = STARTED


async def test_hosting_one_zoom_meeting_and_nothing_linked_that_meeting_changes(sandbox: Sandbox,
                                                                                tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as world:
        _start_zoom(sandbox, DEMO_ZOOM_ID)
        [reply] = await _mention(world, "you", "make @bob co-host", 1)
        assert reply["text"].startswith("Zoom meeting 850 1234 5678 “Zoom all-hands”, which you are hosting now:")
        assert "co-host" in reply["text"]
        [change] = _changes(sandbox)
        assert change.path == f"/zoom/v2/meetings/{DEMO_ZOOM_ID}"
        assert change.body == {"settings": {"alternative_hosts": "bob@example.com"}}
        [listed] = sandbox.recorder.all("zoom.list_meetings")
        assert listed.path == "/zoom/v2/users/you@example.com/meetings" and listed.query["type"] == "live"


async def test_hosting_two_zoom_meetings_the_speaker_picks_and_only_that_one_changes(sandbox: Sandbox,
                                                                                      tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as world:
        _start_zoom(sandbox, DEMO_ZOOM_ID, DEMO_ZOOM_README_ID)
        [choice] = await _mention(world, "you", "make @bob co-host", 2)
        assert choice["text"] == "You are hosting 2 meetings right now. Which one do you mean?"
        assert _changes(sandbox) == []  # never a guess among several
        buttons = [e for b in choice["blocks"] if b["type"] == "actions" for e in b["elements"]]
        labels = {b["text"]["text"]: b["action_id"] for b in buttons}
        assert set(labels) == {"Zoom 850 1234 5678 “Zoom all-hands”", "Zoom 812 3456 7890 “Zoom design crit”",
                               "Cancel"}
        # The proposal holds the meetings as vendor + id, not as the words shown.
        proposal = await world.runtime.bot.services.store.get_proposal(buttons[0]["value"])
        assert proposal is not None
        assert sorted(json.dumps(p) for p in proposal.payload["picks"]) == sorted(
            json.dumps({"vendor": "zoom", "id": str(i)}) for i in (DEMO_ZOOM_ID, DEMO_ZOOM_README_ID))
        listed_before = len(sandbox.recorder.all("zoom.list_meetings"))
        # bob is not the one to choose
        await world.click("bob", choice, labels["Zoom 812 3456 7890 “Zoom design crit”"])
        await wait_for(lambda: world.channel.ephemeral)
        assert _changes(sandbox) == []
        await world.click("you", choice, labels["Zoom 812 3456 7890 “Zoom design crit”"], action_ts="9.1")
        await wait_for(lambda: _changes(sandbox))
        [change] = _changes(sandbox)
        assert change.path == f"/zoom/v2/meetings/{DEMO_ZOOM_README_ID}"
        assert sandbox.zoom.meetings[DEMO_ZOOM_ID].alternative_hosts == []
        # the click acted on the meeting it named: nothing was listed again to decide what it meant
        assert len(sandbox.recorder.all("zoom.list_meetings")) == listed_before
        done = await wait_for(lambda: [m for m in world.replies_in(choice["thread_ts"]) if "co-host" in m["text"]
                                       and "812 3456 7890" in m["text"]])
        assert done


async def test_a_picked_meeting_stays_the_meeting_through_a_confirmation(sandbox: Sandbox, tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path, HOSTBOT_CONFIRM="add_cohost=always") as world:
        _start_zoom(sandbox, DEMO_ZOOM_ID, DEMO_ZOOM_README_ID)
        [choice] = await _mention(world, "you", "make @bob co-host", 4)
        pick = next(e["action_id"] for b in choice["blocks"] if b["type"] == "actions" for e in b["elements"]
                    if "812 3456 7890" in e["text"]["text"])
        await world.click("you", choice, pick)
        confirm = await wait_for(lambda: next((m for m in world.replies_in(choice["thread_ts"])
                                               if "Go ahead?" in m["text"]), None))
        assert "812 3456 7890" in confirm["text"] and _changes(sandbox) == []
        await world.click("you", confirm, "hostbot_confirm", action_ts="9.2")
        await wait_for(lambda: _changes(sandbox))
        assert [c.path for c in _changes(sandbox)] == [f"/zoom/v2/meetings/{DEMO_ZOOM_README_ID}"]


async def test_hosting_nothing_gets_a_clear_answer_and_no_vendor_write(sandbox: Sandbox, tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as world:
        _start_zoom(sandbox, DEMO_ZOOM_ID)  # yours, not bob's
        [reply] = await _mention(world, "bob", "make @alice host", 3)
        assert reply["text"].startswith("Which meeting? You are not hosting a meeting right now that I can see")
        assert "“make @alice host of meeting 123456789”" in reply["text"]
        assert not [b for b in reply.get("blocks", []) if b["type"] == "actions"]  # nothing to press
        assert _changes(sandbox) == []


async def test_a_feishu_meeting_started_in_the_sandbox_is_this_meeting_until_it_ends(sandbox: Sandbox,
                                                                                     tmp_path: Path) -> None:
    async with feishu_world(sandbox, tmp_path) as world:
        store = world.runtime.bot.services.store
        you = world.user("you").open_id
        meeting = world.demo.feishu_meeting
        assert await store.running_meetings_of("feishu", you) == []
        # Feishu tells the bot (encrypted, signed) that the demo's meeting started
        for envelope in sandbox.feishu_events.take():
            assert (await world.push(envelope)).status_code == 200
        await wait_for(lambda: store.running_meetings_of("feishu", you))
        [row] = await store.running_meetings_of("feishu", you)
        assert (row["meeting_id"], row["number"], row["topic"]) == (meeting.id, "123456789", "Weekly sync")

        msg, resp = await world.ask("you", "@_user_1 把 @_user_2 设为主持人", BOT, world.user("alice"))
        assert resp.status_code == 200
        texts = await wait_for(lambda: world.texts(msg["message_id"]))
        assert texts[0].startswith("你正在主持的飞书会议 123 456 789“Weekly sync”：")
        assert world.set_host_calls() == [{"host_user": {"id": world.user("alice").open_id, "user_type": 1},
                                           "old_host_user": {"id": you, "user_type": 1}}]

        # hostbot made alice host: the index follows, so it is "this meeting" for her now
        assert [r["meeting_id"] for r in await store.running_meetings_of("feishu", world.user("alice").open_id)] == [
            meeting.id]
        # ... and alice, asking the same way, hands it back to you
        msg, _ = await world.ask("alice", "@_user_1 make @_user_2 host", BOT, world.user("you"))
        texts = await wait_for(lambda: [t for t in world.texts(msg["message_id"]) if "now host" in t])
        assert texts[0].startswith("Feishu meeting 123 456 789 “Weekly sync”, which you are hosting now:")
        assert [r["meeting_id"] for r in await store.running_meetings_of("feishu", you)] == [meeting.id]
        sandbox.feishu.end_meeting(meeting.id)
        [ended] = sandbox.feishu_events.take()
        assert ended["header"]["event_type"] == "vc.meeting.all_meeting_ended_v1"
        assert (await world.push(ended)).status_code == 200
        async def ended_here() -> bool:
            return not await store.running_meetings_of("feishu", you)

        await wait_for(ended_here)
        msg, _ = await world.ask("you", "@_user_1 make @_user_2 host", BOT, world.user("bob"))
        texts = await wait_for(lambda: world.texts(msg["message_id"]))
        assert texts[0].startswith("Which meeting?")
        assert len(world.set_host_calls()) == 2


async def test_a_named_vendor_is_the_only_one_asked(sandbox: Sandbox, tmp_path: Path) -> None:
    """Issue 25: "the webex meeting" never becomes the Zoom meeting the speaker happens to host now."""
    async with slack_world(sandbox, tmp_path) as world:
        _start_zoom(sandbox, DEMO_ZOOM_ID)
        [reply] = await _mention(world, "you", "make @bob co-host of the webex meeting", 1)
        assert "Zoom" not in reply["text"] and "Webex" in reply["text"], reply["text"]
        assert _changes(sandbox) == [] and sandbox.recorder.all("zoom.list_meetings") == []
