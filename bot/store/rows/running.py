"""Store rows of the meetings running now that no vendor call lists per person (a mixin of
bot/store/rows/base.AsyncStore): Feishu's tenant events vc.meeting.all_meeting_started_v1 / _ended_v1 feed it
(bot/adapters/feishu/meetings.py), and "this meeting" reads it (bot/core/world/running.py), on any replica.

It is a hint, never the authority: whoever reads it reads each meeting back from the vendor before
using it. An ended event may come before its started event (a re-push, another replica): the row is
kept as `ended`, and a later `started` for that meeting does not bring it back. Ended rows older than
a day are dropped whenever a meeting ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.store.rows.handovers import iso

ENDED_KEPT = timedelta(days=1)


class RunningRows:
    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    async def meeting_started(self, vendor: str, meeting_id: str, *, host: str, owner: str = "", topic: str = "",
                        number: str = "") -> None:
        """Remember a running meeting and who hosts (and owns) it, as the vendor's event said."""
        await self._exec("INSERT INTO running_meetings (vendor, meeting_id, host, owner, topic, number, status, "
                   "updated_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?) ON CONFLICT (vendor, meeting_id) DO UPDATE SET "
                   "host = excluded.host, owner = excluded.owner, topic = excluded.topic, number = excluded.number, "
                   "updated_at = excluded.updated_at WHERE running_meetings.status = 'running'",
                   [vendor, meeting_id, host, owner, topic, number, iso(self.now())])

    async def meeting_ended(self, vendor: str, meeting_id: str) -> None:
        at = self.now()
        await self._exec("INSERT INTO running_meetings (vendor, meeting_id, host, owner, topic, number, status, "
                   "updated_at) VALUES (?, ?, '', '', '', '', 'ended', ?) ON CONFLICT (vendor, meeting_id) "
                   "DO UPDATE SET status = 'ended', updated_at = excluded.updated_at", [vendor, meeting_id, iso(at)])
        await self._exec("DELETE FROM running_meetings WHERE status = 'ended' AND updated_at < ?",
                         [iso(at - ENDED_KEPT)])

    async def meeting_host_changed(self, vendor: str, meeting_id: str, host: str) -> None:
        """A host change hostbot made: the index follows (Feishu sends no tenant event for it)."""
        await self._exec("UPDATE running_meetings SET host = ?, updated_at = ? WHERE vendor = ? AND meeting_id = ? "
                   "AND status = 'running'", [host, iso(self.now()), vendor, meeting_id])

    async def running_meetings_of(self, vendor: str, user: str) -> list[dict[str, Any]]:
        """The running meetings of `vendor` that `user` (a vendor id) hosts or owns, by the events."""
        return await self._rows("SELECT * FROM running_meetings WHERE vendor = ? AND status = 'running' AND "
                          "(host = ? OR owner = ?) ORDER BY updated_at DESC, meeting_id", [vendor, user, user])
