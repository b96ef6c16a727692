"""Scheduled handovers through the console, with a clock the test moves (no real waiting).

The bot runs against the sandbox as usual; `tick()` moves the Services clock and calls the
scheduler's run_due(), which is what its APScheduler jobs call when a time comes. What the
scheduler posts (reminders, reports) is printed by the console notifier into `posted()`.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.adapters.markup import console_text
from bot.app import HostBot, build
from bot.config import ConfigError, settings_from_mapping
from bot.core.model.events import ButtonClick, ChatMessage, Platform
from bot.devtools.demo import DemoWorld, link_people, seed
from bot.sandbox import Sandbox
from bot.sandbox.feishu.vc import P_LEFT
from bot.scheduling.book import Handover
from tests.support.undo import without_undo

ASK = "hand host to @alice at 16:00 of meeting 123456789"
BERLIN_14UTC = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 15:00 CET


class Clock:
    """The Services clock of these tests: it moves only when told to (None: real time)."""

    def __init__(self, at: datetime | None) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at or datetime.now(UTC)


@dataclass
class HW:
    sandbox: Sandbox
    demo: DemoWorld
    bot: HostBot
    console: ConsoleAdapter
    out: io.StringIO
    clock: Clock

    async def say(self, text: str, who: str = "you") -> str:
        self.console.user = who
        return await self.console.send(text)

    def posted(self) -> str:
        """What the scheduler posted since the last call."""
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return text.strip()

    async def tick_to(self, at: datetime) -> str:
        self.clock.at = at
        await self.bot.scheduler.run_due()
        return self.posted()

    def calls(self) -> list[object]:
        return [r.body for r in self.sandbox.recorder.all("feishu.set_host")]

    async def handover(self, hid: int = 1) -> Handover:
        h = await self.bot.scheduler.book.get(hid)
        assert h is not None
        return h

    def open_id(self, name: str) -> str:
        return self.demo.users[name].open_id

    def host_now(self) -> str:
        return self.sandbox.feishu.meetings[self.demo.feishu_meeting.id].host[0]


Factory = Callable[..., Awaitable[HW]]


@pytest.fixture
async def make_hw(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Factory]:
    """A bot on the demo world with a test clock; same `db` = the same store (a restart)."""
    bots: list[HostBot] = []
    demo_box: list[DemoWorld] = []

    async def make(start: datetime | None = BERLIN_14UTC, db: str = "h.db", **env: str) -> HW:
        if not demo_box:
            demo_box.append(seed(sandbox))
        demo = demo_box[0]
        settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / db),
                                          "HOSTBOT_TZ": "Europe/Berlin", "HOSTBOT_ADMINS": "carol", **env})
        clock = Clock(start)
        bot = build(settings, clock=clock)
        bots.append(bot)
        await link_people(bot, demo)
        out = io.StringIO()
        console = ConsoleAdapter(bot.dispatcher, user="you", out=out)
        bot.scheduler.attach("console", console)
        return HW(sandbox, demo, bot, console, out, clock)

    yield make
    for bot in bots:
        await bot.aclose()


@pytest.fixture
async def hw(make_hw: Factory) -> HW:
    return await make_hw()


def utc(hour: int, minute: int = 0, day: int = 2, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# ---- the happy path ------------------------------------------------------------------------------
async def test_scheduled_handover_reminds_then_runs_once_when_due(hw: HW) -> None:
    reply = await hw.say(ASK)
    assert reply == ("⏰ Handover #1 scheduled: at 16:00 (UTC+1) (in 1 h) @alice becomes host of Feishu meeting "
                     "123 456 789. I'll remind @you and @alice at 15:50 (UTC+1). To cancel: “cancel handover #1”.")
    row = (await hw.handover())
    assert (row.status, row.due, row.tz, row.requester, row.target) == ("pending", utc(15), "Europe/Berlin",
                                                                          "you", "alice")
    assert row.host is not None and row.host.id == hw.open_id("you")

    assert await hw.tick_to(utc(14, 49)) == ""
    reminder = await hw.tick_to(utc(14, 50))
    assert reminder == ("⏰ Reminder, @you and @alice: at 16:00 (UTC+1) (in 10 min) @alice becomes host of Feishu "
                        "meeting 123 456 789 (handover #1, scheduled by @you).\n"
                        "[1] Hand over now   [2] Snooze 5 min   [3] Cancel")
    assert await hw.tick_to(utc(14, 55)) == ""  # reminded once
    assert hw.calls() == []

    report = await hw.tick_to(utc(15))
    assert without_undo(report) == \
               "⏰ Handover #1 (due 16:00 (UTC+1)):\n✅ @alice is now host of Feishu meeting 123 456 789."
    assert hw.calls() == [{"host_user": {"id": hw.open_id("alice"), "user_type": 1},
                           "old_host_user": {"id": hw.open_id("you"), "user_type": 1}}]
    assert (await hw.handover()).status == "done"
    assert await hw.tick_to(utc(15, 1)) == ""
    assert len(hw.calls()) == 1
    audit = [(r["intent"], r["event"], r["outcome"]) for r in await hw.bot.services.store.audit_rows()]
    assert ("schedule_handover", "outcome", "scheduled") in audit
    assert ("set_host", "decision", "confirmed") in audit and ("set_host", "outcome", "ok") in audit


async def test_no_reminder_when_due_sooner_than_the_lead(hw: HW) -> None:
    reply = await hw.say("in 5 minutes hand host to @alice of meeting 123456789")
    assert "at 15:05 (UTC+1) (in 5 min)" in reply
    assert "It is less than 10 min away, so there will be no reminder." in reply
    assert await hw.tick_to(utc(14, 4)) == ""
    assert "is now host" in await hw.tick_to(utc(14, 5))


async def test_lead_time_is_configurable(make_hw: Factory) -> None:
    hw = await make_hw(HOSTBOT_HANDOVER_LEAD_MIN="30")
    assert "I'll remind @you and @alice at 15:30 (UTC+1)." in await hw.say(ASK)
    assert "Reminder" in await hw.tick_to(utc(14, 30))


@pytest.mark.parametrize("value", ["soon", "-5", "nan", "99999"])
def test_bad_lead_or_grace_setting_says_which(value: str) -> None:
    with pytest.raises(ConfigError, match="HOSTBOT_HANDOVER_GRACE_MIN"):
        settings_from_mapping({"HOSTBOT_HANDOVER_GRACE_MIN": value})


async def test_chinese_schedule_and_list_in_the_readers_zone(make_hw: Factory) -> None:
    hw = await make_hw(HOSTBOT_TZ="Asia/Shanghai")  # 14:00 UTC = 22:00 CST
    reply = await hw.say("20分钟后把主持人交给 @alice 123456789")
    assert reply.startswith("⏰ 已设置定时交接 #1：22:20 (UTC+8)（20 分钟后）@alice 将成为飞书会议 123 456 789 "
                            "的主持人。")
    assert "距离交接不到 10 分钟" not in reply and "我会在 22:10 (UTC+8) 提醒 @you 和 @alice。" in reply
    listing = await hw.say("列出交接")
    assert listing == ("你的定时交接：\n"
                       "#1 · 22:20 (UTC+8)（20 分钟后）· @alice 成为飞书会议 123 456 789 的主持人 · 由 @you 设置")
    done = await hw.tick_to(utc(14, 20))
    assert "定时交接 #1（22:20 (UTC+8)）：\n✅ 已将 @alice 设为飞书会议 123 456 789 的主持人。" in done


# ---- the reminder's buttons ---------------------------------------------------------------------
async def test_snooze_moves_it_five_minutes_and_offers_the_buttons_again(hw: HW) -> None:
    await hw.say(ASK)
    await hw.tick_to(utc(14, 50))
    hw.clock.at = utc(14, 51)
    snoozed = await hw.say("2")
    assert snoozed == ("😴 Handover #1 snoozed: @alice becomes host of Feishu meeting 123 456 789 at 16:05 (UTC+1) "
                       "(in 14 min).\n[1] Hand over now   [2] Snooze 5 min   [3] Cancel")
    assert await hw.tick_to(utc(15)) == ""
    assert hw.calls() == []
    assert "is now host" in await hw.tick_to(utc(15, 5))
    assert len(hw.calls()) == 1


async def test_cancel_button_cancels_and_nothing_runs(hw: HW) -> None:
    await hw.say(ASK)
    await hw.tick_to(utc(14, 50))
    assert await hw.say("3") == ("🗑 Handover #1 cancelled: @alice will not become host of Feishu meeting "
                                 "123 456 789 at 16:00 (UTC+1).")
    assert await hw.tick_to(utc(15, 30)) == ""
    assert hw.calls() == [] and (await hw.handover()).status == "cancelled"
    assert await hw.say("list handovers") == "You have no scheduled handovers."


async def test_only_the_requester_can_press_the_reminder_buttons(hw: HW) -> None:
    await hw.say(ASK)
    await hw.tick_to(utc(14, 50))
    assert await hw.say("1", who="alice") == "Only @you can use this button."
    assert hw.calls() == []
    assert "is now host" in await hw.say("1")


@pytest.mark.parametrize("first", ["click", "timer"])
async def test_hand_over_now_racing_the_timer_makes_one_vendor_call(hw: HW, first: str) -> None:
    await hw.say(ASK)
    await hw.tick_to(utc(14, 50))
    hw.sandbox.faults.set_latency("feishu.set_host", 0.2)  # the first one is still at the vendor ...
    hw.clock.at = utc(15)
    hw.console.user = "you"
    # the first one has claimed the run (it is at the vendor) when the other one starts: the store is awaited
    # now, so which of two started in the same instant claims first is the database's to decide
    if first == "click":
        click = asyncio.create_task(hw.console.send("1"))
        await _claimed(hw)
        await hw.bot.scheduler.run_due()
        clicked = await click
    else:  # ... when the other one tries
        timer_run = asyncio.create_task(hw.bot.scheduler.run_due())
        await _claimed(hw)
        clicked = await hw.console.send("1")
        await timer_run
    timer = hw.posted()
    assert len(hw.calls()) == 1
    assert hw.host_now() == hw.open_id("alice")
    if first == "click":
        assert without_undo(clicked) == ("⏰ Handover #1 (due 16:00 (UTC+1)), run now as @you asked:\n"
                                         "✅ @alice is now host of Feishu meeting 123 456 789.")
        assert timer == ""  # the timer found nothing pending
    else:
        assert without_undo(timer) == \
            "⏰ Handover #1 (due 16:00 (UTC+1)):\n✅ @alice is now host of Feishu meeting 123 456 789."
        assert clicked == "Handover #1 is running right now; nothing was done."
    assert (await hw.handover()).status == "done"


async def test_two_schedulers_on_one_store_make_one_call(make_hw: Factory) -> None:
    first = await make_hw()
    await first.say(ASK)
    second = await make_hw()  # another process on the same database
    hw_time = utc(15)
    first.clock.at = second.clock.at = hw_time
    first.sandbox.faults.set_latency("feishu.set_host", 0.2)
    await asyncio.gather(first.bot.scheduler.run_due(), second.bot.scheduler.run_due(),
                         first.bot.scheduler.run_due())
    assert len(first.calls()) == 1
    assert (first.posted() + second.posted()).count("is now host") == 1


# ---- re-check when due ------------------------------------------------------------------------
async def test_meeting_ended_when_due_is_reported_and_nothing_is_called(hw: HW) -> None:
    await hw.say(ASK)
    hw.sandbox.feishu.end_meeting(hw.demo.feishu_meeting.id)
    report = await hw.tick_to(utc(15))
    assert report == ("⏰ Handover #1 (due 16:00 (UTC+1)):\n❌ Not done: Feishu meeting 123 456 789 is no longer in "
                      "progress. Nothing was changed.")
    assert hw.calls() == [] and (await hw.handover()).status == "failed"


async def test_host_changed_when_due_reports_the_conflict_and_retry_goes_through_policy(hw: HW) -> None:
    await hw.say(ASK)
    hw.sandbox.feishu.change_host(hw.demo.feishu_meeting.id, hw.open_id("bob"))
    report = await hw.tick_to(utc(15))
    assert report == ("⏰ Handover #1 (due 16:00 (UTC+1)):\n⚠️ The host of Feishu meeting 123 456 789 changed "
                      "meanwhile: it is now @bob. Retry with @bob as the current host?\n[1] Retry   [2] Cancel")
    assert hw.calls() == [] and (await hw.handover()).status == "conflict"
    # you are not host any more: the Retry asks bob, the host now, for approval
    assert (await hw.say("1")).startswith("@bob, @you asks: @alice becomes host of Feishu meeting 123 456 789; "
                                          "@bob stops being host.")
    assert hw.calls() == []
    assert without_undo(await hw.say("1", who="bob")) == "✅ @alice is now host of Feishu meeting 123 456 789."
    assert len(hw.calls()) == 1


async def test_target_who_left_the_meeting_gets_a_clear_reply(hw: HW) -> None:
    await hw.say(ASK)
    hw.sandbox.feishu.set_participant(hw.demo.feishu_meeting.id, hw.open_id("alice"), P_LEFT)
    report = await hw.tick_to(utc(15))
    assert report.startswith("⏰ Handover #1 (due 16:00 (UTC+1)):\n❌ Could not make @alice host of Feishu meeting "
                             "123 456 789:")
    assert "not in the meeting" in report
    assert (await hw.handover()).status == "failed" and (await hw.handover()).result == "invalid"


async def test_target_already_host_when_due_needs_no_call(hw: HW) -> None:
    await hw.say(ASK)
    hw.sandbox.feishu.change_host(hw.demo.feishu_meeting.id, hw.open_id("alice"))
    assert "✅ @alice is host of Feishu meeting 123 456 789 already; nothing to do." in await hw.tick_to(utc(15))
    assert hw.calls() == [] and (await hw.handover()).status == "done"


# ---- restarts, missed, crashes ------------------------------------------------------------------
async def test_missed_beyond_grace_is_reported_never_run_late(make_hw: Factory) -> None:
    before = await make_hw()
    await before.say(ASK)
    await before.bot.aclose()  # hostbot goes down before 16:00 and comes back at 16:20
    after = await make_hw(start=utc(15, 20))
    await after.bot.scheduler.run_due()
    missed = after.posted()
    assert missed == ("⚠️ Handover #1 was missed: @alice was to become host of Feishu meeting 123 456 789 at "
                      "16:00 (UTC+1), but hostbot was not running then, and it is now 16:20 (UTC+1), more than 15 min "
                      "late. Nothing was changed. Hand over now anyway?\n[1] Hand over now   [2] Cancel")
    assert after.calls() == [] and (await after.handover()).status == "missed"
    assert await after.tick_to(utc(15, 30)) == ""
    assert "run now as @you asked:\n✅ @alice is now host" in await after.say("1")
    assert len(after.calls()) == 1


async def test_missed_within_grace_runs_now_and_says_how_late(make_hw: Factory) -> None:
    before = await make_hw()
    await before.say(ASK)
    await before.bot.aclose()
    after = await make_hw(start=utc(15, 5))
    await after.bot.scheduler.run_due()
    assert after.posted() == ("⏰ Handover #1 (due 16:00 (UTC+1); run 5 min late because hostbot was not running):\n"
                              "✅ @alice is now host of Feishu meeting 123 456 789.\n"
                              "Changed by mistake? Undo until 16:15 (UTC+1).\n[1] Undo")
    assert len(after.calls()) == 1
    assert await after.say("1") == "↩️ Undone: @you is host of Feishu meeting 123 456 789 again."
    assert len(after.calls()) == 2  # a handover that ran can be undone like any host change


async def test_late_while_hostbot_ran_never_says_it_was_not_running(make_hw: Factory) -> None:
    hw = await make_hw()  # up since 15:00 (UTC+1); the handover is due at 16:00
    await hw.say(ASK)
    report = await hw.tick_to(utc(15, 5))  # the pass ran 5 min late (held up), the process never stopped
    assert "⏰ Handover #1 (due 16:00 (UTC+1); run 5 min late: earlier vendor calls held it up, e.g. a rate " \
           "limit or an outage):\n✅ @alice is now host" in report and "not running" not in report


async def test_missed_while_hostbot_ran_says_what_held_it_up(make_hw: Factory) -> None:
    hw = await make_hw()
    await hw.say(ASK)
    missed = await hw.tick_to(utc(15, 20))
    assert "but earlier vendor calls held it up (e.g. a rate limit or an outage), and it is now 16:20 (UTC+1)" \
        in missed and "not running" not in missed


async def test_grace_is_configurable(make_hw: Factory) -> None:
    before = await make_hw()
    await before.say(ASK)
    after = await make_hw(start=utc(15, 5), HOSTBOT_HANDOVER_GRACE_MIN="2")
    await after.bot.scheduler.run_due()
    assert "was missed" in after.posted() and after.calls() == []


def _dead_owner() -> str:
    """The claim mark of a process on this machine that has exited (as after kill -9)."""
    proc = subprocess.run(["true"], check=True)
    del proc
    gone = subprocess.Popen(["true"])
    gone.wait()
    return f"{socket.gethostname()}:{gone.pid}:0ld"


async def test_run_cut_short_after_the_call_is_finished_without_a_second_call(make_hw: Factory) -> None:
    hw = await make_hw()
    await hw.say(ASK)
    hw.clock.at = utc(15)
    # a process claimed #1, its set_host went through, and it was killed before writing the result
    assert await hw.bot.scheduler.book.claim(1, _dead_owner())
    hw.sandbox.feishu.change_host(hw.demo.feishu_meeting.id, hw.open_id("alice"))
    restarted = await make_hw(start=utc(15, 1))
    await restarted.bot.scheduler.run_due()
    assert "✅ @alice is host of Feishu meeting 123 456 789 already; nothing to do." in restarted.posted()
    assert hw.calls() == [] and (await restarted.handover(1)).status == "done"


async def test_run_cut_short_before_the_call_is_made_once_after_restart(make_hw: Factory) -> None:
    hw = await make_hw()
    await hw.say(ASK)
    hw.clock.at = utc(15)
    assert await hw.bot.scheduler.book.claim(1, _dead_owner())
    restarted = await make_hw(start=utc(15, 1))
    await asyncio.gather(restarted.bot.scheduler.run_due(), restarted.bot.scheduler.run_due())
    assert "✅ @alice is now host" in restarted.posted()
    assert len(hw.calls()) == 1 and (await restarted.handover(1)).status == "done"


async def test_claim_of_a_live_process_is_left_alone_until_stale(make_hw: Factory) -> None:
    hw = await make_hw()
    await hw.say(ASK)
    hw.clock.at = utc(15)
    alive = f"{socket.gethostname()}:{os.getppid()}:x"  # our parent: alive, as if still running it
    assert await hw.bot.scheduler.book.claim(1, alive)
    assert await hw.tick_to(utc(15, 5)) == "" and hw.calls() == []
    assert (await hw.handover()).status == "running"
    assert "✅ @alice is now host" in await hw.tick_to(utc(15, 11))  # claimed 11 min ago: stale, taken over
    assert len(hw.calls()) == 1


async def test_claim_from_an_earlier_life_of_this_pid_is_taken_over(make_hw: Factory) -> None:
    hw = await make_hw()
    await hw.say(ASK)
    hw.clock.at = utc(15)
    # a container restart
    assert await hw.bot.scheduler.book.claim(1, f"{socket.gethostname()}:{os.getpid()}:other-boot")
    assert "✅ @alice is now host" in await hw.tick_to(utc(15))
    assert len(hw.calls()) == 1


async def test_interrupted_run_found_after_the_grace_period_is_reported_missed(make_hw: Factory) -> None:
    hw = await make_hw()
    await hw.say(ASK)
    hw.clock.at = utc(15)
    assert await hw.bot.scheduler.book.claim(1, _dead_owner())
    restarted = await make_hw(start=utc(15, 30))
    await restarted.bot.scheduler.run_due()
    assert "⚠️ Handover #1 was missed" in restarted.posted()
    assert hw.calls() == [] and (await restarted.handover(1)).status == "missed"


async def test_pending_handovers_survive_a_restart_and_the_real_timer_fires(make_hw: Factory) -> None:
    """The one test on real time: APScheduler's date job, rebuilt from the store at start, fires."""
    before = await make_hw(start=None)
    await before.say("in 2 seconds hand host to @alice of meeting 123456789")
    await before.bot.aclose()  # nothing was started: only the store knows about it
    after = await make_hw(start=None)
    await after.bot.start()
    assert after.bot.scheduler.running
    assert after.calls() == []  # not due yet at start: only its rebuilt job can run it
    report = await _within(10.0, lambda: "is now host" in after.out.getvalue())
    assert report and len(after.calls()) == 1


