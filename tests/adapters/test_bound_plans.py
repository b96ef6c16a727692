"""What a person saw is exactly what runs (issue 24): signed Slack bodies against the sandbox, asserted on
the requests the vendor fakes recorded.

1. an approval acts on the meeting it showed, though the thread was linked to another meeting meanwhile;
3. a Confirm of a reassign moves exactly the series it listed, not one created after the listing;
5. Undo belongs to the requester, the host who lost (who approved) and admins, never to the people only
   named in the change; a refused Undo (vendor 400) can be pressed again; once it acted, it is used;
6. a reminder's buttons are Plans decided as the person who clicked, and a due handover reads its
   meeting once.
"""

from __future__ import annotations

import copy
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_ZOOM_ID
from bot.sandbox.faults import Fault
from bot.sandbox.feishu.im import BOT
from tests.support.feishu import card_text, feishu_world, first_text
from tests.support.operate import slack_world
from tests.support.slack import SlackWorld, wait_for

NAMES = ("you", "alice", "bob", "carol", "dave", "erin")


@pytest.fixture
async def slack(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(sandbox, tmp_path, names=NAMES, admin="carol") as world:
        yield world


_events = iter(range(1, 10**6))


async def mention(slack: SlackWorld, user: str, text: str, ts: str = "", thread: str = "") -> str:
    """`user` @mentions hostbot in the channel (or in `thread`); the message's ts."""
    n = next(_events)
    ts = ts or f"17000{n:05d}.000100"
    event: dict[str, Any] = {"type": "app_mention", "user": slack.users[user].id, "channel": slack.channel.id,
                             "ts": ts, "text": f"<@{slack.sandbox.slack.bot_user.id}> {text}"}
    if thread:
        event["thread_ts"] = thread
    resp = await slack.event(event, f"EvBound{n}-{time.monotonic_ns()}")
    assert resp.status_code == 200
    return ts


def at(slack: SlackWorld, name: str) -> str:
    return f"<@{slack.users[name].id}>"


def with_button(slack: SlackWorld, action: str, after: int = 0) -> dict[str, Any] | None:
    """The latest message (from index `after` on) carrying the button `action`, as it was posted."""
    for message in reversed(slack.messages()[after:]):
        for block in message.get("blocks") or []:
            if block["type"] == "actions" and any(e["action_id"] == action for e in block["elements"]):
                return copy.deepcopy(message)
    return None


def mutating(slack: SlackWorld, op: str) -> list[Any]:
    return [r for r in slack.sandbox.recorder.all(op) if r.status < 300]


def said(slack: SlackWorld, needle: str) -> str | None:
    return next((m["text"] for m in slack.messages() if needle in m.get("text", "")), None)


# ---- 1. an approval acts on the meeting it showed ----------------------------------------------------
async def test_an_approval_acts_on_the_meeting_shown_after_the_thread_is_linked_elsewhere(slack: SlackWorld) -> None:
    box, store = slack.sandbox, slack.runtime.bot.services.store
    you, bob = slack.demo.users["you"], slack.demo.users["bob"]
    other = box.feishu.add_meeting(you, [bob], topic="Another of yours", meeting_no="987654321")
    await store.set_link("slack", slack.channel.id, "feishu", slack.meeting_id, linked_by=slack.users["you"].id)
    asked = await mention(slack, "bob", "make me host")
    ask = await wait_for(lambda: with_button(slack, "hostbot_approve"))
    assert "becomes host of Feishu meeting 123 456 789" in ask["text"]
    # Between the ask and the click the thread is linked to the host's other meeting (how it was
    # re-linked, and who may, is the link's own rule: here it simply changed).
    await store.set_link("slack", asked, "feishu", other.id, linked_by=slack.users["you"].id)
    await slack.click("you", ask, "hostbot_approve")
    done = await wait_for(lambda: said(slack, "is now host"))
    assert "Feishu meeting 123 456 789" in done
    calls = mutating(slack, "feishu.set_host")
    assert [(r.path.rsplit("/", 2)[-2], r.body["host_user"]["id"]) for r in calls] == [(slack.meeting_id, bob.open_id)]
    assert box.feishu.meetings[other.id].host[0] == you.open_id  # the other meeting: untouched


async def test_a_confirm_after_the_cohosts_changed_says_what_changed_and_asks_again(slack: SlackWorld) -> None:
    """An admin's Confirm of a Zoom co-host change whose alternative hosts changed meanwhile: nothing is
    written, the reply names the change, and a new Confirm carries the new state."""
    zoom = slack.sandbox.zoom
    await mention(slack, "you", f"make {at(slack, 'bob')} co-host of zoom meeting {DEMO_ZOOM_ID}")
    await wait_for(lambda: mutating(slack, "zoom.update_meeting"))
    await mention(slack, "carol", f"remove {at(slack, 'bob')} as co-host of zoom meeting {DEMO_ZOOM_ID}")
    ask = await wait_for(lambda: with_button(slack, "hostbot_confirm"))
    with zoom.lock:  # dave is added as co-host in Zoom's own app
        zoom.meetings[DEMO_ZOOM_ID].alternative_hosts = ["bob@example.com", "dave@example.com"]
    before = len(slack.messages())
    await slack.click("carol", ask, "hostbot_confirm")
    again = await wait_for(lambda: with_button(slack, "hostbot_confirm", after=before))
    assert again["text"].startswith("⚠️ Changed since you were asked; nothing was done:\n• the co-hosts of Zoom "
                                    f"meeting 850 1234 5678 are now {at(slack, 'bob')} and {at(slack, 'dave')} "
                                    f"(were {at(slack, 'bob')})")
    assert len(mutating(slack, "zoom.update_meeting")) == 1  # only the first addition
    await slack.click("carol", again, "hostbot_confirm")
    await wait_for(lambda: said(slack, "no longer co-host") or said(slack, "Removed"))
    assert zoom.meetings[DEMO_ZOOM_ID].alternative_hosts == ["dave@example.com"]


# ---- 3. a Confirm moves exactly what it listed -----------------------------------------------------------
async def test_a_reassign_confirm_moves_exactly_the_listed_series(slack: SlackWorld) -> None:
    webex = slack.sandbox.webex
    await mention(slack, "carol", f"reassign {at(slack, 'dave')}'s webex meetings to {at(slack, 'erin')}")
    ask = await wait_for(lambda: with_button(slack, "hostbot_confirm"))
    listed = sorted(m.id for m in webex.meetings_of("dave@example.com") if m.title != "Release planning")
    assert len(listed) == 2 and ask["text"].startswith("2 Webex meeting series of ")
    dave = webex.users["dave@example.com"]
    late = webex.add_meeting(dave, "Created after the listing")
    await slack.click("carol", ask, "hostbot_confirm")
    await wait_for(lambda: mutating(slack, "webex.reassign"))
    done = await wait_for(lambda: said(slack, "now hosts"))
    moved = [i for r in mutating(slack, "webex.reassign") for i in r.body["meetingIds"]]
    assert sorted(moved) == listed
    assert webex.meetings[late.id].host_email == "dave@example.com"
    assert "now hosts 2 Webex meeting series" in done


# ---- 5. Undo belongs to the right people -----------------------------------------------------------------
async def test_people_only_named_in_a_cohost_change_cannot_undo_it(slack: SlackWorld) -> None:
    zoom = slack.sandbox.zoom.meetings[DEMO_ZOOM_ID]
    await mention(slack, "you", f"make {at(slack, 'bob')} and {at(slack, 'dave')} co-hosts of zoom meeting "
                                f"{DEMO_ZOOM_ID}")
    added = await wait_for(lambda: with_button(slack, "hostbot_undo"))
    await slack.click("bob", added, "hostbot_undo")
    await wait_for(lambda: slack.channel.ephemeral)
    assert slack.channel.ephemeral[-1]["text"].startswith(f"Only {at(slack, 'you')} (or an admin) can undo this")
    assert zoom.alternative_hosts == ["bob@example.com", "dave@example.com"]
    before = len(slack.messages())
    await mention(slack, "you", f"remove {at(slack, 'bob')} as co-host of zoom meeting {DEMO_ZOOM_ID}")
    confirm = await wait_for(lambda: with_button(slack, "hostbot_confirm", after=before))  # bob loses it: confirmed
    await slack.click("you", confirm, "hostbot_confirm")
    removed = await wait_for(lambda: with_button(slack, "hostbot_undo", after=before))
    await slack.click("bob", removed, "hostbot_undo")
    await wait_for(lambda: len(slack.channel.ephemeral) == 2)
    assert zoom.alternative_hosts == ["dave@example.com"]
    assert len(mutating(slack, "zoom.update_meeting")) == 2  # the addition and the removal, no undo


async def test_the_host_who_approved_may_undo_and_the_new_host_may_not(slack: SlackWorld) -> None:
    feishu = slack.sandbox.feishu.meetings[slack.meeting_id]
    you, alice = slack.demo.users["you"].open_id, slack.demo.users["alice"].open_id
    await mention(slack, "bob", f"make {at(slack, 'alice')} host of meeting 123456789")
    ask = await wait_for(lambda: with_button(slack, "hostbot_approve"))
    await slack.click("you", ask, "hostbot_approve")
    done = await wait_for(lambda: with_button(slack, "hostbot_undo"))
    await slack.click("alice", done, "hostbot_undo", action_ts="9.1")  # alice was only named in it
    await wait_for(lambda: slack.channel.ephemeral)
    assert slack.channel.ephemeral[-1]["text"].startswith(
        f"Only {at(slack, 'bob')} and {at(slack, 'you')} (or an admin) can undo this")
    assert feishu.host[0] == alice
    await slack.click("you", done, "hostbot_undo", action_ts="9.2")  # the host who lost it, and approved
    await wait_for(lambda: said(slack, "Undone"))
    assert [r.body["host_user"]["id"] for r in mutating(slack, "feishu.set_host")] == [alice, you]


async def test_a_refused_undo_can_be_pressed_again_and_acts_once(slack: SlackWorld) -> None:
    you, alice = slack.demo.users["you"].open_id, slack.demo.users["alice"].open_id
    await mention(slack, "you", f"make {at(slack, 'alice')} host of meeting 123456789")
    done = await wait_for(lambda: with_button(slack, "hostbot_undo"))
    slack.sandbox.faults.arm(Fault("feishu.set_host", status=400, body={"code": 121005, "msg": "no permission"}))
    before = len(slack.messages())
    await slack.click("you", done, "hostbot_undo", action_ts="8.1")
    refused = await wait_for(lambda: with_button(slack, "hostbot_undo", after=before))
    assert refused["text"].startswith("❌")
    await slack.click("you", refused, "hostbot_undo", action_ts="8.2")
    await wait_for(lambda: said(slack, "Undone"))
    await slack.click("you", refused, "hostbot_undo", action_ts="8.3")  # acted once: used
    await wait_for(lambda: said(slack, "already used"))
    calls = [(r.body["host_user"]["id"], r.status) for r in slack.sandbox.recorder.all("feishu.set_host")]
    assert calls == [(alice, 200), (you, 400), (you, 200)]


# ---- 6. a reminder's buttons are Plans; a due handover reads its meeting once -----------------------------
class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.at


async def audited(slack: SlackWorld, event: str) -> list[tuple[str, str]]:
    rows = await slack.runtime.bot.services.store._rows(
        "SELECT chat_user, outcome FROM audit WHERE event = ? ORDER BY id", [event])
    return [(str(r["chat_user"]), str(r["outcome"])) for r in rows]


async def _approved_handover(slack: SlackWorld) -> Clock:
    """bob asks to hand the host to alice in 20 minutes; you (the host) approve; the reminder is posted."""
    clock = Clock()
    bot = slack.runtime.bot
    bot.services.clock = clock
    await mention(slack, "bob", f"hand host to {at(slack, 'alice')} in 20 minutes of meeting 123456789")
    ask = await wait_for(lambda: with_button(slack, "hostbot_approve"))
    await slack.click("you", ask, "hostbot_approve")
    await wait_for(lambda: said(slack, "Handover #1"))
    clock.at += timedelta(minutes=11)
    assert bot.scheduler is not None
    await bot.scheduler.run_due()
    await wait_for(lambda: with_button(slack, "hostbot_handover_now"))
    return clock


async def test_reminder_buttons_are_plans_decided_as_who_clicked(slack: SlackWorld) -> None:
    await _approved_handover(slack)
    before = len(slack.messages())
    reminder = with_button(slack, "hostbot_handover_cancel")
    assert reminder is not None
    await slack.click("you", reminder, "hostbot_handover_cancel")  # the host cancels bob's approved request
    await wait_for(lambda: said(slack, "cancelled: "))
    assert len(slack.messages()) > before
    store = slack.runtime.bot.services.store
    you = slack.users["you"].id
    assert await store._rows("SELECT status, detail FROM handovers WHERE id = 1") == [
        {"status": "cancelled", "detail": f"by {you}"}]
    assert (you, "cancelled") in await audited(slack, "outcome")
    assert mutating(slack, "feishu.set_host") == []


async def test_hand_over_now_runs_the_stored_plan_reading_the_meeting_once(slack: SlackWorld) -> None:
    await _approved_handover(slack)
    reminder = with_button(slack, "hostbot_handover_snooze")
    assert reminder is not None
    await slack.click("you", reminder, "hostbot_handover_snooze")
    snoozed = await wait_for(lambda: said(slack, "snoozed"))
    assert snoozed.startswith("😴 Handover #1 snoozed")
    you = slack.users["you"].id
    assert (you, "snoozed") in await audited(slack, "outcome")
    reads = len(slack.sandbox.recorder.all("feishu.get_meeting"))
    again = await wait_for(lambda: with_button(slack, "hostbot_handover_now", after=len(slack.messages()) - 1))
    await slack.click("you", again, "hostbot_handover_now")
    await wait_for(lambda: said(slack, "is now host"))
    alice = slack.demo.users["alice"].open_id
    assert [r.body["host_user"]["id"] for r in mutating(slack, "feishu.set_host")] == [alice]
    assert len(slack.sandbox.recorder.all("feishu.get_meeting")) - reads == 1  # one read of the meeting, then the call
    assert (you, "handover_now") in await audited(slack, "outcome")


async def test_feishu_approval_acts_on_the_meeting_shown_after_the_thread_is_linked_elsewhere(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Item 1 over encrypted Feishu events and card callbacks."""
    async with feishu_world(sandbox, tmp_path) as feishu:
        you, bob = feishu.user("you"), feishu.user("bob")
        other = sandbox.feishu.add_meeting(you, [bob], topic="B", meeting_no="987654321")
        store = feishu.runtime.bot.services.store
        chat = feishu.says("you", "hello")["chat_id"]
        await store.set_link("feishu", chat, "feishu", feishu.demo.feishu_meeting.id, linked_by=you.open_id)
        msg, _ = await feishu.ask("bob", "@_user_1 make me host", BOT)
        root = msg["message_id"]
        card = await wait_for(lambda: next((c for c in feishu.cards(root) if "can approve" in card_text(c)), None))
        assert "Feishu meeting 123 456 789" in card_text(card)
        await store.set_link("feishu", root, "feishu", other.id, linked_by=you.open_id)  # the thread moves to B
        await feishu.click("you", card, "approve")
        done = await wait_for(lambda: first_text(feishu.texts(root), "is now host"))
        await feishu.adapter.drain()
        assert "Feishu meeting 123 456 789" in done
        calls = [r for r in sandbox.recorder.all("feishu.set_host") if r.status < 300]
        assert [(r.path.split("/")[-2], r.body["host_user"]["id"]) for r in calls] == [
            (feishu.demo.feishu_meeting.id, bob.open_id)]
