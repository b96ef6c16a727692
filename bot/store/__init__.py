"""The store: everything that must survive a restart (links, proposals, handovers, audit, tokens).

`Store(path_or_url)` opens it: a SQLite file by default (bot/store/sqlite.py, sqlite-utils, WAL,
named migrations), PostgreSQL for several replicas (bot/store/postgres.py, psycopg 3 pool). The
queries are written once (bot/store/base.py, bot/store/handovers.py); bot/store/budget.py shares
vendor rate budgets between replicas; bot/store/vault.py encrypts user tokens at rest.
"""

from bot.store.base import (
    VENDOR_ID_COLUMNS,
    ClaimError,
    Proposal,
    Store,
    TokenVault,
    UserToken,
    is_postgres_url,
    url_password,
)
from bot.store.sqlite import SqliteStore, migrations

__all__ = ["VENDOR_ID_COLUMNS", "ClaimError", "Proposal", "SqliteStore", "Store", "TokenVault", "UserToken",
           "is_postgres_url", "migrations", "url_password"]