async def _within(seconds: float, condition: Callable[[], bool]) -> bool:
    """Poll `condition` for at most `seconds` (bounded wait for the real timer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


# ---- list and cancel ------------------------------------------------------------------------------
async def test_list_shows_own_handovers_and_admins_see_all(hw: HW) -> None:
    await hw.say(ASK)
    await hw.say("in 2 hours hand host to @bob of meeting 123456789")
    assert await hw.say("list handovers", who="dave") == "You have no scheduled handovers."
    mine = await hw.say("list my handovers")
    assert mine == ("Your scheduled handovers:\n"
                    "#1 · 16:00 (UTC+1) (in 1 h) · @alice becomes host of Feishu meeting 123 456 789 · by @you\n"
                    "#2 · 17:00 (UTC+1) (in 2 h) · @bob becomes host of Feishu meeting 123 456 789 · by @you")
    assert (await hw.say("list handovers", who="alice")).count("\n") == 1  # alice is the target of #1 only
    assert (await hw.say("list handovers", who="carol")).startswith("Scheduled handovers:\n#1")


async def test_cancel_by_id_by_time_and_by_target(hw: HW) -> None:
    await hw.say(ASK)
    await hw.say("hand host to @bob at 17:00 of meeting 123456789")
    await hw.say("hand host to @carol at 18:00 of meeting 123456789")
    assert (await hw.say("cancel handover #2")).startswith("🗑 Handover #2 cancelled: @bob will not become host")
    assert (await hw.say("cancel the 18:00 handover")).startswith("🗑 Handover #3 cancelled: @carol")
    assert (await hw.say("cancel the handover to @alice")).startswith("🗑 Handover #1 cancelled: @alice")
    assert await hw.say("cancel handover #2") == "Handover #2 was cancelled; nothing was done."
    assert await hw.say("cancel handover #99") == ("I found no pending handover #99. Say “list handovers” to "
                                                   "see them.")
    assert await hw.tick_to(utc(18)) == "" and hw.calls() == []


async def test_a_handover_named_by_what_no_handover_is_cancels_nothing(hw: HW) -> None:
    """An id no handover can have, or another meeting's number, is answered "not found": it never falls back on
    the one pending handover (it did: "取消交接 3a" and "cancel handover 987654321" both cancelled #1)."""
    await hw.say(ASK)  # #1, meeting 123456789
    assert await hw.say("取消交接 3a") == "没有找到 #3a 的待执行定时交接。发送“列出交接”查看全部。"
    assert await hw.say("取消第10000个交接") == "没有找到 #10000 的待执行定时交接。发送“列出交接”查看全部。"
    assert await hw.say("cancel handover #" + "1" * 26) == (f"I found no pending handover #{'1' * 26}. "
                                                             "Say “list handovers” to see them.")
    assert await hw.say("cancel the handover of meeting 987654321") == (
        "I found no pending handover for meeting 987654321. Say “list handovers” to see them.")
    assert (await hw.handover()).status == "pending"
    assert (await hw.say("cancel the handover of meeting 123456789")).startswith("🗑 Handover #1 cancelled")
    assert await hw.tick_to(utc(17)) == "" and hw.calls() == []


async def test_cancel_without_saying_which_asks_when_several(hw: HW) -> None:
    await hw.say(ASK)
    await hw.say("hand host to @bob at 17:00 of meeting 123456789")
    which = await hw.say("cancel my handover")
    assert which.startswith("Several handovers match: #1 · 16:00 (UTC+1)")
    assert which.endswith("Say which one, e.g. “cancel handover #1”.")
    assert await hw.say("cancel all handovers") == "🗑 Cancelled 2 handovers: #1, #2."


async def test_cancelling_someone_elses_handover_asks_first(hw: HW) -> None:
    await hw.say(ASK)
    confirm = await hw.say("cancel handover #1", who="carol")  # an admin
    assert confirm == ("Handover #1 of @you is cancelled: @alice will not become host of Feishu meeting "
                       "123 456 789 at 16:00 (UTC+1).\nGo ahead?\n[1] Confirm   [2] Cancel")
    assert (await hw.handover()).status == "pending"
    assert (await hw.say("1", who="carol")).startswith("🗑 Handover #1 cancelled")
    assert (await hw.handover()).status == "cancelled"


async def test_stranger_cancelling_needs_the_hosts_approval(hw: HW) -> None:
    await hw.say(ASK)
    ask = await hw.say("cancel handover #1", who="dave")
    assert ask.startswith("@you, @dave asks: Handover #1 of @you is cancelled")
    assert ask.endswith("[1] Approve   [2] Decline")
    assert await hw.say("2") == "@you declined; nothing was changed."
    assert (await hw.handover()).status == "pending"


async def test_non_host_scheduling_needs_approval_and_then_runs_as_approved(hw: HW) -> None:
    ask = await hw.say("hand host to me at 16:00 of meeting 123456789", who="bob")
    assert ask.startswith("@you, @bob asks: At 16:00 (UTC+1), @bob becomes host of Feishu meeting 123 456 789; "
                          "@you stops being host.")
    assert await hw.bot.scheduler.book.pending() == []
    assert (await hw.say("1")).startswith("⏰ Handover #1 scheduled: at 16:00 (UTC+1) (in 1 h) @bob becomes host")
    assert (await hw.handover()).authority == "approved" and (await hw.handover()).requester == "bob"
    assert "✅ @bob is now host" in await hw.tick_to(utc(15))
    assert len(hw.calls()) == 1


async def test_approved_later_the_handover_keeps_the_requesters_time_zone(hw: HW) -> None:
    ask = ChatMessage(Platform.CONSOLE, "bob", "hand host to me at 23:00 of meeting 123456789", channel="c",
                      thread="t", message_id="m1", tz="Asia/Shanghai")  # bob's profile zone: 23:00 CST
    replies = await hw.bot.dispatcher.handle_message(ask)
    approve = replies[0].buttons[0]
    done = await hw.bot.dispatcher.handle_click(ButtonClick(Platform.CONSOLE, "you", approve.action, approve.value,
                                                            "k1"))
    assert console_text(done[0].text).startswith("⏰ Handover #1 scheduled: at 23:00 (UTC+8) (in 1 h) @bob "
                                                 "becomes host")
    assert (await hw.handover()).tz == "Asia/Shanghai" and (await hw.handover()).due == utc(15)


async def test_admin_scheduling_a_handover_away_from_the_host_confirms_first(hw: HW) -> None:
    ask = await hw.say(ASK, who="carol")
    assert ask == ("At 16:00 (UTC+1), @alice becomes host of Feishu meeting 123 456 789; @you stops being host.\n"
                   "Go ahead?\n[1] Confirm   [2] Cancel")
    assert (await hw.say("1", who="carol")).startswith("⏰ Handover #1 scheduled")
    assert "is now host" in await hw.tick_to(utc(15))


# ---- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "reply"), [
    ("hand host at 16:00 of meeting 123456789", "Who should become host, and when?"),
    ("hand host to @alice at 9:00 of meeting 123456789", "2026-03-02 09:00 (UTC+1) has already passed"),
    ("hand host to @alice tomorrow of meeting 123456789", "“tomorrow” needs a time of day too"),
    ("hand host to @nobody at 16:00 of meeting 123456789", "I don't know who @nobody is."),
    # nothing named or linked: the meeting you run now (the demo's DingTalk one: no host transfer there)
    ("hand host to @alice at 16:00", "“Design review”, which you are hosting now:\nI can't schedule that"),
    ("hand host to @you at 16:00 of meeting 123456789", "@you is already host of Feishu meeting 123 456 789"),
    ("cancel handover", "I found no pending handover of yours."),
])
async def test_bad_requests_get_clear_replies(hw: HW, text: str, reply: str) -> None:
    assert reply in await hw.say(text)
    assert await hw.bot.scheduler.book.pending() == []


