"""Store rows of Undo buttons (a mixin of bot/store/rows/base.AsyncStore): what puts a host change back.

A row holds what an Undo needs after a restart or on another replica: the vendor and meeting,
the users to restore (the previous host, or the co-hosts added/removed), the users hostbot made
(the expected host when undoing: CAS), who may press it, the thread and language of the change,
and its expiry. A press is claimed by one conditional UPDATE (`status = 'pending'` and not yet
expired), so a double click, a redelivered click or a click on another replica acts once.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.store.rows.handovers import iso

UNDO_COLUMNS = ("platform", "channel", "thread", "lang", "tz", "requester", "pressers", "vendor", "meeting_id",
                "meeting_display", "operation", "handover")


@dataclass(frozen=True)
class UndoRow:
    id: str
    platform: str
    channel: str
    thread: str
    lang: str
    tz: str
    requester: str  # who asked for the change
    pressers: tuple[str, ...]  # chat users who may press Undo (admins may too: the caller checks)
    vendor: str
    meeting_id: str
    meeting_display: str
    operation: str  # the change to undo: set_host | add_cohost | remove_cohost
    handover: str  # the pending handover that puts an expiring change back ('' for none): cancelled with the Undo
    restore: tuple[dict[str, Any], ...]  # vendor users to put back (VendorUser.to_json forms)
    made: tuple[dict[str, Any], ...]  # vendor users hostbot made host / co-host (or removed)
    expires_at: datetime
    status: str  # pending -> claimed -> done | stale | failed


class UndoRows:
    """Undo rows; the backend primitives come from the Store."""

    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        raise NotImplementedError

    async def _scan(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    async def create_undo(self, *, restore: Sequence[dict[str, Any]], made: Sequence[dict[str, Any]],
                    pressers: Sequence[str], ttl: timedelta, **fields: str) -> str:
        """Store an Undo for `ttl`; `fields` are UNDO_COLUMNS but `pressers`. Returns its id (the button's value)."""
        unknown = set(fields) - set(UNDO_COLUMNS)
        if unknown:
            raise ValueError(f"undos has no column {sorted(unknown)}")
        uid, now = secrets.token_urlsafe(9), self.now()
        row = {**{c: "" for c in UNDO_COLUMNS}, **fields, "pressers": " ".join(dict.fromkeys(pressers))}
        cols = ["id", *UNDO_COLUMNS, "restore", "made", "created_at", "expires_at"]
        values = [uid, *(row[c] for c in UNDO_COLUMNS), json.dumps(list(restore), ensure_ascii=False),
                  json.dumps(list(made), ensure_ascii=False), iso(now), iso(now + ttl)]
        await self._exec(f"INSERT INTO undos ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", values)
        return uid

    async def get_undo(self, uid: str) -> UndoRow | None:
        rows = await self._rows("SELECT * FROM undos WHERE id = ?", [uid])
        if not rows:
            return None
        r = rows[0]
        return UndoRow(id=r["id"], **{c: str(r[c] or "") for c in UNDO_COLUMNS if c != "pressers"},
                       pressers=tuple(str(r["pressers"] or "").split()),
                       restore=tuple(json.loads(r["restore"] or "[]")), made=tuple(json.loads(r["made"] or "[]")),
                       expires_at=datetime.fromisoformat(r["expires_at"]), status=str(r["status"]))

    async def latest_undo(self, platform: str, requester: str) -> UndoRow | None:
        """The newest Undo of a change `requester` asked for that can still be pressed (typed "undo")."""
        rows = await self._scan("SELECT id FROM undos WHERE platform = ? AND requester = ? AND status = 'pending' "
                          "AND expires_at > ? ORDER BY created_at DESC LIMIT 1", [platform, requester, iso(self.now())])
        return await self.get_undo(str(rows[0]["id"])) if rows else None

    async def claim_undo(self, uid: str, user: str) -> tuple[str, UndoRow | None]:
        """('claimed', row) for the one press that wins; else ('unknown' | 'expired' | 'used', row).

        Whether `user` may press it is the caller's check (admins are known to the policy, not here)."""
        row = await self.get_undo(uid)
        if row is None:
            return "unknown", None
        now = self.now()
        if await self._exec("UPDATE undos SET status = 'claimed', resolved_by = ?, resolved_at = ? "
                      "WHERE id = ? AND status = 'pending' AND expires_at > ?", [user, iso(now), uid, iso(now)]) == 1:
            return "claimed", row
        if row.status in ("pending", "expired") and row.expires_at <= now:  # else another press won the race
            await self._exec("UPDATE undos SET status = 'expired' WHERE id = ? AND status = 'pending'", [uid])
            return "expired", row
        return "used", row

    async def finish_undo(self, uid: str, status: str) -> None:
        await self._exec("UPDATE undos SET status = ? WHERE id = ?", [status, uid])
