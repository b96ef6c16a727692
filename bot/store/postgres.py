"""The PostgreSQL store (`HOSTBOT_DB=postgresql://user:pass@host/db`): several replicas, one database.

Driver: psycopg 3 with psycopg_pool's *synchronous* ConnectionPool. The Store interface is
synchronous and called from async code (handlers, dispatch, the scheduler), as with SQLite; every
call here is one short statement on an indexed key (a fraction of a millisecond on a LAN), so it
runs on the event loop like a SQLite call does, instead of rewriting every caller to await. The one
call that can be frequent under load — taking a slot of a vendor's shared rate budget — is run in
a worker thread by its caller (bot/vendors/http.py), and the pool is thread-safe.

Connections are autocommit: one statement is one transaction, which is exactly what the
conditional UPDATEs of the Store need (PostgreSQL re-checks an UPDATE's WHERE when a concurrent
writer commits first, so only one of two racing claims changes the row). Multi-statement work
(`_batch`, migrations, the rate budget) uses an explicit transaction. Placeholders: the Store's
SQL uses `?`, translated to psycopg's `%s` once per statement text.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.config import ConfigError
from bot.store import pg_schema
from bot.store.base import Clock, Statement, Store, TokenVault
from bot.store.budget import SharedBudget

DEFAULT_POOL = 4
CONNECT_TIMEOUT_S = 10.0
PING_S = 2.0


@functools.lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """The Store's `?` placeholders as psycopg's `%s` (the Store's SQL has no literal ? or %)."""
    return sql.replace("?", "%s")


def redact(url: str) -> str:
    """`postgresql://user@host:port/db` — never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://?"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


class PostgresStore(Store):
    """The Store on a psycopg 3 connection pool (see the module docstring)."""

    kind = "postgresql"
    shared = True
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, path: str, clock: Clock | None = None, vault: TokenVault | None = None,
                 pool_size: int = DEFAULT_POOL) -> None:
        self._setup(path, clock, vault)
        self.pool = ConnectionPool(path, min_size=1, max_size=max(1, pool_size), open=False, name="hostbot",
                                   timeout=CONNECT_TIMEOUT_S,
                                   kwargs={"autocommit": True, "row_factory": dict_row,
                                           "connect_timeout": int(CONNECT_TIMEOUT_S)})
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
            with self.pool.connection() as conn:
                pg_schema.apply(conn)
        except (PoolTimeout, psycopg.Error) as err:
            self.pool.close()
            raise ConfigError(f"HOSTBOT_DB: cannot use PostgreSQL at {redact(path)}: "
                              f"{str(err).strip() or type(err).__name__}") from None

    def close(self) -> None:
        self.pool.close()

    def ping(self) -> None:
        """`SELECT 1` within PING_S: a load balancer's health check must not hang on a dead database."""
        with self.pool.connection(timeout=PING_S) as conn:
            conn.execute("SELECT 1")

    def describe(self) -> str:
        return redact(self.path)

    def schema_version(self) -> list[str]:
        with self.pool.connection() as conn:
            return pg_schema.applied(conn)

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.pool.connection() as conn:
            cur = conn.execute(pg_sql(sql), list(args))
            return list(cur.fetchall()) if cur.description else []  # type: ignore[arg-type]

    def _write_rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self._rows(sql, args)  # autocommit: committed when it returns

    def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        with self.pool.connection() as conn:
            return int(conn.execute(pg_sql(sql), list(args)).rowcount)

    def _insert_id(self, sql: str, args: Sequence[Any] = ()) -> int:
        return int(self._rows(sql, args)[0]["id"])

    def _batch(self, statements: Iterable[Statement]) -> None:
        with self.pool.connection() as conn, conn.transaction():
            for sql, args in statements:
                conn.execute(pg_sql(sql), list(args))

    def rate_budget(self) -> SharedBudget:
        """The vendor rate budget these replicas share (bot/store/budget.py)."""
        return SharedBudget(self.pool)
