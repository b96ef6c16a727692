"""The running bot's SQLite store: the event loop never waits for the file.

    writes        one writer thread, in the order they were asked (the store's connection; this process's
                  turns at the file as before), committed with synchronous=FULL before their awaits return: the
                  writes waiting together share one transaction and one fsync (bot/store/sqlite/group.py)
    index reads   inline, on a read-only connection of their own (WAL: a reader never waits for the writer);
                  one primary-key or index lookup: p50 8-11 us, p99 under 0.2 ms with 2,000 rows a table on the
                  2-core machine of bench/RESULTS.md (issue 27's note)
    other reads   a list or a LIKE over a table (`_scan`): one reader thread, on a third connection
    atomic(body)  the whole body on the writer thread, in one transaction

A ":memory:" database exists on one connection only, so there every statement runs on the writer thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from bot.store.rows.base import AsyncStore, Statement, drive
from bot.store.sqlite.group import GroupWriter
from bot.store.sqlite.rows import SqliteRows, connect
from bot.store.sqlite.turns import WriteTurns

T = TypeVar("T")


class AsyncSqliteStore(AsyncStore):
    """AsyncStore on a SQLite file: a writer thread, inline index reads (see the module docstring)."""

    kind = "sqlite"

    def __init__(self, rows: SqliteRows) -> None:
        self.path, self.clock, self.vault = rows.path, rows.clock, rows.vault
        self._w = rows  # the synchronous Store's connection: from now on, used on the writer thread only
        self._writer = GroupWriter(rows)
        self._reader: SqliteRows | None = None
        self._scanner: SqliteRows | None = None
        self._scans: ThreadPoolExecutor | None = None
        if self.path != ":memory:":
            self._reader, self._scanner = (
                SqliteRows(connect(self.path), WriteTurns(), self.path, self.clock, self.vault) for _ in range(2))
            for rows in (self._reader, self._scanner):
                rows.db.execute("PRAGMA query_only = 1")
            # never a busy wait on the loop: a read that finds the file busy (a checkpoint restarting the WAL) is
            # handed to the reader thread, whose connection waits (SQLite sleeps 1, 2, 5 … ms between tries)
            self._reader.db.execute("PRAGMA busy_timeout = 0")
            self._scans = ThreadPoolExecutor(1, thread_name_prefix="hostbot-store-reader")

    async def _on_writer(self, work: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self._writer.submit(work))

    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        if self._reader is None:
            return await self._on_writer(lambda: drive(self._w._rows(sql, args)))
        try:
            return drive(self._reader._rows(sql, args))
        except sqlite3.OperationalError as err:
            if not busy(err):
                raise
            return await self._scan(sql, args)

    async def _scan(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        scanner, scans = self._scanner, self._scans
        if scanner is None or scans is None:
            return await self._on_writer(lambda: drive(self._w._rows(sql, args)))
        return await asyncio.get_running_loop().run_in_executor(scans, lambda: drive(scanner._rows(sql, args)))

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        return await self._on_writer(lambda: drive(self._w._exec(sql, args)))

    async def _write_rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return await self._on_writer(lambda: drive(self._w._write_rows(sql, args)))

    async def _insert_id(self, sql: str, args: Sequence[Any] = ()) -> int:
        return await self._on_writer(lambda: drive(self._w._insert_id(sql, args)))

    async def _batch(self, statements: Iterable[Statement]) -> None:
        todo = list(statements)
        await self._on_writer(lambda: drive(self._w._batch(todo)))

    async def atomic(self, body: Callable[[AsyncStore], Awaitable[T]]) -> T:
        return await self._on_writer(lambda: drive(self._w.atomic(body)))

    async def aclose(self) -> None:
        """Finish the writes already asked for, then close the reading connections (the Store closes its own)."""
        await asyncio.to_thread(self._writer.close)
        if self._scans is not None:
            await asyncio.to_thread(self._scans.shutdown, wait=True)
        for rows in (self._reader, self._scanner):
            if rows is not None:
                rows.db.close()


def busy(err: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED: another connection holds what this read needs for a moment."""
    code = getattr(err, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(err) or "busy" in str(err)