async def test_same_handover_twice_is_not_scheduled_twice(hw: HW) -> None:
    await hw.say(ASK)
    assert (await hw.say(ASK)).startswith("Handover #1 already does that: at 16:00 (UTC+1) @alice becomes host")
    assert len(await hw.bot.scheduler.book.pending()) == 1


async def test_ended_meeting_cannot_get_a_handover(hw: HW) -> None:
    hw.sandbox.feishu.end_meeting(hw.demo.feishu_meeting.id)
    assert await hw.say(ASK) == ("Feishu meeting 123 456 789 is not in progress, so there is no host to hand "
                                 "over.")


# ---- time zones and DST ---------------------------------------------------------------------------
NY = {"HOSTBOT_TZ": "America/New_York"}


async def test_time_in_the_spring_forward_gap_is_refused(make_hw: Factory) -> None:
    hw = await make_hw(start=utc(5, day=9, year=2025), **NY)  # 2025-03-09 00:00 EST
    reply = await hw.say("hand host to @alice at 2:30 of meeting 123456789")
    assert reply == ("2025-03-09 02:30 does not exist in America/New_York: the clocks skip that hour "
                     "(daylight saving). Pick another time.")
    assert await hw.bot.scheduler.book.pending() == []


async def test_relative_time_across_spring_forward_is_elapsed_time(make_hw: Factory) -> None:
    hw = await make_hw(start=utc(6, 50, day=9, year=2025), **NY)  # 01:50 EST; at 02:00 clocks jump to 03:00
    reply = await hw.say("in 20 minutes hand host to @alice of meeting 123456789")
    assert "at 03:10 (UTC-4) (in 20 min)" in reply
    assert (await hw.handover()).due == utc(7, 10, day=9, year=2025)
    assert "is now host" in await hw.tick_to(utc(7, 10, day=9, year=2025))


