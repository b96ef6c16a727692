"""Store rows of scheduled handovers and of the replicas that run them (a mixin of bot/store/rows/base.AsyncStore).

Every change of a handover's state is one conditional UPDATE whose WHERE names the state it
leaves, so when two timers, two replicas, a restart or a "Hand over now" click race, exactly one
matches. `claim_due_handovers` takes a batch at once; on PostgreSQL its inner SELECT is
`FOR UPDATE SKIP LOCKED`, so replicas sweeping at the same moment split the due rows between
them instead of queueing on each other's row locks.

Replica leases (`replicas`): each running scheduler renews `lease_until` (now + its lease) every
third of its lease. A run whose claimer's lease has passed is an orphan: another replica takes it
over with `reclaim_handover` (conditional on the old owner: one successor), and re-reads the
meeting before acting, so a call the dead one made is not made again (bot/scheduling/scheduler.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

PENDING, RUNNING = "pending", "running"
HANDOVER_COLUMNS = (
    "platform", "channel", "thread", "requester", "lang", "tz", "vendor", "meeting_id", "meeting_display",
    "host_id", "host_type", "host_name", "target", "target_id", "target_type", "target_name", "authority",
    "due_at", "first_due_at", "remind_at", "created_at", "status", "operation")


def iso(dt: datetime) -> str:
    """The one text form of an instant in the store: UTC, microseconds (so it compares as text)."""
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


class HandoverRows:
    """Handover and replica-lease queries; the backend primitives come from the Store."""

    skip_locked = ""  # " FOR UPDATE SKIP LOCKED" where the backend has row locks (PostgreSQL)

    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def _write_rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """A write with RETURNING, committed; the rows it returned."""
        raise NotImplementedError

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        raise NotImplementedError

    async def _insert_id(self, sql: str, args: Sequence[Any] = ()) -> int:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    # ---- reads -----------------------------------------------------------------------------
    async def handover(self, hid: int) -> dict[str, Any] | None:
        rows = await self._rows("SELECT * FROM handovers WHERE id = ?", [hid])
        return rows[0] if rows else None

    async def handovers(self, status: str, platform: str | None = None) -> list[dict[str, Any]]:
        if platform is None:
            return await self._rows("SELECT * FROM handovers WHERE status = ? ORDER BY due_at, id", [status])
        return await self._rows("SELECT * FROM handovers WHERE status = ? AND platform = ? ORDER BY due_at, id",
                          [status, platform])

    async def handovers_to_remind(self, now: datetime) -> list[dict[str, Any]]:
        """Pending handovers whose reminder time has come, not yet reminded, not yet due."""
        t = iso(now)
        return await self._rows("SELECT * FROM handovers WHERE status = ? AND remind_at != '' AND remind_at <= ? "
                          "AND reminded_at = '' AND due_at > ? ORDER BY due_at, id", [PENDING, t, t])

    async def handovers_due(self, now: datetime) -> list[dict[str, Any]]:
        return await self._rows("SELECT * FROM handovers WHERE status = ? AND due_at <= ? ORDER BY due_at, id",
                          [PENDING, iso(now)])

    async def next_handover_time(self) -> datetime | None:
        """The earliest reminder or due time still ahead of a pending handover."""
        rows = await self._rows(
            "SELECT min(t) AS t FROM (SELECT due_at AS t FROM handovers WHERE status = ? UNION ALL "
            "SELECT remind_at FROM handovers WHERE status = ? AND remind_at != '' AND reminded_at = '') AS times",
            [PENDING, PENDING])
        return datetime.fromisoformat(rows[0]["t"]) if rows and rows[0]["t"] else None

    async def count_handovers(self, status: str) -> int:
        rows = await self._rows("SELECT count(*) AS n FROM handovers WHERE status = ?", [status])
        return int(rows[0]["n"])

    async def duplicate_handover(self, platform: str, vendor: str, meeting_id: str, target_id: str,
                           due: datetime) -> dict[str, Any] | None:
        rows = await self._rows("SELECT * FROM handovers WHERE status = ? AND platform = ? AND vendor = ? "
                          "AND meeting_id = ? AND target_id = ? AND due_at = ? ORDER BY id LIMIT 1",
                          [PENDING, platform, vendor, meeting_id, target_id, iso(due)])
        return rows[0] if rows else None

    # ---- writes ------------------------------------------------------------------------------
    async def add_handover(self, row: dict[str, Any]) -> int:
        """Insert a handover (columns of HANDOVER_COLUMNS); its id."""
        unknown = set(row) - set(HANDOVER_COLUMNS)
        if unknown:
            raise ValueError(f"handovers has no column {sorted(unknown)}")
        cols = list(row)
        marks = ", ".join("?" for _ in cols)
        return await self._insert_id(f"INSERT INTO handovers ({', '.join(cols)}) VALUES ({marks}) RETURNING id",
                                     [row[c] for c in cols])

    async def claim_handover(self, hid: int, owner: str, from_status: Sequence[str] = (PENDING,)) -> bool:
        """pending (or `from_status`) -> running, owned by `owner`; False when somebody else got there first."""
        marks = ", ".join("?" for _ in from_status)
        return await self._exec(f"UPDATE handovers SET status = ?, claimed_by = ?, claimed_at = ? "
                          f"WHERE id = ? AND status IN ({marks})",
                          [RUNNING, owner, iso(self.now()), hid, *from_status]) == 1

    async def claim_due_handovers(self, owner: str, now: datetime, not_before: datetime,
                                  limit: int) -> list[dict[str, Any]]:
        """Claim up to `limit` pending handovers due in (not_before, now], earliest first."""
        return await self._write_rows(
            "UPDATE handovers SET status = ?, claimed_by = ?, claimed_at = ? WHERE id IN ("
            "SELECT id FROM handovers WHERE status = ? AND due_at <= ? AND due_at >= ? "
            f"ORDER BY due_at, id LIMIT ?{self.skip_locked}) AND status = ? RETURNING *",
            [RUNNING, owner, iso(self.now()), PENDING, iso(now), iso(not_before), limit, PENDING])

    async def reclaim_handover(self, hid: int, old_owner: str, owner: str) -> bool:
        """Take over a run whose owner is gone: only one successor can."""
        return await self._exec("UPDATE handovers SET claimed_by = ?, claimed_at = ? "
                          "WHERE id = ? AND status = ? AND claimed_by = ?",
                          [owner, iso(self.now()), hid, RUNNING, old_owner]) == 1

    async def holds_handover(self, hid: int, owner: str) -> bool:
        """Whether `owner` still holds the run (nobody took it over): checked right before acting."""
        return bool(await self._rows("SELECT id FROM handovers WHERE id = ? AND status = ? AND claimed_by = ?",
                               [hid, RUNNING, owner]))

    async def set_handover(self, hid: int, changes: dict[str, Any], *, status: str,
                     owner: str | None = None, unreminded: bool = False) -> bool:
        """Apply `changes` only while the handover is in `status` (and claimed by `owner`,
        and not yet reminded, when given): the conditional UPDATE every transition is."""
        unknown = set(changes) - {*HANDOVER_COLUMNS, "reminded_at", "finished_at", "result", "detail"}
        if unknown:
            raise ValueError(f"handovers has no column {sorted(unknown)}")
        sets = ", ".join(f"{c} = ?" for c in changes)
        where, args = "id = ? AND status = ?", [hid, status]
        if owner is not None:
            where += " AND claimed_by = ?"
            args.append(owner)
        if unreminded:
            where += " AND reminded_at = ''"
        return await self._exec(f"UPDATE handovers SET {sets} WHERE {where}", [*changes.values(), *args]) == 1

    # ---- replica leases ------------------------------------------------------------------------
    async def renew_lease(self, owner: str, lease: timedelta) -> None:
        """`owner` is alive until now + lease (a scheduler calls this every third of its lease)."""
        now = self.now()
        await self._exec("INSERT INTO replicas (owner, started_at, lease_until) VALUES (?, ?, ?) "
                   "ON CONFLICT (owner) DO UPDATE SET lease_until = excluded.lease_until",
                   [owner, iso(now), iso(now + lease)])

    async def end_lease(self, owner: str) -> None:
        """A clean stop: whatever `owner` left running may be taken over at once."""
        await self._exec("UPDATE replicas SET lease_until = ? WHERE owner = ?", [iso(self.now()), owner])

    async def lease_of(self, owner: str) -> datetime | None:
        """Until when `owner` is known to be alive; None for an owner that never took a lease."""
        rows = await self._rows("SELECT lease_until FROM replicas WHERE owner = ?", [owner])
        return datetime.fromisoformat(rows[0]["lease_until"]) if rows else None

    async def take_job_lease(self, job: str, holder: str, lease: timedelta) -> bool:
        """One replica at a time runs `job` (retention): `holder` gets or keeps it until now + lease, unless
        another holder's lease still runs. The lease is the `replicas` row `job:<job>`; its started_at
        column names the holder (no schema change: that row is never a scheduler's)."""
        now = self.now()
        rows = await self._write_rows(
            "INSERT INTO replicas (owner, started_at, lease_until) VALUES (?, ?, ?) ON CONFLICT (owner) DO UPDATE "
            "SET started_at = excluded.started_at, lease_until = excluded.lease_until "
            "WHERE replicas.lease_until < ? OR replicas.started_at = ? RETURNING owner",
            [f"job:{job}", holder, iso(now + lease), iso(now), holder])
        return bool(rows)

    async def forget_leases(self, before: datetime) -> int:
        """Drop leases that ended before `before` and hold no run (replicas long gone)."""
        return await self._exec("DELETE FROM replicas WHERE lease_until < ? AND owner NOT IN "
                          "(SELECT claimed_by FROM handovers WHERE status = ?)", [iso(before), RUNNING])
