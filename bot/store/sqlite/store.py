"""The embedded store: one SQLite file (WAL) through sqlite-utils, its schema grown by named migrations
(bot/store/sqlite/schema.py). One process owns the file: it is the single-replica default."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.rows.base import AsyncStore, Clock
from bot.store.rows.tokens import NoKeyVault, TokenVault
from bot.store.sqlite.rows import SqliteRows, connect
from bot.store.sqlite.schema import migrations
from bot.store.sqlite.turns import private_files, write_turns
from bot.store.sqlite.writer import AsyncSqliteStore
from bot.store.store import Store


class SqliteStore(Store):
    """The Store on a SQLite file (or ":memory:"), WAL, a 5 s busy timeout."""

    kind = "sqlite"

    def __init__(self, path: str, clock: Clock | None = None, vault: TokenVault | None = None,
                 pool_size: int = 0) -> None:  # pool_size: PostgreSQL's; one connection here
        if path != ":memory:":
            private_files(path)
        self.db = connect(path)
        # synchronous stays FULL (WAL's default here): every commit is on disk before hostbot acts on it, so a
        # delivery id, a claim or an audit row survives a power loss too. Writers of this process take turns
        # (WriteTurns) instead of polling SQLite's lock against each other.
        migrations.apply(self.db)
        self._q: SqliteRows = SqliteRows(self.db, write_turns(path), path, clock or (lambda: datetime.now(UTC)),
                             vault or NoKeyVault())  # no key, no stored tokens: never plain text

    def aio(self) -> AsyncStore:
        return AsyncSqliteStore(self._q)

    def close(self) -> None:
        self.db.close()

    def schema_version(self) -> list[str]:
        self._guard("schema_version")
        return [m.name for m in migrations.applied(self.db)]
