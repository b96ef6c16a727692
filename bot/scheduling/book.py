"""Scheduled handovers in the store: the records and every change of their state.

The store is the scheduler's source of truth. Every change of state is one conditional UPDATE
whose WHERE names the state it leaves (`status = 'pending'`, ...): when two timers, a restart
mid-run or a "Hand over now" click race each other, exactly one UPDATE matches, so exactly one
of them acts. Times are stored as UTC ISO strings of one fixed format, so they compare as text.

    pending ──claim──> running ──finish──> done | failed | conflict
       │ └──cancel──> cancelled
       └────miss────> missed ──claim (an explicit "Hand over now")──> running
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core.outcome import VendorUser
from bot.store import Store

PENDING, RUNNING, DONE, FAILED, CONFLICT, CANCELLED, MISSED = (
    "pending", "running", "done", "failed", "conflict", "cancelled", "missed")


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
    authority: str  # "requester" (host, organizer or admin) | "approved" (by the host)
    due: datetime
    first_due: datetime  # when it was due before any snooze (a snooze moves it 30 min in all, at most)
    remind_at: datetime | None
    reminded: bool
    status: str
    claimed_by: str
    claimed_at: datetime | None
    result: str
    detail: str

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
            result=r["result"], detail=r["detail"],
        )


class HandoverBook:
    """Reads and conditional writes of the `handovers` table (migration m003_handovers)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # ---- reads ---------------------------------------------------------------------------
    def get(self, hid: int) -> Handover | None:
        rows = list(self.db["handovers"].rows_where("id = ?", [hid]))
        return Handover.from_row(rows[0]) if rows else None

    def _where(self, where: str, args: Sequence[Any]) -> list[Handover]:
        return [Handover.from_row(r) for r in self.db["handovers"].rows_where(where, list(args), order_by="due_at, id")]

    def pending(self, platform: str | None = None) -> list[Handover]:
        if platform is None:
            return self._where("status = ?", [PENDING])
        return self._where("status = ? AND platform = ?", [PENDING, platform])

    def to_remind(self, now: datetime) -> list[Handover]:
        """Pending handovers whose reminder time has come, not yet reminded, not yet due."""
        t = iso(now)
        return self._where("status = ? AND remind_at != '' AND remind_at <= ? AND reminded_at = '' AND due_at > ?",
                           [PENDING, t, t])

    def due(self, now: datetime) -> list[Handover]:
        return self._where("status = ? AND due_at <= ?", [PENDING, iso(now)])

    def running(self) -> list[Handover]:
        return self._where("status = ?", [RUNNING])


    def duplicate(self, platform: str, vendor: str, meeting_id: str, target_id: str, due: datetime) -> Handover | None:
        found = self._where("status = ? AND platform = ? AND vendor = ? AND meeting_id = ? AND target_id = ? "
                            "AND due_at = ?", [PENDING, platform, vendor, meeting_id, target_id, iso(due)])
        return found[0] if found else None

    # ---- writes --------------------------------------------------------------------------
    def add(self, *, platform: str, channel: str, thread: str, requester: str, lang: str, tz: str, vendor: str,
            meeting_id: str, meeting_display: str, host: VendorUser | None, target: str, target_user: VendorUser,
            authority: str, due: datetime, remind_at: datetime | None) -> Handover:
        table = self.db["handovers"]
        table.insert({  # type: ignore[union-attr]
            "platform": platform, "channel": channel, "thread": thread, "requester": requester, "lang": lang,
            "tz": tz, "vendor": vendor, "meeting_id": meeting_id, "meeting_display": meeting_display,
            "host_id": host.id if host else "", "host_type": host.user_type if host else 1,
            "host_name": host.name if host else "", "target": target, "target_id": target_user.id,
            "target_type": target_user.user_type, "target_name": target_user.name, "authority": authority,
            "due_at": iso(due), "first_due_at": iso(due), "remind_at": iso(remind_at) if remind_at else "",
            "created_at": iso(self.store.now()),
            "status": PENDING,
        })
        found = self.get(int(str(table.last_pk)))  # type: ignore[union-attr]
        assert found is not None
        return found

    def _update(self, sql: str, args: Sequence[Any]) -> bool:
        cur = self.db.execute(sql, list(args))
        self.db.conn.commit()
        return cur.rowcount == 1

    def claim(self, hid: int, owner: str, from_status: Sequence[str] = (PENDING,)) -> bool:
        """pending (or `from_status`) -> running, owned by `owner`; False when somebody else got there first."""
        marks = ", ".join("?" for _ in from_status)
        return self._update(f"UPDATE handovers SET status = ?, claimed_by = ?, claimed_at = ? "
                            f"WHERE id = ? AND status IN ({marks})",
                            [RUNNING, owner, iso(self.store.now()), hid, *from_status])

    def reclaim(self, hid: int, old_owner: str, owner: str) -> bool:
        """Take over a run whose owner died mid-run (a restart): only one successor can."""
        return self._update("UPDATE handovers SET claimed_by = ?, claimed_at = ? "
                            "WHERE id = ? AND status = ? AND claimed_by = ?",
                            [owner, iso(self.store.now()), hid, RUNNING, old_owner])

    def finish(self, hid: int, owner: str, status: str, result: str = "", detail: str = "") -> bool:
        return self._update("UPDATE handovers SET status = ?, result = ?, detail = ?, finished_at = ? "
                            "WHERE id = ? AND status = ? AND claimed_by = ?",
                            [status, result, detail, iso(self.store.now()), hid, RUNNING, owner])

    def mark_reminded(self, hid: int) -> bool:
        return self._update("UPDATE handovers SET reminded_at = ? WHERE id = ? AND status = ? AND reminded_at = ''",
                            [iso(self.store.now()), hid, PENDING])

    def snooze(self, hid: int, due: datetime) -> bool:
        return self._update("UPDATE handovers SET due_at = ?, remind_at = '' WHERE id = ? AND status = ?",
                            [iso(due), hid, PENDING])

    def cancel(self, hid: int, by: str) -> bool:
        return self._update("UPDATE handovers SET status = ?, detail = ?, finished_at = ? WHERE id = ? AND status = ?",
                            [CANCELLED, f"by {by}", iso(self.store.now()), hid, PENDING])

    def miss(self, hid: int) -> bool:
        return self._update("UPDATE handovers SET status = ?, finished_at = ? WHERE id = ? AND status = ?",
                            [MISSED, iso(self.store.now()), hid, PENDING])
