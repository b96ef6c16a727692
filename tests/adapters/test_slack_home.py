"""The App Home tab end to end: a signed app_home_opened publishes the person's view (recorded by the
strict fake); its Cancel / Approve / Decline buttons go through the same paths as in a thread."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack.home import APPROVE, CANCEL, DECLINE
from bot.core.model.outcome import VendorUser
from bot.sandbox import Sandbox
from bot.sandbox.slack.views import view_problems
from bot.scheduling.book import HandoverBook
from tests.support.slack import SlackWorld, wait_for
from tests.support.slack_views import home_click, home_opened, slack_world, text_objects, texts


@pytest.fixture
async def slack(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(sandbox, tmp_path, HOSTBOT_ADMINS="carol@example.com") as world:
        yield world


def _published(slack: SlackWorld, user: str, count: int = 1) -> dict[str, Any]:
    """The Home view of `user` once the fake has accepted `count` publishes of it."""
    uid = slack.users[user].id
    wait = [r for r in slack.sandbox.recorder.all("slack.views.publish") if r.body.get("user_id") == uid and r.status]
    assert len(wait) >= count
    view = slack.sandbox.slack.home_views[uid]
    assert view_problems(view, "home") == []
    return view


async def _open_home(slack: SlackWorld, user: str, event_id: str, count: int = 1) -> dict[str, Any]:
    assert (await home_opened(slack, user, event_id)).status_code == 200
    uid = slack.users[user].id
    await wait_for(lambda: len([r for r in slack.sandbox.recorder.all("slack.views.publish")
                                if r.body.get("user_id") == uid and r.status]) >= count
                   and uid in slack.sandbox.slack.home_views)
    return _published(slack, user, count)


def _thread_text(slack: SlackWorld, thread: str) -> str:
    return "\n".join(m.get("text", "") for m in slack.replies_in(thread))


async def _schedule(slack: SlackWorld) -> str:
    """you schedule a handover to alice by typing it; the thread it was asked in."""
    alice = slack.users["alice"].id
    await slack.command("you", f"in 3 hours make <@{alice}|alice> host of meeting 123456789")
    await wait_for(lambda: any("#1" in m.get("text", "") for m in slack.messages()))
    return str(next(m for m in slack.messages() if "asked" in m.get("text", ""))["ts"])


async def test_home_shows_the_persons_handovers_and_cancel_from_home_works(slack: SlackWorld) -> None:
    thread = await _schedule(slack)
    view = await _open_home(slack, "you", "EvHome1")
    shown = texts(view)
    assert "#1 · " in shown and f"<@{slack.users['alice'].id}> becomes host of Feishu meeting" in shown
    cancel = next(b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == CANCEL)
    assert cancel["value"] == "1" and cancel["text"]["text"] == "Cancel"
    # alice receives it and sees it too; bob has nothing to do with it
    assert "#1 · " in texts(await _open_home(slack, "alice", "EvHome2"))
    assert "Nothing scheduled" in texts(await _open_home(slack, "bob", "EvHome3"))

    await home_click(slack, "you", CANCEL, "1")
    book = slack.runtime.bot.services.scheduler.book  # type: ignore[union-attr]
    await wait_for(lambda: _status_is(book, 1, "cancelled"))
    await wait_for(lambda: "cancelled" in _thread_text(slack, thread).lower())  # the handover's own thread
    again = await wait_for(lambda: "Nothing scheduled" in texts(slack.sandbox.slack.home_views[
        slack.users["you"].id]) and slack.sandbox.slack.home_views[slack.users["you"].id])
    assert "#1 · " not in texts(again)  # published again, without it
    assert slack.set_host_calls() == []


async def test_approving_from_home_runs_the_request_and_answers_in_its_thread(slack: SlackWorld) -> None:
    bob = slack.users["bob"].id
    await slack.command("bob", f"make <@{bob}|bob> host of meeting 123456789")
    ask = await wait_for(lambda: next((m for m in slack.messages() if m.get("blocks") and any(
        b["type"] == "actions" for b in m["blocks"])), None))
    pid = ask["blocks"][1]["elements"][0]["value"]
    view = await _open_home(slack, "you", "EvHome4")
    assert f"<@{bob}> asks: <@{bob}> becomes host of Feishu meeting 123 456 789" in texts(view)
    row = next(b for b in view["blocks"] if b.get("block_id") == f"approval_{pid}")
    assert [(e["action_id"], e["value"]) for e in row["elements"]] == [(APPROVE, pid), (DECLINE, pid)]
    assert "Nothing is waiting for you." in texts(await _open_home(slack, "bob", "EvHome5"))  # not bob's to answer

    await home_click(slack, "you", APPROVE, pid)
    await wait_for(lambda: "is now host" in _thread_text(slack, ask["thread_ts"]))
    assert [c["host_user"]["id"] for c in slack.set_host_calls()] == [slack.demo.users["bob"].open_id]
    await wait_for(lambda: "Nothing is waiting for you." in texts(slack.sandbox.slack.home_views[
        slack.users["you"].id]))
    # the same approval pressed again (from a stale tab): already used, no second change
    await home_click(slack, "you", APPROVE, pid, view=view)
    await wait_for(lambda: "already" in _thread_text(slack, ask["thread_ts"]))
    assert len(slack.set_host_calls()) == 1


async def test_decline_from_home_tells_the_requester(slack: SlackWorld) -> None:
    bob = slack.users["bob"].id
    await slack.command("bob", f"make <@{bob}|bob> host of meeting 123456789")
    ask = await wait_for(lambda: next((m for m in slack.messages() if m.get("blocks") and any(
        b["type"] == "actions" for b in m["blocks"])), None))
    pid = ask["blocks"][1]["elements"][0]["value"]
    await _open_home(slack, "you", "EvHome6")
    await home_click(slack, "you", DECLINE, pid)
    await wait_for(lambda: f"<@{bob}>" in _thread_text(slack, ask["thread_ts"])
                   and "declined" in _thread_text(slack, ask["thread_ts"]).lower())
    assert slack.set_host_calls() == []


async def test_linked_meetings_for_everyone_and_audit_rows_for_admins(slack: SlackWorld) -> None:
    store = slack.runtime.bot.services.store
    await store.set_link("slack", slack.channel.id, "feishu", slack.meeting_id, linked_by=slack.users["you"].id)
    other = slack.sandbox.slack.add_channel("elsewhere", [slack.users["bob"]])
    await store.set_link("slack", other.id, "feishu", "999", linked_by=slack.users["bob"].id)
    await slack.command("you", "who is host of meeting 123456789?")  # something in the audit
    await wait_for(lambda: len(slack.messages()) >= 2)
    mine = texts(await _open_home(slack, "you", "EvHome7"))
    assert f"<#{slack.channel.id}> → Feishu meeting {slack.meeting_id}" in mine
    assert f"<#{other.id}>" not in mine  # not a channel of yours
    assert "Latest audit rows" not in mine  # you are not an admin
    admin = texts(await _open_home(slack, "carol", "EvHome8"))  # HOSTBOT_ADMINS names carol's email
    assert "Latest audit rows (admins)" in admin and "who_is_host" in admin
    assert len([line for line in admin.split("\n") if " · " in line and "who_is_host" in line]) >= 1


async def test_home_opened_on_the_messages_tab_publishes_nothing(slack: SlackWorld) -> None:
    await home_opened(slack, "you", "EvHome9", tab="messages")
    await home_opened(slack, "you", "EvHome10")
    await wait_for(lambda: slack.sandbox.slack.home_views)
    assert len(slack.sandbox.recorder.all("slack.views.publish")) == 1


async def test_a_crowded_home_stays_within_slacks_limits(slack: SlackWorld) -> None:
    """60 handovers, 30 requests waiting and many long audit rows, seen by an admin: the strict fake
    takes the view (≤ 100 blocks, no text object over 3,000 characters) and lists end "…and N more"."""
    services = slack.runtime.bot.services
    book = services.scheduler.book  # type: ignore[union-attr]
    carol, alice = slack.users["carol"].id, slack.users["alice"].id
    due = datetime.now(UTC) + timedelta(hours=5)
    for i in range(60):
        await book.add(platform="slack", channel=slack.channel.id, thread="", requester=carol, lang="en", tz="UTC",
                 vendor="feishu", meeting_id=slack.meeting_id, meeting_display=f"123 456 789 {'x' * 200}",
                 host=VendorUser(slack.demo.users["you"].open_id), target=alice,
                 target_user=VendorUser(slack.demo.users["alice"].open_id), authority="requester",
                 due=due + timedelta(minutes=i), remind_at=None)
    for _ in range(30):
        await services.store.create_proposal(platform="slack", requester=carol, action="set_host",
                                             channel=slack.channel.id,
                                       payload={"kind": "approval", "on_behalf_of": alice, "summary": "y" * 400,
                                                "intent": {"intent": "set_host"}}, ttl=timedelta(hours=1))
    for _ in range(40):
        await services.store.audit(platform="slack", chat_user=carol, intent="set_host", event="request",
                                   detail="z" * 300,
                             vendor="feishu", meeting="m" * 400)
    crowded = await _open_home(slack, "carol", "EvCrowded")
    assert len(crowded["blocks"]) <= 100
    assert max(len(text) for text in text_objects(crowded)) <= 3000
    shown = texts(crowded)
    assert "…and 20 more" in shown  # handovers past the first 40
    assert "…and 10 more" in shown  # requests past the first 20
    assert "Latest audit rows (admins)" in shown and "more" in shown.rsplit("Latest audit rows", 1)[1]


async def _status_is(book: HandoverBook, hid: int, status: str) -> bool:
    h = await book.get(hid)
    return h is not None and h.status == status
