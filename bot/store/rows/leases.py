"""Named leases shared by every replica (a mixin of bot/store/rows/base.AsyncStore): one holder at a time.

A lease is a row `leases(name, holder, until)`. Taking it is one statement that both backends run
atomically: insert the row, or take over a row whose holder's time has passed; the number of rows it
changed says whether this holder has it. So two replicas on one PostgreSQL database (or two processes
on one SQLite file) never both hold a name. A holder that dies loses the lease when `until` passes;
a live holder extends it while it works. Used for one change per meeting at a time on vendors without
a compare-and-swap (bot/core/flow/serial.py) and one Feishu user-token renewal per person
(bot/adapters/feishu/oauth.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.store.rows.handovers import iso


class LeaseRows:
    """Lease queries; the backend primitives come from the Store."""

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        raise NotImplementedError

    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    async def take_lease(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Hold `name` until now + ttl if nobody else holds it now; True when `holder` has it."""
        now = self.now()
        return await self._exec(
            "INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
            "holder = excluded.holder, until = excluded.until WHERE leases.until <= ? OR leases.holder = ?",
            [name, holder, iso(now + ttl), iso(now), holder]) == 1

    async def extend_lease(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Keep holding `name` (now + ttl); False when `holder` lost it (it expired and was taken)."""
        return await self._exec("UPDATE leases SET until = ? WHERE name = ? AND holder = ?",
                          [iso(self.now() + ttl), name, holder]) == 1

    async def drop_lease(self, name: str, holder: str) -> None:
        """Let `name` go, if `holder` still holds it (never somebody else's)."""
        await self._exec("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])

    async def lease_holder(self, name: str) -> str | None:
        """Who holds `name` now (None when nobody does, or the holder's time has passed)."""
        rows = await self._rows("SELECT holder FROM leases WHERE name = ? AND until > ?", [name, iso(self.now())])
        return str(rows[0]["holder"]) if rows else None
