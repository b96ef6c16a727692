"""The handover scheduler: APScheduler wakes it up, the store says what is due, set_host acts.

- **The store is the source of truth** (bot/scheduling/book.py). On start every pending handover gets
  its APScheduler jobs again (reminder, due), and a sweep every 30 s catches whatever a job could
  not (another process's handover, a clock jump). A job only wakes `run_due`, which reads the store.
- `run_due(now)`: a reminder whose time has come is marked sent, then posted; a due handover is
  **claimed** by a conditional UPDATE, then run. Two timers, two processes on one database, a
  restart mid-run or a "Hand over now" click racing the due time: one claim wins, one vendor call.
- Running one (bot/scheduling/due.py): the handover's stored plan, its meeting read once; re-check
  first (the meeting is still on, its host is still the one we expect — else set_host reports the
  conflict and offers a Retry — the target is not host already), then pipeline.run bound to that
  plan, through the gate with the handover's authority
  (scheduled by the host, organizer or an admin = confirmed; asked by someone else = approved by
  the host when scheduled). The vendor checks the target's presence where it needs it (Feishu:
  in the meeting) and the report says so. The report goes to the handover's thread via the
  Notifier of its platform.
- Missed while down: due within the grace period -> run now (the report says how late); older ->
  marked missed and reported, never run silently late. A run cut short by a crash (running, its
  process gone) is picked up again: the re-check finds the host already changed when the call had
  gone through, so it is not made twice.
- Several replicas on one PostgreSQL: due handovers are claimed in batches (`FOR UPDATE SKIP
  LOCKED`: replicas split them); each scheduler renews a lease in the store every third of `lease`,
  and sweeps as often. A run whose claimer's lease has passed (SIGKILL, a lost host) is taken over
  by a live replica and re-checked as above; an owner checks it still holds a run before acting.
  With SQLite (one host) a dead claimer is known by its pid; a live-looking one is trusted for STALE_CLAIM.
- Time zones and DST: instants are UTC; the reminder (due − lead) and a snooze are elapsed time,
  right across a DST change; messages show local times with the zone's abbreviation. Wall times in
  a DST gap or overlap are refused by the parser (bot/intents/times.py) unless an offset is given.
- `clock` is the Services clock: tests move time with it and call `run_due()` themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.answer.progress import Notifier as Notifier  # the adapters' side, declared in core
from bot.core.answer.progress import NotifierProgress, ProgressSink
from bot.core.model.events import Button, ButtonStyle, ChatMessage, Platform, Reply
from bot.core.model.intent import Intent
from bot.core.request.context import Services
from bot.core.request.proposals import offer
from bot.core.request.request import Request
from bot.i18n import t
from bot.scheduling.book import FAILED, MISSED, PENDING, Handover, HandoverBook
from bot.scheduling.claims import LIVE_BOOTS, new_owner, owner_gone
from bot.scheduling.due import handover_plan, run_handover
from bot.scheduling.wording import duration_text, hkey, when_text, words
from bot.telemetry.logs import request_scope

log = logging.getLogger(__name__)

SNOOZE = timedelta(minutes=5)  # the "Snooze 5 min" button
NOBODY = "(nobody)"  # a presser no chat user id can be
MAX_SNOOZE = timedelta(minutes=30)  # an approved handover moves this far in all; further needs a new approval
SWEEP_S = 30.0
LATE_NOTE = timedelta(minutes=1)  # a run later than this says so in its report
STOP_WAIT_S = 10.0
FORGET_LEASES = timedelta(days=1)  # leases of replicas gone this long (holding no run) are deleted
LEASE = timedelta(seconds=30)  # HOSTBOT_HANDOVER_LEASE_S: how long a silent replica's runs stay its own


def of(services: Services) -> HandoverScheduler | None:
    """The scheduler bot/app.py put on `services` (core types it only as where notices go: Notices)."""
    scheduler = services.scheduler
    return scheduler if isinstance(scheduler, HandoverScheduler) else None


class HandoverScheduler:
    def __init__(self, services: Services, *, lead: timedelta, grace: timedelta, concurrency: int = 8,
                 lease: timedelta = LEASE) -> None:
        self.services = services
        self.book = HandoverBook(services.store)
        self.lead = lead
        self.grace = grace
        self.lease = lease
        self.concurrency = concurrency
        self.notifiers: dict[str, Notifier] = {}
        self._boot, self.owner = new_owner()  # who claimed a run
        # Built at start-up: a handover due before this was missed while hostbot was down; one due
        # after it ran late for another reason (earlier runs held up by a rate-limited or slow vendor).
        self.up_since = services.clock()
        self._aps: AsyncIOScheduler | None = None
        self._started = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pass_lock = asyncio.Lock()
        self._limit = asyncio.Semaphore(concurrency)

    def now(self) -> datetime:
        return self.services.clock()

    def attach(self, platform: str, notifier: Notifier) -> None:
        """Where reminders and reports for handovers scheduled on `platform` are posted."""
        self.notifiers[str(platform)] = notifier

    # ---- the timer -------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._started

    @property
    def running(self) -> bool:
        return self._aps is not None and self._aps.running

    async def start(self) -> None:
        """Start the timer: jobs for every pending handover in the store, a sweep, and one pass now
        (missed while down, due within grace, runs a crash cut short)."""
        if self._aps is not None:
            return
        self._aps = AsyncIOScheduler(timezone=UTC, job_defaults={
            "misfire_grace_time": None, "coalesce": True, "max_instances": 1})  # late is late, never skipped
        self._aps.start()
        self._started = True
        await self.book.store.renew_lease(self.owner, self.lease)
        await self.book.store.forget_leases(self.now() - FORGET_LEASES)
        for h in await self.book.pending():
            self.track(h)
        beat = self.lease.total_seconds() / 3
        sweep = min(SWEEP_S, beat) if self.book.store.shared else SWEEP_S
        self._aps.add_job(self._wake, "interval", seconds=sweep, id="handover-sweep")
        self._aps.add_job(self._heartbeat, "interval", seconds=beat, id="handover-lease")
        self._spawn(self.run_due())

    async def _heartbeat(self) -> None:
        try:
            await self.book.store.renew_lease(self.owner, self.lease)
        except Exception as err:  # the database is away: the next beat tries again
            log.warning("handover lease not renewed: %s", type(err).__name__)

    async def stop(self) -> None:
        """Stop the timer and let runs in flight finish (bounded); what is left runs at the next start."""
        aps, self._aps = self._aps, None
        if aps is not None and aps.running:
            aps.shutdown(wait=False)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=STOP_WAIT_S)
        LIVE_BOOTS.discard(self._boot)
        if self._started:
            with contextlib.suppress(Exception):  # a closed store: the lease simply runs out
                await self.book.store.end_lease(self.owner)

    def track(self, h: Handover) -> None:
        """(Re)schedule the wake-ups of a pending handover: its reminder and its due time."""
        if self._aps is None:
            return
        if h.remind_at is not None and not h.reminded:
            self._job(f"handover-{h.id}-remind", h.remind_at)
        self._job(f"handover-{h.id}-due", h.due)

    def untrack(self, hid: int) -> None:
        if self._aps is None:
            return
        for kind in ("remind", "due"):
            with contextlib.suppress(JobLookupError):
                self._aps.remove_job(f"handover-{hid}-{kind}")

    def _job(self, job_id: str, at: datetime) -> None:
        assert self._aps is not None
        # APScheduler counts real time; our clock may be offset from it (the demo's !wait).
        real = datetime.now(UTC) + (at - self.now())
        self._aps.add_job(self._wake, "date", run_date=real, args=[at], id=job_id, replace_existing=True)

    async def _wake(self, at: datetime | None = None) -> None:
        now = self.now()
        # A shielded task: stopping APScheduler cancels its job coroutines, never a run in flight (stop() waits
        # for it). That cancellation is the timer stopping, not the job failing: APScheduler would log it as a job
        # that "raised an exception", with a traceback, at every shutdown that came during a pass.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(self._spawn(self.run_due(max(now, at) if at else now)))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:  # e.g. the database is locked
            log.error("handover pass failed; the next wake-up or sweep tries again", exc_info=task.exception())

    # ---- one pass ----------------------------------------------------------------------------
    async def run_due(self, now: datetime | None = None) -> None:
        """Post the reminders and run the handovers that are due at `now` (default: the clock's now)."""
        async with self._pass_lock:
            now = now or self.now()
            for h in await self.book.to_remind(now):
                if await self.book.mark_reminded(h.id):
                    await self.post(h, [await self.reminder(h, now)])
            for h in await self.book.due(now):
                if now - h.due > self.grace and await self.book.miss(h.id):
                    self.untrack(h.id)
                    await self.post(h, [await self._missed(h, now)])
            runs: list[Handover] = []
            for h in await self._orphans(now):
                if now - h.due > self.grace:
                    await self.book.finish(h.id, self.owner, MISSED, "interrupted")
                    await self.post(h, [await self._missed(h, now)])
                else:
                    runs.append(h)
            # Batches of what we can run at once: other replicas claim the rest meanwhile.
            while runs or (runs := await self.book.claim_due(self.owner, now, self.grace, self.concurrency)):
                await asyncio.gather(*(self._run_and_post(h, now) for h in runs))
                runs = []

    async def _run_and_post(self, h: Handover, now: datetime) -> None:
        async with self._limit:
            self.untrack(h.id)
            if not await self.book.holds(h.id, self.owner):  # taken over meanwhile (we were thought gone)
                log.warning("handover #%s: no longer ours to run", h.id)
                return
            with request_scope(f"handover{h.id}"):  # its log lines, vendor calls included, share one id
                replies = await self.execute(h, late=now - h.due)
                await self.post(h, replies)

    async def run_now(self, hid: int) -> list[Reply] | None:
        """A "Hand over now" click: claim the handover (pending, or missed) and run it; None when
        it is no longer there to run (already ran, running, cancelled)."""
        if not await self.book.claim(hid, self.owner, (PENDING, MISSED)):
            return None
        self.untrack(hid)
        h = await self.book.get(hid)
        assert h is not None
        return await self.execute(h, trigger="now")

    async def snooze(self, hid: int) -> Handover | None:
        """Move a pending handover SNOOZE later; an approved one at most MAX_SNOOZE past the time the
        host approved (None when it cannot move: not pending, or snoozed that far already)."""
        h = await self.book.get(hid)
        if h is None:
            return None
        due = max(h.due, self.now()).astimezone(UTC) + SNOOZE
        if h.authority == "approved" and due - h.first_due > MAX_SNOOZE:
            return None
        if not await self.book.snooze(hid, due):
            return None
        snoozed = await self.book.get(hid)
        assert snoozed is not None
        self.untrack(hid)
        self.track(snoozed)
        return snoozed

    async def cancel(self, hid: int, by: str) -> bool:
        if not await self.book.cancel(hid, by):
            return False
        self.untrack(hid)
        return True

    async def _orphans(self, now: datetime) -> list[Handover]:
        """Runs claimed by a process that is gone (killed mid-run), taken over by this one."""
        found: list[Handover] = []
        for h in await self.book.running():
            if h.claimed_by != self.owner and await owner_gone(self.book.store, h.claimed_by, h.claimed_at, now) \
                    and await self.book.reclaim(h.id, h.claimed_by, self.owner):
                log.warning("handover #%s: taking over the run of %s, which is gone", h.id, h.claimed_by)
                found.append(h)
        return found

    # ---- running one handover -----------------------------------------------------------------
    async def execute(self, h: Handover, *, late: timedelta = timedelta(0), trigger: str = "timer") -> list[Reply]:
        """Run a handover this scheduler has claimed; record its result; return the report."""
        lang, now = h.lang, self.now()
        w = await words(h, self.services.people, lang, now)
        try:
            status, result, replies = await run_handover(self.services, h, self.message(h), w, self.progress_of(h))
        except Exception:  # a bug must not leave the handover running forever, nor kill the timer
            log.exception("handover #%s failed", h.id)
            status, result, replies = FAILED, "error", [Reply(t(lang, "internal_error"))]
        await self.book.finish(h.id, self.owner, status, result)
        if trigger == "now":
            head = t(lang, "handover_head_now", **w)
        elif late > LATE_NOTE:
            head = t(lang, self._late_key(h, "handover_head_late"), late=duration_text(lang, late), **w)
        else:
            head = t(lang, "handover_head", **w)
        mentions = tuple(dict.fromkeys(u for u in (h.requester, h.target) if u))
        first = replies[0] if replies else Reply("")
        return [Reply(f"{head}\n{first.text}".strip(), buttons=first.buttons, mention_users=mentions),
                *replies[1:]]

    def progress_of(self, h: Handover) -> ProgressSink | None:
        """Progress of a due handover's long work: replies in its thread, through the platform's notifier."""
        notifier = self.notifiers.get(h.platform)
        return NotifierProgress(notifier, h.platform, h.channel, h.thread) if notifier is not None else None

    # ---- messages -----------------------------------------------------------------------------
    @staticmethod
    def message(h: Handover) -> ChatMessage:
        """The handover's thread, as if its requester spoke there (the scheduler has no chat event)."""
        return ChatMessage(platform=Platform(h.platform), user=h.requester, text=f"handover #{h.id}",
                           channel=h.channel, thread=h.thread)

    async def choices(self, h: Handover, kind: str, now: datetime) -> tuple[Button, ...]:
        """The buttons of a reminder (now / snooze / cancel) or of a missed report (now / cancel).

        Who may press them (see `pressers`) follows the authority the handover has: once the host
        approved it, acting early or snoozing is the host's (or an admin's), while the requester
        can still cancel their own request. A reminder's stay valid until the grace period after
        the due time; a missed report's for the grace period from now (time to read it and decide).
        """
        shown = Request(self.message(h), Intent("schedule_handover", lang=h.lang), h.lang)
        act, cancel = await self.pressers(h)
        payload = {"kind": kind, "handover_id": h.id, "plan": handover_plan(h).to_json()}

        async def ask(requester: list[str], ttl: timedelta,
                      *choices: tuple[str, str, ButtonStyle]) -> tuple[Button, ...]:
            return await offer(self.services, shown, "schedule_handover", payload, *choices, requester=requester,
                               ttl=ttl)

        if kind == "missed":
            ttl = max(self.services.proposal_ttl, self.grace)
            return (*await ask(act, ttl, ("handover_now", "button_handover_now", ButtonStyle.PRIMARY)),
                    *await ask(cancel, ttl, ("cancel", "button_cancel", ButtonStyle.DEFAULT)))
        ttl = max(self.services.proposal_ttl, h.due + self.grace - now)
        return (*await ask(act, ttl, ("handover_now", "button_handover_now", ButtonStyle.PRIMARY),
                           ("handover_snooze", "button_handover_snooze", ButtonStyle.DEFAULT)),
                *await ask(cancel, ttl, ("handover_cancel", "button_cancel", ButtonStyle.DANGER)))

    async def pressers(self, h: Handover) -> tuple[list[str], list[str]]:
        """Who may act on a handover's buttons (hand over now, snooze), and who may cancel it."""
        admins = self.services.policy.listed_users  # chat ids (emails and groups never click)
        if h.authority != "approved":  # scheduled by the host, organizer or an admin: theirs
            return [h.requester, *admins], [h.requester, *admins]
        host = await self.services.people.chat_user_for(h.platform, h.vendor, h.host)
        act = [*([host] if host else []), *admins] or [NOBODY]
        return act, [h.requester, *act]

    async def reminder(self, h: Handover, now: datetime) -> Reply:
        w = await words(h, self.services.people, h.lang, now)
        host = await self.services.people.chat_user_for(h.platform, h.vendor, h.host) or h.requester
        return Reply(t(h.lang, hkey(h, "handover_reminder"), **w), buttons=await self.choices(h, "reminder", now),
                     mention_users=tuple(dict.fromkeys((host, h.target))))

    async def _missed(self, h: Handover, now: datetime) -> Reply:
        w = await words(h, self.services.people, h.lang, now)
        minutes = self.grace.total_seconds() / 60
        text = t(h.lang, hkey(h, self._late_key(h, "handover_missed")), now=when_text(now, h.tz, now),
                 grace=f"{minutes:g}", **w)
        return Reply(text, buttons=await self.choices(h, "missed", now), mention_users=(h.requester,))

    def _late_key(self, h: Handover, key: str) -> str:
        """`key` says "hostbot was not running"; `key`_busy, for a handover due while this process ran, does not."""
        return key if h.due < self.up_since else f"{key}_busy"

    async def post(self, h: Handover, replies: list[Reply]) -> None:
        notifier = self.notifiers.get(h.platform)
        if notifier is None:
            log.warning("handover #%s: nowhere to post on %s (no adapter attached)", h.id, h.platform)
            return
        try:
            await notifier.post(h.platform, h.channel, h.thread, replies)
        except Exception:  # a chat outage must not stop the other handovers
            log.exception("handover #%s: posting to %s failed", h.id, h.platform)
