"""Retention: what the store may forget, and the background task that forgets it.

    audit        rows older than HOSTBOT_RETENTION_DAYS (default 90; 0 keeps them all)
    deliveries   exactly-once ids older than HOSTBOT_DELIVERY_RETENTION_HOURS (default 48): Slack
                 retries within minutes and Feishu within hours, so an older id is never redelivered
    proposals    buttons that ended (done, cancelled, expired, or pending past their expiry) longer
                 than the same window ago; a button pressed after that answers "expired" as before
    undos        Undo buttons the same way (bot/store/rows/undos.py)

Deletes run in batches on their own SQLite connection in a worker thread (never on the event
loop; WAL lets them run beside the bot's writes) and free pages are reused, so the file's size
levels off instead of growing for ever. Each run counts into hostbot_pruned_rows_total{table};
`hostbot doctor` shows the windows and the oldest rows kept (`oldest`). On PostgreSQL the same deletes run
through the Store (batches by ctid), by one replica at a time: each run first takes the lease
`job:retention` in the store (bot/store/rows/handovers.py take_job_lease), which its holder renews at every
run; another replica takes over once it has lapsed (1.5 intervals).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.store.sqlite.turns import write_turns

log = logging.getLogger(__name__)

BATCH = 5000  # rows per DELETE: short write transactions, so the bot's own writes never wait long
INTERVAL_S = 3600.0


@dataclass(frozen=True)
class RetentionPolicy:
    audit_days: int = 90  # 0: the audit is kept for ever
    delivery_hours: int = 48

    def cutoffs(self, now: datetime) -> dict[str, str | None]:
        """table -> the ISO instant before which its rows go (None: kept)."""
        recent = _iso(now - timedelta(hours=self.delivery_hours))
        return {"audit": _iso(now - timedelta(days=self.audit_days)) if self.audit_days else None,
                "deliveries": recent, "proposals": recent,
                "undos": recent}


# table -> the rows that may go, given the cutoff (ISO strings in UTC compare as text)
_WHERE = {
    "audit": "at < ?",
    "deliveries": "seen_at < ?",
    # not 'claimed' (work under way): pending past expiry, or ended, and that long ago
    "proposals": "status != 'claimed' AND MAX(expires_at, COALESCE(NULLIF(resolved_at, ''), expires_at)) < ?",
    "undos": "status != 'claimed' AND MAX(expires_at, COALESCE(NULLIF(resolved_at, ''), expires_at)) < ?",
}


def prune(conn: sqlite3.Connection, policy: RetentionPolicy, now: datetime,
          turns: contextlib.AbstractContextManager[Any] | None = None) -> dict[str, int]:
    """Delete what `policy` lets go (batched); rows removed per table. `turns`: taken around each batch,
    so the bot's own writes to the file go between batches instead of polling for the lock (sqlite.py)."""

    def delete(table: str, cutoff: str) -> int:
        with turns or contextlib.nullcontext(), conn:  # one short transaction per batch
            return int(conn.execute(f"DELETE FROM {table} WHERE rowid IN "  # fixed table names only
                                    f"(SELECT rowid FROM {table} WHERE {_WHERE[table]} LIMIT {BATCH})",
                                    [cutoff]).rowcount)

    return _in_batches(policy, now, delete)


def _in_batches(policy: RetentionPolicy, now: datetime, delete: Callable[[str, str], int]) -> dict[str, int]:
    """Run `delete(table, cutoff)` (one batch of at most BATCH rows) until a batch comes back short."""
    removed: dict[str, int] = {}
    for table, cutoff in policy.cutoffs(now).items():
        if cutoff is None:
            continue
        total = 0
        while True:
            count = delete(table, cutoff)
            total += max(count, 0)
            if count < BATCH:
                break
        removed[table] = total
    return removed


def prune_file(path: str, policy: RetentionPolicy, now: datetime) -> dict[str, int]:
    """prune() on a connection of its own (for a worker thread: sqlite3 connections stay in theirs)."""
    conn = sqlite3.connect(path, timeout=30.0)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        return prune(conn, policy, now, write_turns(path))
    finally:
        conn.close()


def oldest(conn: sqlite3.Connection) -> dict[str, str]:
    """table -> its oldest timestamp ('' when empty): what doctor shows."""
    found = {}
    for table, column in (("audit", "at"), ("deliveries", "seen_at"), ("proposals", "created_at"),
                          ("undos", "created_at")):
        try:
            row = conn.execute(f"SELECT MIN({column}) FROM {table}").fetchone()
        except sqlite3.Error:
            row = None
        found[table] = str(row[0]) if row and row[0] else ""
    return found


# PostgreSQL: the same rows, with GREATEST for SQLite's two-argument MAX and ctid for rowid
_WHERE_PG = {table: where.replace("MAX(", "GREATEST(") for table, where in _WHERE.items()}


def prune_store(store: Any, policy: RetentionPolicy, now: datetime) -> dict[str, int]:
    """prune() through a PostgreSQL Store (fixed table names only)."""
    return _in_batches(policy, now, lambda table, cutoff: int(store._exec(
        f"DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE {_WHERE_PG[table]} LIMIT {BATCH})",
        [cutoff])))


def oldest_in_store(store: Any) -> dict[str, str]:
    """oldest() through a Store (PostgreSQL): what doctor shows."""
    found = {}
    for table, column in (("audit", "at"), ("deliveries", "seen_at"), ("proposals", "created_at"),
                          ("undos", "created_at")):
        rows = store._rows(f"SELECT MIN({column}) AS m FROM {table}")
        found[table] = str(rows[0]["m"]) if rows and rows[0]["m"] else ""
    return found


class Retention:
    """The background task: prune at start and then every `interval` seconds. With a `store` (PostgreSQL,
    shared by replicas) only the replica holding the lease prunes."""

    def __init__(self, path: str, policy: RetentionPolicy, *, clock: Callable[[], datetime],
                 observe: Callable[[str, int], None] | None = None, interval: float = INTERVAL_S,
                 store: Any = None, holder: str = "") -> None:
        self.store = store
        self.holder = holder or f"retention-{uuid.uuid4().hex[:12]}"
        self.path = path
        self.policy = policy
        self.clock = clock
        self.observe = observe
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> dict[str, int]:
        if self.path == ":memory:":  # nothing outlives the process; and another connection would see nothing
            return {}
        if self.store is not None:
            lease = timedelta(seconds=self.interval * 1.5)
            if not await asyncio.to_thread(self.store.take_job_lease, "retention", self.holder, lease):
                log.debug("retention: another replica holds the lease")
                return {}
            removed = await asyncio.to_thread(prune_store, self.store, self.policy, self.clock())
        else:
            removed = await asyncio.to_thread(prune_file, self.path, self.policy, self.clock())
        for table, count in removed.items():
            if self.observe is not None:
                self.observe(table, count)
        if any(removed.values()):
            log.info("retention: pruned %s", ", ".join(f"{t}={n}" for t, n in removed.items()))
        return removed

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as err:  # a locked or full disk must not stop the bot; next run retries
                log.warning("retention: pruning failed: %s", err)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="hostbot-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")