async def test_time_in_the_autumn_overlap_asks_for_the_offset_and_then_runs_at_the_right_instant(
        make_hw: Factory) -> None:
    day = {"day": 2, "month": 11, "year": 2025}
    hw = await make_hw(start=utc(4, **day), **NY)  # 2025-11-02 00:00 EDT; 01:00-02:00 happens twice
    ambiguous = await hw.say("hand host to @alice at 1:30 of meeting 123456789")
    assert ambiguous == ("2025-11-02 01:30 happens twice that day in America/New_York (the clocks go back). Give "
                         "the time with its offset, e.g. 2025-11-02T01:30:00-04:00 or 2025-11-02T01:30:00-05:00.")
    assert await hw.bot.scheduler.book.pending() == []
    reply = await hw.say("hand host to @alice at 2025-11-02T01:30:00-05:00 of meeting 123456789")
    assert "at 01:30 (UTC-5) (in 2 h 30 min)" in reply and "remind @you and @alice at 01:20 (UTC-5)" in reply
    assert (await hw.handover()).due == utc(6, 30, **day)
    assert await hw.tick_to(utc(5, 30, **day)) == ""  # 01:30 EDT, the first 01:30: not this one
    assert "01:30 (UTC-5) (in 10 min)" in await hw.tick_to(utc(6, 20, **day))
    assert "is now host" in await hw.tick_to(utc(6, 30, **day))


