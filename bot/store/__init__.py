"""The store: everything that must survive a restart (links, proposals, handovers, audit, tokens).

`bot.store.sqlite` is the embedded default (sqlite-utils, WAL, named migrations); `bot.store.vault`
encrypts user tokens at rest.
"""

from bot.store.sqlite import VENDOR_ID_COLUMNS, ClaimError, Proposal, Store, TokenVault, UserToken, migrations

__all__ = ["VENDOR_ID_COLUMNS", "ClaimError", "Proposal", "Store", "TokenVault", "UserToken", "migrations"]
