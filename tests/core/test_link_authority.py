"""Links carry authority (issue 24, item 2), through signed Slack requests and encrypted Feishu events.

"this meeting" in a thread or channel means the linked meeting, and the next "make @alice host" there
acts on it: so linking needs someone who runs that meeting (or an admin, or the host's approval), and
replacing the link that applies there (a thread inherits its channel's) needs its owner, the linked
meeting's host, or an admin. `/host link N` typed in a channel links the channel.
"""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_ZOOM_ID
from bot.sandbox.feishu.im import BOT
from tests.support.feishu import feishu_world
from tests.support.operate import slack_world
from tests.support.slack import SlackWorld, wait_for


def _thread(slack: SlackWorld, root: str) -> list[str]:
    return [m.get("text", "") for m in slack.replies_in(root)]


async def test_a_stranger_cannot_point_the_hosts_channel_at_another_meeting(sandbox: Sandbox,
                                                                          tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as slack:
        store = slack.runtime.bot.services.store
        you, bob, alice = (slack.users[n].id for n in ("you", "bob", "alice"))
        bot_id, channel = sandbox.slack.bot_user.id, slack.channel.id
        feishu_meeting = slack.demo.feishu_meeting.id
        # the host links the channel to their Feishu meeting
        await slack.event({"type": "app_mention", "user": you, "channel": channel, "ts": "1700000099.000100",
                           "event_ts": "1700000099.000100",
                           "text": f"<@{bot_id}> link this channel to meeting 123456789"}, "EvLink0")
        await wait_for(lambda: store.link("slack", channel))
        assert (await store.link("slack", channel))["meeting_id"] == feishu_meeting  # type: ignore[index]

        # a thread in that channel; bob (who runs nothing) tries to point it at the host's Zoom meeting
        root = {"type": "message", "user": bob, "ts": "1700000100.000100", "text": "planning the all-hands"}
        slack.channel.messages.append(root)
        await slack.event({"type": "app_mention", "user": bob, "channel": channel, "ts": "1700000101.000100",
                           "thread_ts": root["ts"], "event_ts": "1700000101.000100",
                           "text": f"<@{bot_id}> link this thread to zoom meeting {DEMO_ZOOM_ID}"}, "EvLink1")
        asked = await wait_for(lambda: next((t for t in _thread(slack, root["ts"]) if "asks" in t), None))
        assert asked.startswith(f"<@{you}>, <@{bob}> asks: This thread will be linked to Zoom meeting 850 1234 5678 "
                                "instead of Feishu"), asked
        assert await store.link("slack", root["ts"]) is None  # nothing linked until the host approves

        # the host's next request in that thread acts on the channel's meeting, as linked by the host
        await slack.event({"type": "app_mention", "user": you, "channel": channel, "ts": "1700000102.000100",
                           "thread_ts": root["ts"], "event_ts": "1700000102.000100",
                           "text": f"<@{bot_id}> make <@{alice}|alice> host"}, "EvHost1")
        await wait_for(lambda: any("is now host" in t for t in _thread(slack, root["ts"])))
        assert sandbox.recorder.all("zoom.update_meeting") == []
        assert [r.body["host_user"]["id"] for r in sandbox.recorder.all("feishu.set_host")] == \
            [slack.demo.users["alice"].open_id]


async def test_host_link_typed_in_a_channel_links_the_channel(sandbox: Sandbox, tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as slack:
        store = slack.runtime.bot.services.store
        await slack.command("you", "link 123456789")  # a slash command: its answer starts a thread
        await wait_for(lambda: any("now linked" in m.get("text", "") for m in slack.messages()))
        row = await store.link("slack", slack.channel.id)
        assert row is not None and row["meeting_id"] == slack.demo.feishu_meeting.id
        assert "This channel is now linked" in next(m["text"] for m in slack.messages() if "now linked" in m["text"])


async def test_linking_a_meeting_you_do_not_run_waits_for_its_host(sandbox: Sandbox, tmp_path: Path) -> None:
    async with feishu_world(sandbox, tmp_path) as feishu:
        store = feishu.runtime.bot.services.store
        msg, _ = await feishu.ask("bob", "@_user_1 link this channel to meeting 123456789", BOT)
        cards = await wait_for(lambda: feishu.cards(msg["message_id"]))
        texts = feishu.texts(msg["message_id"])
        assert any(t.startswith("@you, @bob asks: This channel will be linked to Feishu meeting 123 456 789")
                   for t in texts), texts
        assert await store.link("feishu", msg["chat_id"]) is None
        await feishu.click("you", cards[-1], "approve")  # the host approves: the normal plan -> gate path
        await wait_for(lambda: store.link("feishu", msg["chat_id"]))
        row = await store.link("feishu", msg["chat_id"])
        assert row is not None and row["linked_by"] == feishu.user("bob").open_id
