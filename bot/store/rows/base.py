"""The store's queries, written once for both backends and for both ways of calling them.

`AsyncStore` holds every read and write hostbot makes, as `async def` methods over the primitives a backend
supplies (`_rows`, `_scan`, `_exec`, `_write_rows`, `_insert_id`, `_batch`) and `atomic`, in the common SQL of
SQLite (3.35+) and PostgreSQL (`INSERT … ON CONFLICT`, `RETURNING`, text times in one fixed UTC format; `?`
placeholders, which PostgreSQL's backends translate). Backends:

    bot/store/postgres/aio.py   AsyncConnectionPool: the primitives really await (the running bot)
    bot/store/sqlite/writer.py  one writer thread for every write, index reads inline (the running bot)
    bot/store/sqlite/rows.py, bot/store/postgres/store.py
                                blocking primitives that never suspend: `drive()` runs a query to its end
                                without a loop, which is how the synchronous Store (bot/store/store.py) of the
                                command-line tools and the SQLite writer thread call the same code

Everything that must happen once is decided by the database, never by a read-then-write in
Python: a delivery id by a primary key (`ON CONFLICT DO NOTHING` inserts one row, once), a
proposal claim by a conditional UPDATE (only one can match `status = 'pending'`). Mixins: handover
rows, replica leases (bot/store/rows/handovers.py); Undo rows (bot/store/rows/undos.py); reads for the Home tab
(bot/store/rows/home.py); user tokens through the vault (bot/store/rows/tokens.py); named leases
(bot/store/rows/leases.py); meetings running now (bot/store/rows/running.py).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.store.rows.handovers import HandoverRows, iso
from bot.store.rows.home import HomeRows
from bot.store.rows.leases import LeaseRows
from bot.store.rows.running import RunningRows
from bot.store.rows.tokens import TokenRows, TokenVault
from bot.store.rows.undos import UndoRows

Clock = Callable[[], datetime]
Statement = tuple[str, Sequence[Any]]

# Columns of `people` that hold a vendor id, by vendor key used in `hostbot users set`.
VENDOR_ID_COLUMNS: dict[str, str] = {
    "feishu": "feishu_open_id",
    "feishu_union": "feishu_union_id",
    "dingtalk": "dingtalk_union_id",
    "webex": "webex_email",
    "zoom": "zoom_email",
}
PEOPLE_COLUMNS = ("name", "email", *VENDOR_ID_COLUMNS.values(), "source")
AUDIT_COLUMNS = ("at", "platform", "chat_user", "intent", "event", "vendor", "meeting", "vendor_ids", "outcome",
                 "vendor_code", "latency_ms", "detail")


@dataclass(frozen=True)
class Proposal:
    id: str
    platform: str
    requester: str
    action: str
    payload: dict[str, Any]
    channel: str
    thread: str
    status: str
    expires_at: datetime

    @property
    def pressers(self) -> list[str]:
        """Who may press its buttons: `requester` holds one chat user id, or several separated by spaces."""
        return self.requester.split()


def _set_mapping_sql(platform: str, chat_user: str, field: str, value: str, at: str) -> Statement:
    return ("INSERT INTO mappings (platform, chat_user, field, value, set_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, chat_user, field) DO UPDATE SET value = excluded.value, set_at = excluded.set_at",
            [platform, chat_user, field, value, at])


class ClaimError(Exception):
    """A proposal could not be claimed; `why` is 'unknown', 'used', 'expired' or 'not_yours'."""

    def __init__(self, why: str, proposal: Proposal | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.proposal = proposal


T = TypeVar("T")


def drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a query on a backend whose primitives block instead of suspending: it ends at the first step."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("a store query on a blocking backend waited for something else than its database")


class AsyncStore(HandoverRows, UndoRows, HomeRows, TokenRows, RunningRows, LeaseRows):
    """What hostbot keeps, awaited (see the module docstring); `bot.store.open_async` gives the running bot's."""

    kind = "?"  # "sqlite" | "postgresql": /healthz and `hostbot doctor` say which
    shared = False  # True when several processes may share it (replica leases matter, not pids)
    path: str
    clock: Clock
    vault: TokenVault

    # ---- what a backend supplies -----------------------------------------------------------------
    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement and commit; the number of rows it changed."""
        raise NotImplementedError

    async def _insert_id(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run an INSERT … RETURNING id and commit; the new id."""
        raise NotImplementedError

    async def _batch(self, statements: Iterable[Statement]) -> None:
        """Run statements in one transaction: all or none."""
        raise NotImplementedError

    async def _scan(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """A read that is not one index lookup (a list, a LIKE): SQLite runs it off the event loop."""
        return await self._rows(sql, args)

    async def atomic(self, body: Callable[[AsyncStore], Awaitable[T]]) -> T:
        """Run `body(tx)` in one transaction: every write it makes through `tx` commits together, or none.
        `body` awaits only `tx` (on SQLite it runs on the writer thread)."""
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

    async def ping(self, max_age: float = 0.0) -> None:
        """Raise when the database cannot be reached (GET /healthz). `max_age`: an answer the database gave at
        most that many seconds ago will do (PostgreSQL: bot/store/postgres/ping.py); a local file is asked."""
        await self._rows("SELECT 1 AS ok")

    def describe(self) -> str:
        """Where the data is, without a password (logs, /healthz, doctor)."""
        return self.path

    def now(self) -> datetime:
        return self.clock()

    async def _one(self, sql: str, args: Sequence[Any] = ()) -> dict[str, Any] | None:
        return next(iter(await self._rows(sql, args)), None)

    async def _one_scan(self, sql: str, args: Sequence[Any] = ()) -> dict[str, Any] | None:
        return next(iter(await self._scan(sql, args)), None)

    # ---- exactly-once ledger -------------------------------------------------------------
    async def first_delivery(self, platform: str, key: str) -> bool:
        """Record a delivery id; True only the first time this (platform, key) is seen."""
        return await self._exec("INSERT INTO deliveries (platform, key, seen_at) VALUES (?, ?, ?) "
                          "ON CONFLICT (platform, key) DO NOTHING", [platform, key, iso(self.now())]) == 1

    # ---- people --------------------------------------------------------------------------
    @staticmethod
    def _upsert_person_sql(platform: str, chat_user: str, updated_at: str, fields: dict[str, str]) -> Statement:
        unknown = set(fields) - set(PEOPLE_COLUMNS)
        if unknown:
            raise ValueError(f"people has no column {sorted(unknown)}")
        cols = ["platform", "chat_user", "updated_at", *fields]
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols[2:])
        sql = (f"INSERT INTO people ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
               f"ON CONFLICT (platform, chat_user) DO UPDATE SET {sets}")
        return sql, [platform, chat_user, updated_at, *fields.values()]

    async def upsert_person(self, platform: str, chat_user: str, **fields: str) -> None:
        """Cache what a lookup found (source="profile"). Otherwise (source="mapping", the default)
        the ids given are an admin's word: each is kept as a mapping too (table `mappings`), so a
        later lookup cannot overwrite it."""
        at = iso(self.now())
        await self._batch([self._upsert_person_sql(platform, chat_user, at, fields),
                     *self._mapping_sql(platform, chat_user, at, fields)])

    async def upsert_people(self, rows: Iterable[tuple[str, str, dict[str, str]]]) -> None:
        """(platform, chat_user, fields) for each person: all stored, or none (`hostbot users import`)."""
        at = iso(self.now())
        statements: list[Statement] = []
        for p, u, f in rows:
            statements += [self._upsert_person_sql(p, u, at, f), *self._mapping_sql(p, u, at, f)]
        await self._batch(statements)

    @staticmethod
    def _mapping_sql(platform: str, chat_user: str, at: str, fields: dict[str, str]) -> list[Statement]:
        if fields.get("source", "mapping") != "mapping":
            return []
        return [_set_mapping_sql(platform, chat_user, column, fields[column], at)
                for column in ("email", *VENDOR_ID_COLUMNS.values()) if fields.get(column)]

    # ---- mappings: an admin's ids, field by field (bot/core/identity/resolver.py merges them) ---
    async def set_mapping(self, platform: str, chat_user: str, field: str, value: str) -> None:
        """Map one field ("email" or a VENDOR_ID_COLUMNS column); value "-" pins "none", "" clears."""
        if not value:
            await self._exec("DELETE FROM mappings WHERE platform = ? AND chat_user = ? AND field = ?",
                       [platform, chat_user, field])
            return
        await self._exec(*_set_mapping_sql(platform, chat_user, field, value, iso(self.now())))

    async def mappings_of(self, platform: str, chat_user: str) -> dict[str, str]:
        return {str(r["field"]): str(r["value"]) for r in await self._rows(
            "SELECT field, value FROM mappings WHERE platform = ? AND chat_user = ?", [platform, chat_user])}

    async def mapped_chat_user(self, platform: str, field: str, value: str) -> str | None:
        """The chat user on `platform` an admin mapped to `value` (case-insensitive; one, or None)."""
        rows = await self._scan("SELECT chat_user FROM mappings WHERE platform = ? AND field = ? AND lower(value) = "
                          "lower(?) LIMIT 2", [platform, field, value])
        return str(rows[0]["chat_user"]) if len(rows) == 1 else None

    async def all_mappings(self) -> list[dict[str, Any]]:
        return await self._scan("SELECT * FROM mappings ORDER BY platform, chat_user, field")

    async def person(self, platform: str, chat_user: str) -> dict[str, Any] | None:
        return await self._one("SELECT * FROM people WHERE platform = ? AND chat_user = ?", [platform, chat_user])

    async def people_named(self, platform: str, name: str) -> list[dict[str, Any]]:
        """People whose chat id or display name matches `name` (case-insensitive)."""
        return await self._scan("SELECT * FROM people WHERE platform = ? AND (lower(chat_user) = lower(?) "
                          "OR lower(name) = lower(?)) ORDER BY chat_user", [platform, name, name])

    async def person_by_vendor_id(self, vendor: str, vendor_id: str,
                                  platform: str | None = None) -> dict[str, Any] | None:
        """The person whose `vendor` id is `vendor_id` (on `platform`, when given)."""
        column = VENDOR_ID_COLUMNS[vendor]
        if column != "feishu_open_id":  # the one vendor id with an index of its own
            return await self._one_scan(*self._by_vendor_id_sql(column, vendor_id, platform))
        return await self._one(*self._by_vendor_id_sql(column, vendor_id, platform))

    @staticmethod
    def _by_vendor_id_sql(column: str, vendor_id: str, platform: str | None) -> Statement:
        if platform is None:
            return f"SELECT * FROM people WHERE {column} = ? ORDER BY platform, chat_user LIMIT 1", [vendor_id]
        return (f"SELECT * FROM people WHERE platform = ? AND {column} = ? ORDER BY chat_user LIMIT 1",
                [platform, vendor_id])

    async def person_by_email(self, platform: str, email: str) -> dict[str, Any] | None:
        return await self._one_scan("SELECT * FROM people WHERE platform = ? AND lower(email) = lower(?) "
                         "ORDER BY chat_user LIMIT 1", [platform, email])

    async def platforms_of(self, chat_user: str) -> list[str]:
        """The platforms where a person with this chat user id is known."""
        return [str(r["platform"]) for r in await self._scan(
            "SELECT platform FROM people WHERE chat_user = ? ORDER BY platform", [chat_user])]

    async def all_people(self) -> list[dict[str, Any]]:
        return await self._scan("SELECT * FROM people ORDER BY platform, chat_user")

    async def chat_names(self, platform: str) -> list[str]:
        """Every chat user id and display name known on `platform` (the parser's "did you mean @alice?"):
        read on each message, so only the two columns of that platform's rows."""
        rows = await self._rows("SELECT chat_user, name FROM people WHERE platform = ? ORDER BY chat_user",
                          [platform])
        return [str(v) for r in rows for v in (r["chat_user"], r["name"]) if v]

    # ---- links: thread/channel -> meeting ------------------------------------------------------
    async def link(self, platform: str, scope: str) -> dict[str, Any] | None:
        return await self._one("SELECT * FROM links WHERE platform = ? AND scope = ?", [platform, scope])

    async def set_link(self, platform: str, scope: str, vendor: str, meeting_id: str, linked_by: str) -> None:
        await self._exec("INSERT INTO links (platform, scope, vendor, meeting_id, linked_by, linked_at) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, scope) DO UPDATE SET vendor = excluded.vendor, "
                   "meeting_id = excluded.meeting_id, linked_by = excluded.linked_by, linked_at = excluded.linked_at",
                   [platform, scope, vendor, meeting_id, linked_by, iso(self.now())])

    # ---- proposals (buttons, OAuth states) ----------------------------------------------------
    async def create_proposal(self, *, platform: str, requester: str, action: str, payload: dict[str, Any],
                        channel: str = "", thread: str = "", ttl: timedelta = timedelta(minutes=5)) -> str:
        pid = secrets.token_urlsafe(9)
        now = self.now()
        await self._exec("INSERT INTO proposals (id, platform, requester, action, payload, channel, thread, "
                         "created_at, expires_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                   [pid, platform, requester, action, json.dumps(payload, ensure_ascii=False), channel, thread,
                    iso(now), iso(now + ttl)])
        return pid

    async def get_proposal(self, pid: str) -> Proposal | None:
        r = await self._one("SELECT * FROM proposals WHERE id = ?", [pid])
        if r is None:
            return None
        return Proposal(
            id=r["id"], platform=r["platform"], requester=r["requester"], action=r["action"],
            payload=json.loads(r["payload"]), channel=r["channel"], thread=r["thread"], status=r["status"],
            expires_at=datetime.fromisoformat(r["expires_at"]),
        )

    async def latest_proposal(self, platform: str, requester: str, channel: str) -> Proposal | None:
        """The newest question `requester` alone may answer in `channel` (a Confirm), still open (typed "cancel")."""
        rows = await self._scan("SELECT id FROM proposals WHERE platform = ? AND requester = ? AND channel = ? "
                          "AND status = 'pending' AND expires_at > ? ORDER BY created_at DESC LIMIT 1",
                          [platform, requester, channel, iso(self.now())])
        found = await self.get_proposal(str(rows[0]["id"])) if rows else None
        return found if found is not None and "intent" in found.payload else None  # not an OAuth state

    async def open_approvals(self, platform: str, user: str) -> list[Proposal]:
        """Approval requests `user` may still answer (pending, unexpired), oldest first."""
        rows = await self._scan("SELECT id FROM proposals WHERE platform = ? AND status = 'pending' AND expires_at > ? "
                          "AND (' ' || requester || ' ') LIKE ? ORDER BY created_at, id",
                          [platform, iso(self.now()), f"% {user} %"])
        found = [await self.get_proposal(str(r["id"])) for r in rows]
        return [p for p in found if p is not None and user in p.pressers and p.payload.get("kind") == "approval"]

    async def claim_proposal(self, pid: str, user: str, *, outcome: str = "claimed") -> Proposal:
        """Atomically move a pending, unexpired proposal of `user` to `outcome`; else raise ClaimError.

        The conditional UPDATE is what makes a double click, a redelivered click or a click racing
        another one (on another replica too) run the action at most once: only one UPDATE can
        match status='pending' (PostgreSQL re-checks the WHERE after a concurrent update commits).
        """
        proposal = await self.get_proposal(pid)
        if proposal is None:
            raise ClaimError("unknown")
        if user not in proposal.pressers:
            raise ClaimError("not_yours", proposal)
        now = self.now()
        if await self._exec("UPDATE proposals SET status = ?, resolved_by = ?, resolved_at = ? "
                      "WHERE id = ? AND status = 'pending' AND expires_at > ?",
                      [outcome, user, iso(now), pid, iso(now)]) == 1:
            return proposal
        if proposal.status == "pending" and proposal.expires_at <= now:
            await self._exec("UPDATE proposals SET status = 'expired' WHERE id = ? AND status = 'pending'", [pid])
            raise ClaimError("expired", proposal)
        raise ClaimError("used", proposal)

    async def finish_proposal(self, pid: str, status: str) -> None:
        await self._exec("UPDATE proposals SET status = ? WHERE id = ?", [status, pid])

    # ---- audit ---------------------------------------------------------------------------
    async def audit(self, **row: Any) -> None:
        row.setdefault("at", iso(self.now()))
        for key in AUDIT_COLUMNS:
            row.setdefault(key, 0.0 if key == "latency_ms" else "")
        unknown = set(row) - set(AUDIT_COLUMNS)
        if unknown:
            raise ValueError(f"audit has no column {sorted(unknown)}")
        cols = list(row)
        await self._exec(f"INSERT INTO audit ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                   [row[c] for c in cols])

    async def audit_rows(self, since: datetime | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """Audit rows, oldest first, optionally only from `since` on and only for chat user `user`."""
        where, args = [], []
        if since is not None:
            where.append("at >= ?")
            args.append(iso(since))
        if user:
            where.append("chat_user = ?")
            args.append(user)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return await self._scan(f"SELECT * FROM audit{clause} ORDER BY id", args)