async def test_cancel_by_a_wall_time_that_happens_twice_asks_which(make_hw: Factory) -> None:
    day = {"day": 2, "month": 11, "year": 2025}
    hw = await make_hw(start=utc(4, **day), **NY)
    await hw.say("hand host to @alice at 2025-11-02T01:30:00-04:00 of meeting 123456789")
    await hw.say("hand host to @bob at 2025-11-02T01:30:00-05:00 of meeting 123456789")
    which = await hw.say("cancel the 1:30 handover")
    assert which.startswith("Several handovers match: #1 · 01:30 (UTC-4) (in 1 h 30 min)")
    assert "#2 · 01:30 (UTC-5) (in 2 h 30 min)" in which
    assert (await hw.say("cancel handover #2")).startswith("🗑 Handover #2 cancelled: @bob")


# ---- the console demo -------------------------------------------------------------------------------
class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


async def test_demo_shows_the_reminder_and_the_result_with_wait() -> None:
    from bot.devtools.demo import run_demo

    out = io.StringIO()
    script = ("in 15 minutes hand host to @alice of meeting 123456789\n!wait 5\n!wait 10\n"
              "!as alice\nin 1 minute hand host to @bob of meeting 123456789\n!wait 1\n!wait soon\n")
    with Sandbox() as box:
        await run_demo(_Pipe(script), out, sandbox=box)
        calls = box.recorder.count("feishu.set_host")
    text = out.getvalue()
    assert "⏰ Handover #1 scheduled:" in text and "(in 15 min)" in text
    assert "⏰ Reminder, @you and @alice:" in text and "[1] Hand over now   [2] Snooze 5 min   [3] Cancel" in text
    assert "⏰ Handover #1 (due " in text and "✅ @alice is now host of Feishu meeting 123 456 789." in text
    assert "⏰ Handover #2 (due " in text and "✅ @bob is now host of Feishu meeting 123 456 789." in text
    assert text.index("Reminder") < text.index("you> !wait 10") < text.index("✅ @alice is now host")
    assert "(sandbox: say how long, e.g. !wait 5" in text
    assert calls == 2


