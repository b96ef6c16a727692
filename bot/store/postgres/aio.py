"""The running bot's PostgreSQL store: the queries of bot/store/rows/ on psycopg's AsyncConnectionPool.

Every statement is awaited, so a database one or two milliseconds away costs the request that waits for it
and nothing else: acks, other requests and /healthz go on meanwhile. The pool opens on first use (it needs
the event loop) and closes in `aclose`, after the requests in flight (bot/ops/server.py Runtime.aclose).
Connections are autocommit, as the synchronous pool's (bot/store/postgres/store.py); `atomic` holds one
connection in a transaction for its body. `ping` (GET /healthz) does not queue for the pool behind the
requests: it has a connection and a loop of its own (bot/store/postgres/ping.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.store.postgres.conn import CONNECT_TIMEOUT_S, pg_sql, pool_kwargs, redact, unreachable
from bot.store.postgres.ping import Pinger
from bot.store.rows.base import AsyncStore, Clock, Statement
from bot.store.rows.tokens import TokenVault

T = TypeVar("T")


class AsyncPgStore(AsyncStore):
    """AsyncStore on an AsyncConnectionPool (see the module docstring)."""

    kind = "postgresql"
    shared = True
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, path: str, clock: Clock, vault: TokenVault, pool_size: int) -> None:
        self.path, self.clock, self.vault = path, clock, vault
        self.pool = AsyncConnectionPool(path, min_size=1, max_size=max(1, pool_size), open=False,
                                        name="hostbot-async", timeout=CONNECT_TIMEOUT_S,
                                        kwargs=pool_kwargs(CONNECT_TIMEOUT_S))
        self._opened: asyncio.Lock | None = None
        self._is_open = False
        self._tx: psycopg.AsyncConnection[Any] | None = None  # inside atomic(): its connection
        self._pinger = Pinger(path)

    def describe(self) -> str:
        return redact(self.path)

    async def _open(self) -> None:
        if self._is_open:
            return
        self._opened = self._opened or asyncio.Lock()
        async with self._opened:
            if not self._is_open:
                try:
                    await self.pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
                except (PoolTimeout, psycopg.Error) as err:
                    raise unreachable(self.path, err) from None
                self._is_open = True

    @contextlib.asynccontextmanager
    async def _conn(self, timeout: float | None = None) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        if self._tx is not None:
            yield self._tx
            return
        await self._open()
        async with self.pool.connection(timeout=timeout) as conn:
            yield conn

    async def ping(self, max_age: float = 0.0) -> None:
        """`SELECT 1` within PING_S, beside the pool (bot/store/postgres/ping.py): a load balancer's health
        check must not hang on a dead database, nor wait behind the requests that keep the pool busy."""
        await self._pinger.ping(max_age)

    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        async with self._conn() as conn:
            cur = await conn.execute(pg_sql(sql), list(args))
            return list(await cur.fetchall()) if cur.description else []

    async def _write_rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return await self._rows(sql, args)  # autocommit: committed when it returns

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        async with self._conn() as conn:
            return int((await conn.execute(pg_sql(sql), list(args))).rowcount)

    async def _insert_id(self, sql: str, args: Sequence[Any] = ()) -> int:
        return int((await self._rows(sql, args))[0]["id"])

    async def _batch(self, statements: Iterable[Statement]) -> None:
        async with self._conn() as conn, conn.transaction():
            for sql, args in statements:
                await conn.execute(pg_sql(sql), list(args))

    async def atomic(self, body: Callable[[AsyncStore], Awaitable[T]]) -> T:
        async with self._conn() as conn, conn.transaction():
            tx = copy.copy(self)
            tx._tx = conn
            return await body(tx)

    async def aclose(self) -> None:
        await asyncio.to_thread(self._pinger.close)
        if self._is_open:
            await self.pool.close()
