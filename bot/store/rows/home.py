"""Store reads for a person's overview (Slack's App Home tab): links and the latest audit rows (a mixin
of bot/store/rows/base.AsyncStore, which supplies the primitives; the open approvals are proposals, read there)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class HomeRows:
    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def _scan(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def links_of(self, platform: str) -> list[dict[str, Any]]:
        """Every thread/channel -> meeting link on `platform`, newest first."""
        return await self._scan("SELECT * FROM links WHERE platform = ? ORDER BY linked_at DESC, scope", [platform])

    async def latest_audit(self, limit: int = 20) -> list[dict[str, Any]]:
        """The last `limit` audit rows, newest first."""
        return await self._rows("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit])