# ---- after the host approved: the buttons are the host's ------------------------------------------
async def test_an_approved_handovers_buttons_belong_to_the_host_and_the_requester_may_only_cancel(hw: HW) -> None:
    await hw.say("hand host to me at 16:00 of meeting 123456789", who="bob")
    assert (await hw.say("1")).startswith("⏰ Handover #1 scheduled")  # you approve
    reminder = await hw.tick_to(utc(14, 50))
    assert "[1] Hand over now   [2] Snooze 5 min   [3] Cancel" in reminder
    assert await hw.say("1", who="bob") == "Only @you can use this button."  # bob cannot take it early
    assert await hw.say("2", who="bob") == "Only @you can use this button."  # nor push it back
    assert hw.calls() == []
    assert (await hw.handover()).status == "pending"
    assert "cancelled" in await hw.say("3", who="bob")  # but his own request is his to cancel
    assert (await hw.handover()).status == "cancelled" and hw.calls() == []


async def test_the_host_may_hand_over_an_approved_handover_now(hw: HW) -> None:
    await hw.say("hand host to me at 16:00 of meeting 123456789", who="bob")
    await hw.say("1")
    await hw.tick_to(utc(14, 50))
    assert "✅ @bob is now host" in await hw.say("1")
    assert len(hw.calls()) == 1


