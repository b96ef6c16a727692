"""The store: everything that must survive a restart (links, proposals, handovers, audit, tokens).

    bot/store/rows/      the queries, written once as AsyncStore's `async def` methods, for both backends
    bot/store/sqlite/    a SQLite file (the default): one writer thread, index reads inline, WAL, FULL sync
    bot/store/postgres/  PostgreSQL for several replicas: AsyncConnectionPool for the bot, a shared rate budget
    bot/store/store.py   the synchronous Store of the command-line tools and of start-up; on an event loop's
                         thread it raises StoreOnLoop (the running bot awaits `Store(...).aio()`)
    bot/store/vault.py   user tokens sealed at rest; bot/store/retention.py what may be forgotten, and when
"""

from bot.store.rows.base import VENDOR_ID_COLUMNS, AsyncStore, ClaimError, Proposal
from bot.store.rows.tokens import TokenVault, UserToken
from bot.store.sqlite.schema import migrations
from bot.store.sqlite.store import SqliteStore
from bot.store.store import Store, StoreOnLoop, is_postgres_url, url_password

__all__ = ["VENDOR_ID_COLUMNS", "AsyncStore", "ClaimError", "Proposal", "SqliteStore", "Store", "StoreOnLoop",
           "TokenVault", "UserToken", "is_postgres_url", "migrations", "url_password"]
