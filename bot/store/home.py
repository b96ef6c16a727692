"""Store reads for a person's overview (Slack's App Home tab): links, open approvals, latest audit
rows (a mixin of bot/store/base.Store, which supplies the primitives and proposals)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.store.handovers import iso

if TYPE_CHECKING:
    from bot.store.base import Proposal


class HomeRows:
    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    def get_proposal(self, pid: str) -> Proposal | None:
        raise NotImplementedError

    def links_of(self, platform: str) -> list[dict[str, Any]]:
        """Every thread/channel -> meeting link on `platform`, newest first."""
        return self._rows("SELECT * FROM links WHERE platform = ? ORDER BY linked_at DESC, scope", [platform])

    def open_approvals(self, platform: str, user: str) -> list[Proposal]:
        """Approval requests `user` may still answer (pending, unexpired), oldest first."""
        rows = self._rows("SELECT id FROM proposals WHERE platform = ? AND status = 'pending' AND expires_at > ? "
                          "AND (' ' || requester || ' ') LIKE ? ORDER BY created_at, id",
                          [platform, iso(self.now()), f"% {user} %"])
        found = [self.get_proposal(str(r["id"])) for r in rows]
        return [p for p in found if p is not None and user in p.pressers and p.payload.get("kind") == "approval"]

    def latest_audit(self, limit: int = 20) -> list[dict[str, Any]]:
        """The last `limit` audit rows, newest first."""
        return self._rows("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit])