async def test_an_approved_handover_snoozes_thirty_minutes_in_all(hw: HW) -> None:
    await hw.say("hand host to me at 16:00 of meeting 123456789", who="bob")
    await hw.say("1")
    await hw.tick_to(utc(14, 50))
    for minutes in range(5, 31, 5):
        assert f"at 16:{minutes:02d} (UTC+1)" in await hw.say("2")
    refused = await hw.say("2")
    assert refused.startswith("Handover #1 was approved for a time it may move from by 30 minutes at most")
    assert (await hw.handover()).due == utc(15, 30)


async def _claimed(hw: HW) -> None:
    """Until handover #1 is running (claimed by whoever asked first)."""
    for _ in range(500):
        if (await hw.handover()).status == "running":
            return
        await asyncio.sleep(0.01)
    raise AssertionError("handover #1 was never claimed")


async def test_stopping_during_a_pass_logs_no_failed_job_and_lets_the_pass_finish(
        hw: HW, caplog: pytest.LogCaptureFixture) -> None:
    """SIGTERM while the timer's job is in a pass: APScheduler cancels the job's coroutine; that is the timer
    stopping (the pass itself is shielded and waited for), never an ERROR "raised an exception" with a traceback."""
    scheduler = hw.bot.scheduler
    await scheduler.start()
    entered, release, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def slow_pass(now: object = None) -> None:
        entered.set()
        await release.wait()
        finished.set()

    scheduler.run_due = slow_pass  # type: ignore[method-assign]
    assert scheduler._aps is not None
    scheduler._aps.add_job(scheduler._wake, "date", run_date=datetime.now(UTC), id="now")
    await asyncio.wait_for(entered.wait(), 10)
    asyncio.get_running_loop().call_later(0.2, release.set)
    with caplog.at_level(logging.INFO):
        await scheduler.stop()
        await asyncio.sleep(0.05)  # the cancelled job's outcome reaches APScheduler's log
    assert finished.is_set()  # the pass in flight was waited for
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
