"""The embedded store: one SQLite file (WAL) through sqlite-utils, its schema grown by named migrations.

The queries are bot/store/base.Store's (shared with PostgreSQL); this module supplies the
migrations (the schema's truth: bot/store/pg_schema.py mirrors them name by name and column by
column, and a test compares the two) and the four primitives on one sqlite-utils connection.
One process owns the file: it is the single-replica default.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.store.base import VENDOR_ID_COLUMNS, Clock, Statement, Store, TokenVault

migrations = Migrations("hostbot")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["people"].create(  # type: ignore[union-attr]
        {
            "platform": str,
            "chat_user": str,
            "name": str,
            "email": str,
            "feishu_open_id": str,
            "feishu_union_id": str,
            "dingtalk_union_id": str,
            "webex_email": str,
            "zoom_email": str,
            "source": str,  # "mapping" (set by an admin) or "profile" (looked up, cached)
            "updated_at": str,
        },
        pk=("platform", "chat_user"),
        defaults={"name": "", "email": "", "feishu_open_id": "", "feishu_union_id": "",
                  "dingtalk_union_id": "", "webex_email": "", "zoom_email": "", "source": "mapping"},
    )
    db["people"].create_index(["platform", "name"])  # type: ignore[union-attr]
    db["people"].create_index(["feishu_open_id"])  # type: ignore[union-attr]
    db["links"].create(  # type: ignore[union-attr]
        {"platform": str, "scope": str, "vendor": str, "meeting_id": str, "linked_by": str, "linked_at": str},
        pk=("platform", "scope"),
    )
    db["deliveries"].create(  # type: ignore[union-attr]
        {"platform": str, "key": str, "seen_at": str},
        pk=("platform", "key"),
    )
    db["proposals"].create(  # type: ignore[union-attr]
        {
            "id": str,
            "platform": str,
            "requester": str,  # who may press the buttons
            "action": str,  # what runs on the positive choice, e.g. "set_host"
            "payload": str,  # JSON: everything needed to run it again
            "channel": str,
            "thread": str,
            "created_at": str,
            "expires_at": str,
            "status": str,  # pending -> claimed -> done | cancelled | expired
            "resolved_by": str,
            "resolved_at": str,
        },
        pk="id",
        defaults={"status": "pending", "resolved_by": "", "resolved_at": ""},
    )
    db["audit"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "at": str,
            "platform": str,
            "chat_user": str,
            "intent": str,
            "event": str,  # request | decision | outcome
            "vendor": str,
            "meeting": str,
            "vendor_ids": str,
            "outcome": str,
            "vendor_code": str,
            "latency_ms": float,
            "detail": str,
        },
        pk="id",
    )
    db["audit"].create_index(["at"])  # type: ignore[union-attr]


@migrations()
def m002_user_tokens(db: sqlite_utils.Database) -> None:
    """Tokens people granted hostbot (Feishu user_access_token: invite works only with one).

    `subject` is the vendor's id of the person (Feishu open_id). Token columns hold what the
    TokenVault sealed, never the plain token.
    """
    db["user_tokens"].create(  # type: ignore[union-attr]
        {"vendor": str, "subject": str, "token_enc": str, "refresh_enc": str, "expires_at": str, "updated_at": str},
        pk=("vendor", "subject"),
        defaults={"refresh_enc": "", "expires_at": ""},
    )


@migrations()
def m003_handovers(db: sqlite_utils.Database) -> None:
    """Scheduled handovers (bot/scheduling/book.py reads and writes them; bot/scheduling/scheduler.py runs them).

    Times are UTC ISO strings (comparable as text); `tz` is the requester's zone, for display.
    status: pending -> running -> done | failed | conflict; pending -> cancelled | missed.
    """
    db["handovers"].create(  # type: ignore[union-attr]
        {
            "id": int, "platform": str, "channel": str, "thread": str, "requester": str, "lang": str, "tz": str,
            "vendor": str, "meeting_id": str, "meeting_display": str,
            "host_id": str, "host_type": int, "host_name": str,  # the host when scheduled: re-checked when due
            "target": str, "target_id": str, "target_type": int, "target_name": str,
            "authority": str,  # why it may run unasked when due: "requester" (host/admin) | "approved"
            "due_at": str, "remind_at": str, "reminded_at": str, "created_at": str,
            "status": str, "claimed_by": str, "claimed_at": str, "finished_at": str, "result": str, "detail": str,
        },
        pk="id",
        defaults={"status": "pending", "remind_at": "", "reminded_at": "", "claimed_by": "", "claimed_at": "",
                  "finished_at": "", "result": "", "detail": "", "host_type": 1, "target_type": 1},
    )
    db["handovers"].create_index(["status", "due_at"])  # type: ignore[union-attr]


@migrations()
def m004_replicas(db: sqlite_utils.Database) -> None:
    """Replica leases (bot/store/handovers.py) and the shared vendor rate budget (bot/store/budget.py).

    SQLite serves one process, so it never uses the budget tables; they exist for one schema on both.
    """
    db["replicas"].create(  # type: ignore[union-attr]
        {"owner": str, "started_at": str, "lease_until": str}, pk="owner")
    db["rate_budget"].create(  # type: ignore[union-attr]
        {"name": str, "paused_until": float}, pk="name", defaults={"paused_until": 0.0})
    db["rate_slots"].create({"name": str, "at": float})  # type: ignore[union-attr]
    db["rate_slots"].create_index(["name", "at"])  # type: ignore[union-attr]


@migrations()
def m005_mappings(db: sqlite_utils.Database) -> None:
    """An admin's mappings, field by field (`hostbot users set`): each overrides exactly the id it
    sets; the other ids still come from the chat profile and the directories. A value of "-"
    pins "no id for this vendor". Rows that were mappings before (source = "mapping") become one
    mapping per field they held. Handovers remember when they were first due (a snooze moves an
    approved one 30 minutes in all, at most)."""
    db["mappings"].create(  # type: ignore[union-attr]
        {"platform": str, "chat_user": str, "field": str, "value": str, "set_at": str},
        pk=("platform", "chat_user", "field"),
    )
    db["mappings"].create_index(["field", "value"])  # type: ignore[union-attr]
    db["handovers"].add_column("first_due_at", str, not_null_default="")  # type: ignore[union-attr]
    for row in list(db["people"].rows_where("source = ?", ["mapping"])):
        for column in ("email", *VENDOR_ID_COLUMNS.values()):
            if row.get(column):
                db["mappings"].insert({"platform": row["platform"], "chat_user": row["chat_user"],  # type: ignore[union-attr]
                                       "field": column, "value": row[column], "set_at": row.get("updated_at") or ""})


@migrations()
def m006_undos(db: sqlite_utils.Database) -> None:
    """Undo buttons after a host or co-host change (bot/store/undos.py): what to put back, who may
    press, until when. status: pending -> claimed -> done | stale | failed; pending -> expired."""
    db["undos"].create(  # type: ignore[union-attr]
        {"id": str, "platform": str, "channel": str, "thread": str, "lang": str, "tz": str, "requester": str,
         "pressers": str, "vendor": str, "meeting_id": str, "meeting_display": str, "operation": str,
         "restore": str, "made": str, "created_at": str, "expires_at": str, "status": str,
         "resolved_by": str, "resolved_at": str},
        pk="id", defaults={"status": "pending", "resolved_by": "", "resolved_at": ""},
    )


@migrations()
def m007_running_meetings(db: sqlite_utils.Database) -> None:
    """Meetings running now, as Feishu's tenant events tell them (bot/store/running.py): a hint for
    "this meeting" when nothing names one. status: running | ended."""
    db["running_meetings"].create(  # type: ignore[union-attr]
        {"vendor": str, "meeting_id": str, "host": str, "owner": str, "topic": str, "number": str, "status": str,
         "updated_at": str},
        pk=("vendor", "meeting_id"),
    )
    db["running_meetings"].create_index(["vendor", "host"])  # type: ignore[union-attr]


@migrations()
def m008_leases(db: sqlite_utils.Database) -> None:
    """Named leases (bot/store/leases.py): one change per meeting at a time on vendors without a
    compare-and-swap, one Feishu user-token renewal per person, across replicas."""
    db["leases"].create({"name": str, "holder": str, "until": str}, pk="name")  # type: ignore[union-attr]


@migrations()
def m009_role_reverts(db: sqlite_utils.Database) -> None:
    """Roles that expire ("make @bob co-host for 30 minutes"): a handover may put a co-host change back
    (operation remove_cohost; set_host as before), and the Undo of the change names the handover that
    would put it back (cancelled with the Undo)."""
    db["handovers"].add_column("operation", str, not_null_default="set_host")  # type: ignore[union-attr]
    db["undos"].add_column("handover", str, not_null_default="")  # type: ignore[union-attr]


def private_files(path: str) -> None:
    """The database and its -wal/-shm readable by the owner only (0600): they hold tokens and the audit.

    A new file is created 0600 before SQLite opens it (SQLite then gives -wal and -shm the main
    file's mode); a file an older hostbot created 0644 is narrowed."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for name in (path, f"{path}-wal", f"{path}-shm"):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(os.stat(name).st_mode) & 0o077:
                os.chmod(name, 0o600)


class WriteTurns:
    """One writer at a time among this process's connections to one SQLite file, in the order they asked.

    SQLite has no queue for its write lock: a connection that finds it taken sleeps and polls (1, 2, 5 …
    100 ms apart) until busy_timeout. Beside another connection that writes without pause (retention's
    batches, a second Store on the same file, a test's writer), the lock is taken again between two polls
    nearly every time, and a bot write fails after 5 s with "database is locked" although every commit is
    short. Taking turns here first (a ticket lock: FIFO, reentrant per thread) means a write of this
    process never polls against another write of this process; SQLite's busy_timeout still covers other
    processes (`hostbot users`, a backup)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = self._serving = 0
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return
            ticket, self._next = self._next, self._next + 1
            while ticket != self._serving:
                self._cond.wait()
            self._owner, self._depth = me, 1

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._serving += 1
                self._cond.notify_all()


_TURNS: dict[str, WriteTurns] = {}
_TURNS_LOCK = threading.Lock()


def write_turns(path: str) -> WriteTurns:
    """The turns of every connection of this process to the file at `path` (each ":memory:" its own)."""
    if path == ":memory:":
        return WriteTurns()
    with _TURNS_LOCK:
        return _TURNS.setdefault(os.path.realpath(path), WriteTurns())


class SqliteStore(Store):
    """The Store on a SQLite file (or ":memory:"), WAL, a 5 s busy timeout."""

    kind = "sqlite"

    def __init__(self, path: str, clock: Clock | None = None, vault: TokenVault | None = None,
                 pool_size: int = 0) -> None:  # pool_size: PostgreSQL's; one connection here
        self._setup(path, clock, vault)
        if path != ":memory:":
            private_files(path)
        self.db = sqlite_utils.Database(path)
        self._turns = write_turns(path)
        if path != ":memory:":
            self.db.enable_wal()
        self.db.execute("PRAGMA busy_timeout = 5000")
        # synchronous stays FULL (WAL's default here): every commit is on disk before hostbot acts on it, so a
        # delivery id, a claim or an audit row survives a power loss too. Writers of this process take turns
        # (WriteTurns) instead of polling SQLite's lock against each other.
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    def schema_version(self) -> list[str]:
        return [m.name for m in migrations.applied(self.db)]

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.db.execute(sql, list(args))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _write_rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._turns:
            try:
                return self._rows(sql, args)
            finally:
                self.db.conn.commit()

    def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        with self._turns:
            cur = self.db.execute(sql, list(args))
            self.db.conn.commit()
            return int(cur.rowcount)

    def _insert_id(self, sql: str, args: Sequence[Any] = ()) -> int:
        rows = self._write_rows(sql, args)
        return int(rows[0]["id"])

    def _batch(self, statements: Iterable[Statement]) -> None:
        with self._turns, self.db.conn:  # commits, or rolls back on an exception
            for sql, args in statements:
                self.db.conn.execute(sql, list(args))
