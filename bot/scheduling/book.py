"""Scheduled handovers in the store: the records and every change of their state.

The store is the scheduler's source of truth (the queries: bot/store/rows/handovers.py). Every
change of state is one conditional UPDATE whose WHERE names the state it leaves (`status =
'pending'`, ...): when two timers, two replicas, a restart mid-run or a "Hand over now" click race
each other, exactly one UPDATE matches, so exactly one of them acts. Times are stored as UTC ISO
strings of one fixed format, so they compare as text.

    pending ──claim──> running ──finish──> done | failed | conflict
       │ └──cancel──> cancelled
       └────miss────> missed ──claim (an explicit "Hand over now")──> running
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.model.outcome import VendorUser
from bot.store import AsyncStore

PENDING, RUNNING, DONE, FAILED, CONFLICT, CANCELLED, MISSED = (
    "pending", "running", "done", "failed", "conflict", "cancelled", "missed")
# authority: "requester" (the host, organizer or an admin asked), "approved" (by the host), or GRANTED: the
# change back of an expiring change, allowed (or approved) once with the change itself
GRANTED = "granted"


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Handover:
    id: int
    platform: str
    channel: str
    thread: str
    requester: str  # chat user who scheduled it (owns its buttons)
    lang: str
    tz: str  # the requester's zone: times in its messages are shown there
    vendor: str
    meeting_id: str  # the vendor's own id (a 9-digit number is reused; the id is not)
    meeting_display: str
    host: VendorUser | None  # the host when it was scheduled: who we expect when it is due
    target: str  # chat user id of who becomes host
    target_user: VendorUser  # ... and their vendor id
    authority: str  # "requester" (host, organizer or admin) | "approved" (by the host) | GRANTED (a change back)
    due: datetime
    first_due: datetime  # when it was due before any snooze (a snooze moves it 30 min in all, at most)
    remind_at: datetime | None
    reminded: bool
    status: str
    claimed_by: str
    claimed_at: datetime | None
    result: str
    detail: str
    operation: str = "set_host"  # set_host: target becomes host; remove_cohost: an expiring co-host role ends

    @property
    def reverts(self) -> bool:
        """Puts an expiring change back ("co-host for 30 minutes"): runs only on the state it assumed."""
        return self.authority == GRANTED

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Handover:
        host = VendorUser(r["host_id"], int(r["host_type"] or 1), r["host_name"]) if r["host_id"] else None
        due = _time(r["due_at"])
        assert due is not None
        return cls(
            id=int(r["id"]), platform=r["platform"], channel=r["channel"], thread=r["thread"],
            requester=r["requester"], lang=r["lang"], tz=r["tz"], vendor=r["vendor"], meeting_id=r["meeting_id"],
            meeting_display=r["meeting_display"], host=host, target=r["target"],
            target_user=VendorUser(r["target_id"], int(r["target_type"] or 1), r["target_name"]),
            authority=r["authority"], due=due, first_due=_time(r.get("first_due_at") or "") or due,
            remind_at=_time(r["remind_at"]), reminded=bool(r["reminded_at"]),
            status=r["status"], claimed_by=r["claimed_by"], claimed_at=_time(r["claimed_at"]),
            result=r["result"], detail=r["detail"], operation=str(r.get("operation") or "set_host"),
        )


class HandoverBook:
    """Handovers as records, over the Store's conditional writes (bot/store/rows/handovers.py)."""

    def __init__(self, store: AsyncStore) -> None:
        self.store = store

    # ---- reads ---------------------------------------------------------------------------
    async def get(self, hid: int) -> Handover | None:
        row = await self.store.handover(hid)
        return Handover.from_row(row) if row else None

    async def pending(self, platform: str | None = None) -> list[Handover]:
        return [Handover.from_row(r) for r in await self.store.handovers(PENDING, platform)]

    async def to_remind(self, now: datetime) -> list[Handover]:
        """Pending handovers whose reminder time has come, not yet reminded, not yet due."""
        return [Handover.from_row(r) for r in await self.store.handovers_to_remind(now)]

    async def due(self, now: datetime) -> list[Handover]:
        return [Handover.from_row(r) for r in await self.store.handovers_due(now)]

    async def running(self) -> list[Handover]:
        return [Handover.from_row(r) for r in await self.store.handovers(RUNNING)]


    async def duplicate(self, platform: str, vendor: str, meeting_id: str, target_id: str,
                        due: datetime) -> Handover | None:
        row = await self.store.duplicate_handover(platform, vendor, meeting_id, target_id, due)
        return Handover.from_row(row) if row else None

    # ---- writes --------------------------------------------------------------------------
    async def add(self, *, platform: str, channel: str, thread: str, requester: str, lang: str, tz: str, vendor: str,
            meeting_id: str, meeting_display: str, host: VendorUser | None, target: str, target_user: VendorUser,
            authority: str, due: datetime, remind_at: datetime | None, operation: str = "set_host",
            audit: Callable[[int], dict[str, Any]] | None = None) -> Handover:
        """Store a pending handover; with `audit` (its id -> an audit row), the row that reports it is written
        in the same transaction: the handover is never there without its audit row, nor the row without it."""
        row = {
            "platform": platform, "channel": channel, "thread": thread, "requester": requester, "lang": lang,
            "tz": tz, "vendor": vendor, "meeting_id": meeting_id, "meeting_display": meeting_display,
            "host_id": host.id if host else "", "host_type": host.user_type if host else 1,
            "host_name": host.name if host else "", "target": target, "target_id": target_user.id,
            "target_type": target_user.user_type, "target_name": target_user.name, "authority": authority,
            "due_at": iso(due), "first_due_at": iso(due), "remind_at": iso(remind_at) if remind_at else "",
            "created_at": iso(self.store.now()),
            "status": PENDING, "operation": operation,
        }

        async def write(tx: AsyncStore) -> int:
            hid = await tx.add_handover(row)
            if audit is not None:
                await tx.audit(**audit(hid))
            return hid

        hid = await self.store.atomic(write)
        found = await self.get(hid)
        assert found is not None
        return found

    async def claim(self, hid: int, owner: str, from_status: Sequence[str] = (PENDING,)) -> bool:
        """pending (or `from_status`) -> running, owned by `owner`; False when somebody else got there first."""
        return await self.store.claim_handover(hid, owner, from_status)

    async def claim_due(self, owner: str, now: datetime, grace: timedelta, limit: int) -> list[Handover]:
        """Claim up to `limit` pending handovers due within `grace` before `now` (replicas split them)."""
        return [Handover.from_row(r) for r in await self.store.claim_due_handovers(owner, now, now - grace, limit)]

    async def reclaim(self, hid: int, old_owner: str, owner: str) -> bool:
        """Take over a run whose owner died mid-run (a restart, a replica gone): only one successor can."""
        return await self.store.reclaim_handover(hid, old_owner, owner)

    async def holds(self, hid: int, owner: str) -> bool:
        return await self.store.holds_handover(hid, owner)

    async def finish(self, hid: int, owner: str, status: str, result: str = "", detail: str = "") -> bool:
        return await self.store.set_handover(hid, {"status": status, "result": result, "detail": detail,
                                             "finished_at": iso(self.store.now())}, status=RUNNING, owner=owner)

    async def mark_reminded(self, hid: int) -> bool:
        return await self.store.set_handover(hid, {"reminded_at": iso(self.store.now())}, status=PENDING,
                                             unreminded=True)

    async def snooze(self, hid: int, due: datetime) -> bool:
        return await self.store.set_handover(hid, {"due_at": iso(due), "remind_at": ""}, status=PENDING)

    async def cancel(self, hid: int, by: str) -> bool:
        return await self.store.set_handover(hid, {"status": CANCELLED, "detail": f"by {by}",
                                             "finished_at": iso(self.store.now())}, status=PENDING)

    async def miss(self, hid: int) -> bool:
        return await self.store.set_handover(hid, {"status": MISSED, "finished_at": iso(self.store.now())},
                                             status=PENDING)
