"""The store's queries on one blocking SQLite connection (sqlite-utils): the primitives of bot/store/rows/.

They never suspend, so `drive()` runs a query to its end: the synchronous Store (bot/store/sqlite/store.py)
calls them so, and so does the writer thread of the bot's AsyncStore (bot/store/sqlite/writer.py). Writes take
this process's turns at the file (bot/store/sqlite/turns.py) and commit with synchronous=FULL: a delivery id,
a claim or an audit row is on disk before hostbot acts on it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import sqlite_utils

from bot.store.rows.base import AsyncStore, Clock, Statement
from bot.store.rows.tokens import TokenVault
from bot.store.sqlite.turns import WriteTurns

T = TypeVar("T")


class SqliteRows(AsyncStore):
    """AsyncStore's primitives on one sqlite-utils connection, blocking (see the module docstring)."""

    kind = "sqlite"

    def __init__(self, db: sqlite_utils.Database, turns: WriteTurns, path: str, clock: Clock,
                 vault: TokenVault) -> None:
        self.db, self._turns = db, turns
        self.path, self.clock, self.vault = path, clock, vault
        self._in_tx = False  # inside atomic(): statements join its transaction, nothing commits alone

    async def aclose(self) -> None:
        self.db.close()

    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.db.execute(sql, list(args))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """A write on its own commits when done; inside atomic() it waits for the transaction's end."""
        if self._in_tx:
            yield
            return
        with self._turns:
            try:
                yield
            finally:
                self.db.conn.commit()

    async def _write_rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._write():
            return await self._rows(sql, args)

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        with self._write():
            return int(self.db.execute(sql, list(args)).rowcount)

    async def _insert_id(self, sql: str, args: Sequence[Any] = ()) -> int:
        rows = await self._write_rows(sql, args)
        return int(rows[0]["id"])

    async def _batch(self, statements: Iterable[Statement]) -> None:
        if self._in_tx:
            for sql, args in statements:
                self.db.conn.execute(sql, list(args))
            return
        with self._turns, self.db.conn:  # commits, or rolls back on an exception
            for sql, args in statements:
                self.db.conn.execute(sql, list(args))

    async def atomic(self, body: Callable[[AsyncStore], Awaitable[T]]) -> T:
        if self._in_tx:  # already inside one: the outer transaction holds it all
            return await body(self)
        with self.in_transaction():
            return await body(self)

    @contextlib.contextmanager
    def in_transaction(self) -> Iterator[None]:
        """One write transaction for what runs inside: committed at the end, or rolled back on an exception."""
        with self._turns, self.db.conn:  # commits, or rolls back on an exception
            # opened here, not by the first write: sqlite-utils commits a write made outside a transaction at once
            self.db.conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield
            finally:
                self._in_tx = False


def connect(path: str) -> sqlite_utils.Database:
    """A connection to the file (any thread may use it, one at a time), WAL, a 5 s busy timeout."""
    db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
    if path != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA busy_timeout = 5000")
    return db
