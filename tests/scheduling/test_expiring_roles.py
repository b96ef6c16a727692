"""Roles that expire: "make @bob co-host for 30 minutes", "make @alice host until 15:00" (issue 29).

End to end through signed Slack bodies and encrypted Feishu events against the sandbox's vendors, on a
clock the test moves: the change now (the vendor fake records it), and the change back when the time
comes (`run_due`, what the scheduler's timer calls) — a scheduled handover, listed, cancellable,
undone with the change, approved once with it, surviving a restart, and doing nothing (saying why)
when the world moved meanwhile.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.adapters.slack.home import CANCEL
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_ZOOM_ID
from bot.sandbox.feishu.im import BOT
from bot.sandbox.zoom import STARTED
from bot.scheduling.book import HandoverBook
from tests.support.feishu import FeishuWorld, feishu_world
from tests.support.slack import SlackWorld, wait_for
from tests.support.slack_views import home_click, home_opened, slack_world, texts

T0 = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
ZOOM = f"/zoom/v2/meetings/{DEMO_ZOOM_ID}"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _zoom_writes(sandbox: Sandbox) -> list[Any]:
    return [r.body for r in sandbox.recorder.all("zoom.update_meeting") if 200 <= r.status < 300 and r.path == ZOOM]


def _start_zoom(sandbox: Sandbox) -> None:
    with sandbox.zoom.lock:
        sandbox.zoom.meetings[DEMO_ZOOM_ID].status = STARTED


async def _mention(world: SlackWorld, who: str, text: str, n: int, count: int = 1) -> list[dict[str, Any]]:
    for name, user in world.users.items():
        text = text.replace(f"@{name}", f"<@{user.id}>")
    ts = f"1700001{n:03d}.000300"
    event = {"type": "app_mention", "user": world.users[who].id, "channel": world.channel.id,
             "text": f"<@{world.sandbox.slack.bot_user.id}> {text}", "ts": ts, "event_ts": ts}
    assert (await world.event(event, f"EvExp{n}")).status_code == 200
    return list(await wait_for(lambda: len(world.replies_in(ts)) >= count and world.replies_in(ts)))


async def _tick(world: SlackWorld, clock: Clock, to: datetime, thread: str) -> list[str]:
    """Move the clock to `to`, run what is due; the new messages in `thread`."""
    before = len(world.replies_in(thread))
    clock.at = to
    scheduler = world.runtime.bot.scheduler
    assert scheduler is not None
    await scheduler.run_due()
    return [m["text"] for m in world.replies_in(thread)[before:]]


def _who(world: SlackWorld, name: str) -> str:
    return f"<@{world.users[name].id}>"


async def test_co_host_for_30_minutes_is_removed_after_30_minutes(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = Clock(T0)
    async with slack_world(sandbox, tmp_path, clock) as world:
        _start_zoom(sandbox)
        bob = _who(world, "bob")
        [reply] = await _mention(world, "you", f"make @bob co-host of meeting {DEMO_ZOOM_ID} for 30 minutes", 1)
        text = reply["text"]
        assert text.startswith(f"✅ Made {bob} co-host of Zoom meeting 850 1234 5678."), text
        assert f"⏳ Until 15:30 (UTC+1) (in 30 min): then handover #1 removes {bob} as co-host." in text
        assert _zoom_writes(sandbox) == [{"settings": {"alternative_hosts": "bob@example.com"}}]
        thread = reply["thread_ts"]

        [listed] = await _mention(world, "you", "list handovers", 2)
        assert f"#1 · 15:30 (UTC+1) (in 30 min) · {bob} stops being co-host of Zoom meeting 850 1234 5678" \
            in listed["text"], listed["text"]

        [reminder] = await _tick(world, clock, T0 + timedelta(minutes=25), thread)  # reminded before (10 min)
        assert reminder.startswith(f"⏰ Reminder, {_who(world, 'you')} and {bob}: at 15:30 (UTC+1) (in 5 min) {bob} "
                                   "stops being co-host of Zoom meeting 850 1234 5678 (handover #1"), reminder
        assert len(_zoom_writes(sandbox)) == 1  # not yet
        [posted] = await _tick(world, clock, T0 + timedelta(minutes=30), thread)
        assert _zoom_writes(sandbox)[1:] == [{"settings": {"alternative_hosts": ""}}]
        assert sandbox.zoom.meetings[DEMO_ZOOM_ID].alternative_hosts == []
        assert "⏰ Handover #1 (due 15:30 (UTC+1)):" in posted, posted
        assert f"Removed {bob} as co-host of Zoom meeting 850 1234 5678" in posted, posted
        handover = await world.runtime.bot.scheduler.book.get(1)  # type: ignore[union-attr]
        assert handover is not None and (handover.status, handover.operation) == ("done", "remove_cohost")


async def test_a_co_host_removed_meanwhile_is_not_removed_again_and_the_thread_says_why(
        sandbox: Sandbox, tmp_path: Path) -> None:
    clock = Clock(T0)
    async with slack_world(sandbox, tmp_path, clock) as world:
        _start_zoom(sandbox)
        [reply] = await _mention(world, "you", f"make @bob co-host of meeting {DEMO_ZOOM_ID} for 30 minutes", 1)
        with sandbox.zoom.lock:  # somebody removes bob in Zoom itself meanwhile
            sandbox.zoom.meetings[DEMO_ZOOM_ID].alternative_hosts = []
        [posted] = await _tick(world, clock, T0 + timedelta(minutes=31), reply["thread_ts"])
        assert f"Nothing to put back: {_who(world, 'bob')} is no longer co-host of Zoom meeting 850 1234 5678" \
            in posted, posted
        assert len(_zoom_writes(sandbox)) == 1  # nothing written by the change back
        handover = await world.runtime.bot.scheduler.book.get(1)  # type: ignore[union-attr]
        assert handover is not None and (handover.status, handover.result) == ("done", "cohost_gone")


async def test_the_change_back_survives_a_restart(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = Clock(T0)
    async with slack_world(sandbox, tmp_path, clock) as first:
        _start_zoom(sandbox)
        [reply] = await _mention(first, "you", f"让 @bob 当 30 分钟联席主持人 {DEMO_ZOOM_ID}", 1)
        assert "⏳ Until 15:30 (UTC+1) (in 30 min): then handover #1 removes" in reply["text"], reply["text"]
        assert len(_zoom_writes(sandbox)) == 1
    # A new process on the same database (and the same sandbox), 40 minutes later
    clock = Clock(T0 + timedelta(minutes=40))
    async with slack_world(sandbox, tmp_path, clock, restart_of=first) as world:
        scheduler = world.runtime.bot.scheduler
        assert scheduler is not None
        [pending] = await scheduler.book.pending()
        assert (pending.id, pending.operation, pending.authority) == (1, "remove_cohost", "granted")
        await scheduler.run_due()  # what start() does first: due within the grace period -> run now
        await wait_for(lambda: len(_zoom_writes(sandbox)) == 2)
        assert _zoom_writes(sandbox)[1] == {"settings": {"alternative_hosts": ""}}
        done = await scheduler.book.get(1)
        assert done is not None and done.status == "done"


async def test_the_change_back_is_cancellable_and_then_nothing_is_removed(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = Clock(T0)
    async with slack_world(sandbox, tmp_path, clock) as world:
        _start_zoom(sandbox)
        [reply] = await _mention(world, "you", f"make @bob co-host of meeting {DEMO_ZOOM_ID} for 30 minutes", 1)
        [cancelled] = await _mention(world, "you", "cancel handover #1", 2)
        assert cancelled["text"].startswith(f"🗑 Handover #1 cancelled: {_who(world, 'bob')} stays co-host"), \
            cancelled["text"]
        assert await _tick(world, clock, T0 + timedelta(hours=1), reply["thread_ts"]) == []
        assert len(_zoom_writes(sandbox)) == 1
        assert sandbox.zoom.meetings[DEMO_ZOOM_ID].alternative_hosts == ["bob@example.com"]


async def test_the_change_back_is_on_the_home_tab_and_cancelled_from_there(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = Clock(T0)
    async with slack_world(sandbox, tmp_path, clock) as world:
        _start_zoom(sandbox)
        [reply] = await _mention(world, "you", f"make @bob co-host of meeting {DEMO_ZOOM_ID} for 30 minutes", 1)
        uid = world.users["bob"].id  # bob loses the role then: he sees it on his Home tab too
        assert (await home_opened(world, "bob", "EvExpHome1")).status_code == 200
        view = await wait_for(lambda: world.sandbox.slack.home_views.get(uid))
        assert f"#1 · 15:30 (UTC+1) (in 30 min) · <@{uid}> stops being co-host of Zoom meeting 850 1234 5678" \
            in texts(view), texts(view)
        assert (await home_opened(world, "you", "EvExpHome2")).status_code == 200
        await wait_for(lambda: world.sandbox.slack.home_views.get(world.users["you"].id))
        await home_click(world, "you", CANCEL, "1")
        book = world.runtime.bot.scheduler.book  # type: ignore[union-attr]
        await wait_for(lambda: _status_is(book, 1, "cancelled"))
        await _tick(world, clock, T0 + timedelta(hours=1), reply["thread_ts"])
        assert len(_zoom_writes(sandbox)) == 1  # only the change; bob stays co-host
        assert sandbox.zoom.meetings[DEMO_ZOOM_ID].alternative_hosts == ["bob@example.com"]


async def test_the_reminders_hand_over_now_ends_the_role_early(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = Clock(T0)
    async with slack_world(sandbox, tmp_path, clock) as world:
        _start_zoom(sandbox)
        [reply] = await _mention(world, "you", f"make @bob co-host of meeting {DEMO_ZOOM_ID} for 30 minutes", 1)
        thread = reply["thread_ts"]
        await _tick(world, clock, T0 + timedelta(minutes=21), thread)  # the reminder, 10 min before
        reminder = next(m for m in world.replies_in(thread) if m["text"].startswith("⏰ Reminder"))
        await world.click("you", reminder, "hostbot_handover_now")
        await wait_for(lambda: len(_zoom_writes(sandbox)) == 2)
        assert _zoom_writes(sandbox)[1] == {"settings": {"alternative_hosts": ""}}
        book = world.runtime.bot.scheduler.book  # type: ignore[union-attr]
        await wait_for(lambda: _status_is(book, 1, "done"))
        await _tick(world, clock, T0 + timedelta(minutes=31), thread)
        assert len(_zoom_writes(sandbox)) == 2  # it ran once


async def test_undo_of_the_change_cancels_its_change_back(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = Clock(T0)
    async with slack_world(sandbox, tmp_path, clock) as world:
        _start_zoom(sandbox)
        [reply] = await _mention(world, "you", f"make @bob co-host of meeting {DEMO_ZOOM_ID} for 30 minutes", 1)
        await world.click("you", reply, "hostbot_undo")
        undone = await wait_for(lambda: [m["text"] for m in world.replies_in(reply["thread_ts"])
                                         if "Handover #1, which was to put it back, is cancelled too." in m["text"]])
        assert undone
        assert [w["settings"]["alternative_hosts"] for w in _zoom_writes(sandbox)] == ["bob@example.com", ""]
        handover = await world.runtime.bot.scheduler.book.get(1)  # type: ignore[union-attr]
        assert handover is not None and handover.status == "cancelled"
        assert await _tick(world, clock, T0 + timedelta(hours=1), reply["thread_ts"]) == []
        assert len(_zoom_writes(sandbox)) == 2


async def test_one_approval_covers_the_change_and_the_change_back(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = Clock(T0)
    async with slack_world(sandbox, tmp_path, clock) as world:
        _start_zoom(sandbox)
        [ask] = await _mention(world, "carol", f"make @bob co-host of meeting {DEMO_ZOOM_ID} for 30 minutes", 1)
        assert _zoom_writes(sandbox) == []
        assert f"{_who(world, 'bob')} becomes co-host of Zoom meeting 850 1234 5678 until 15:30 (UTC+1), then is " \
            "removed." in ask["text"], ask["text"]
        await world.click("you", ask, "hostbot_approve")
        await wait_for(lambda: _zoom_writes(sandbox))
        handover = await world.runtime.bot.scheduler.book.get(1)  # type: ignore[union-attr]
        assert handover is not None and handover.authority == "granted" and handover.requester == \
            world.users["carol"].id
        before = len(world.messages())
        posted = await _tick(world, clock, T0 + timedelta(minutes=30), ask["thread_ts"])
        assert _zoom_writes(sandbox)[1:] == [{"settings": {"alternative_hosts": ""}}], posted
        asked_again = [m for m in world.messages()[before:] if "Approve" in str(m.get("blocks", ""))]
        assert asked_again == []  # nobody was asked a second time


async def test_until_a_past_or_unreadable_time_is_answered_and_changes_nothing(sandbox: Sandbox,
                                                                               tmp_path: Path) -> None:
    clock = Clock(T0)  # 15:00 for the Slack user (UTC+1)
    async with slack_world(sandbox, tmp_path, clock) as world:
        _start_zoom(sandbox)
        [past] = await _mention(world, "you", f"make @bob co-host of meeting {DEMO_ZOOM_ID} until 9:00", 1)
        assert past["text"].startswith("2026-12-07 09:00 (UTC+1) has already passed (it is 2026-12-07 15:00 (UTC+1) "
                                       "now), so I changed nothing"), past["text"]
        [bad] = await _mention(world, "you", f"make @bob co-host of meeting {DEMO_ZOOM_ID} until 25:00", 2)
        assert bad["text"].startswith("I couldn't read “25:00” as the end of the change, so I changed nothing."), \
            bad["text"]
        [vague] = await _mention(world, "you", f"make @bob co-host of meeting {DEMO_ZOOM_ID} for a while", 3)
        assert vague["text"].startswith("I couldn't read “for a while” as the end of the change"), vague["text"]
        assert _zoom_writes(sandbox) == []
        assert await world.runtime.bot.scheduler.book.pending() == []  # type: ignore[union-attr]


async def _feishu_tick(world: FeishuWorld, clock: Clock, to: datetime, root: str) -> list[str]:
    before = len(world.texts(root))
    clock.at = to
    scheduler = world.runtime.bot.scheduler
    assert scheduler is not None
    await scheduler.run_due()
    return world.texts(root)[before:]


async def test_host_for_an_hour_goes_back_after_an_hour_in_chinese(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = Clock(T0)
    async with feishu_world(sandbox, tmp_path, clock, HOSTBOT_TZ="Asia/Shanghai") as world:
        you, alice = world.user("you").open_id, world.user("alice").open_id
        msg, resp = await world.ask("you", "@_user_1 把主持人给 @_user_2 一个小时 123456789", BOT, world.user("alice"))
        assert resp.status_code == 200
        [done] = await wait_for(lambda: world.texts(msg["message_id"]))
        assert "⏳ 直到 23:00 (UTC+8)（1 小时后）：届时定时交接 #1 会把主持人交还给 @you。" in done, done
        assert world.set_host_calls() == [{"host_user": {"id": alice, "user_type": 1},
                                           "old_host_user": {"id": you, "user_type": 1}}]
        posted = await _feishu_tick(world, clock, T0 + timedelta(hours=1), msg["message_id"])
        assert world.set_host_calls()[1:] == [{"host_user": {"id": you, "user_type": 1},
                                               "old_host_user": {"id": alice, "user_type": 1}}], posted
        assert any("定时交接 #1" in p for p in posted), posted


async def test_host_until_a_time_does_nothing_when_the_host_changed_meanwhile(sandbox: Sandbox,
                                                                               tmp_path: Path) -> None:
    clock = Clock(T0)
    async with feishu_world(sandbox, tmp_path, clock, HOSTBOT_TZ="UTC") as world:
        msg, _ = await world.ask("you", "@_user_1 make @_user_2 host until 15:00 of meeting 123456789", BOT,
                                 world.user("alice"))
        [done] = await wait_for(lambda: world.texts(msg["message_id"]))
        assert "Until 15:00 (UTC) (in 1 h): then handover #1 gives the host role back to @you." in done, done
        sandbox.feishu.change_host(world.demo.feishu_meeting.id, world.user("bob").open_id)  # in the Feishu client
        [posted] = await _feishu_tick(world, clock, T0 + timedelta(hours=1), msg["message_id"])
        assert "Not put back: @bob hosts Feishu meeting 123 456 789 now, not @alice as after my change" in posted, \
            posted
        assert len(world.set_host_calls()) == 1  # the change only; nothing written by the change back
        handover = await world.runtime.bot.scheduler.book.get(1)  # type: ignore[union-attr]
        assert handover is not None and (handover.status, handover.result) == ("conflict", "host_moved")


async def _status_is(book: HandoverBook, hid: int, status: str) -> bool:
    h = await book.get(hid)
    return h is not None and h.status == status
