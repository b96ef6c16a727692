"""The PostgreSQL store (`HOSTBOT_DB=postgresql://user:pass@host/db`): several replicas, one database.

Two pools on the same database: psycopg_pool's ConnectionPool behind the synchronous Store (start-up,
migrations, the command-line tools, the vendors' shared rate budget, which its caller books from a worker
thread: bot/store/postgres/budget.py, retention), and an AsyncConnectionPool behind the running bot's
AsyncStore (bot/store/postgres/aio.py), which every request awaits: no statement waits on the event loop.

Connections are autocommit: one statement is one transaction, which is exactly what the
conditional UPDATEs of the Store need (PostgreSQL re-checks an UPDATE's WHERE when a concurrent
writer commits first, so only one of two racing claims changes the row). Multi-statement work
(`_batch`, `atomic`, migrations, the rate budget) uses an explicit transaction. Placeholders: the Store's
SQL uses `?`, translated to psycopg's `%s` once per statement text.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.config import DEFAULT_DB_POOL
from bot.store.postgres import schema as pg_schema
from bot.store.postgres.aio import AsyncPgStore
from bot.store.postgres.budget import SharedBudget
from bot.store.postgres.conn import CONNECT_TIMEOUT_S, PING_S, pg_sql, pool_kwargs, redact, unreachable
from bot.store.rows.base import AsyncStore, Clock, Statement
from bot.store.rows.tokens import NoKeyVault, TokenVault
from bot.store.store import Store

T = TypeVar("T")


class PgRows(AsyncStore):
    """AsyncStore's primitives on the blocking pool: they never suspend (bot/store/rows/base.drive)."""

    kind = "postgresql"
    shared = True
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, pool: ConnectionPool, path: str, clock: Clock, vault: TokenVault) -> None:
        self.pool, self.path, self.clock, self.vault = pool, path, clock, vault
        self._tx: psycopg.Connection | None = None  # inside atomic(): its connection

    @contextlib.contextmanager
    def _conn(self) -> Iterator[psycopg.Connection]:
        if self._tx is not None:
            yield self._tx
            return
        with self.pool.connection() as conn:
            yield conn

    def describe(self) -> str:
        return redact(self.path)

    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._conn() as conn:
            cur = conn.execute(pg_sql(sql), list(args))
            return list(cur.fetchall()) if cur.description else []  # type: ignore[arg-type]

    async def _write_rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return await self._rows(sql, args)  # autocommit: committed when it returns

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        with self._conn() as conn:
            return int(conn.execute(pg_sql(sql), list(args)).rowcount)

    async def _insert_id(self, sql: str, args: Sequence[Any] = ()) -> int:
        return int((await self._rows(sql, args))[0]["id"])

    async def _batch(self, statements: Iterable[Statement]) -> None:
        with self._conn() as conn, conn.transaction():
            for sql, args in statements:
                conn.execute(pg_sql(sql), list(args))

    async def atomic(self, body: Callable[[AsyncStore], Awaitable[T]]) -> T:
        with self._conn() as conn, conn.transaction():
            tx = copy.copy(self)
            tx._tx = conn
            return await body(tx)

    async def aclose(self) -> None:
        self.pool.close()


class PostgresStore(Store):
    """The synchronous Store on a psycopg 3 connection pool (see the module docstring)."""

    kind = "postgresql"
    shared = True

    def __init__(self, path: str, clock: Clock | None = None, vault: TokenVault | None = None,
                 pool_size: int = DEFAULT_DB_POOL) -> None:
        self.pool_size = max(1, pool_size)
        self.pool = ConnectionPool(path, min_size=1, max_size=self.pool_size, open=False, name="hostbot",
                                   timeout=CONNECT_TIMEOUT_S, kwargs=pool_kwargs(CONNECT_TIMEOUT_S))
        self._q = PgRows(self.pool, path, clock or (lambda: datetime.now(UTC)), vault or NoKeyVault())
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
            with self.pool.connection() as conn:
                pg_schema.apply(conn)
        except (PoolTimeout, psycopg.Error) as err:
            self.pool.close()
            raise unreachable(path, err) from None

    @property
    def skip_locked(self) -> str:
        return PgRows.skip_locked

    def aio(self) -> AsyncStore:
        return AsyncPgStore(self.path, self.clock, self.vault, self.pool_size)

    def close(self) -> None:
        self.pool.close()

    def ping(self, max_age: float = 0.0) -> None:
        """`SELECT 1` within PING_S (the CLIs' check: always asked, `max_age` is the running bot's)."""
        self._guard("ping")
        with self.pool.connection(timeout=PING_S) as conn:
            conn.execute("SELECT 1")

    def schema_version(self) -> list[str]:
        self._guard("schema_version")
        with self.pool.connection() as conn:
            return pg_schema.applied(conn)

    def rate_budget(self) -> SharedBudget:
        """The vendor rate budget these replicas share (bot/store/postgres/budget.py)."""
        return SharedBudget(self.pool)
