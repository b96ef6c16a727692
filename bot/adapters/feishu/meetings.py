"""Feishu's tenant-wide meeting events -> the store's index of running meetings (bot/store/rows/running.py).

Feishu has no "a user's current meeting" call among vc/v1 (meeting get, list_by_no, set_host, invite,
end, kickout), so hostbot keeps its own index: vc.meeting.all_meeting_started_v1 and
vc.meeting.all_meeting_ended_v1 (scope vc:meeting.all_meeting:readonly; subscribed like the message
event, webhook or long connection) carry the meeting (id, topic, meeting_no) with its host_user and
owner. The index is only a hint: bot/core/world/running.py reads each meeting back before using it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store import AsyncStore

log = logging.getLogger(__name__)
STARTED, ENDED = "vc.meeting.all_meeting_started_v1", "vc.meeting.all_meeting_ended_v1"


def meeting_events(check_token: Callable[[str | None], None], submit: Callable[[Coroutine[Any, Any, None]], object],
                   store: AsyncStore) -> Callable[[Any], None]:
    """The SDK callback (run in the SDK's thread): check the token as for every event (the adapter's
    check_token), then index the meeting on the main loop (its submit)."""

    def on_meeting_event(data: Any) -> None:
        check_token(data.header.token if data.header else None)
        submit(_record(store, data))

    return on_meeting_event


async def _record(store: AsyncStore, data: Any) -> None:
    meeting = getattr(data.event, "meeting", None) if data.event is not None else None
    kind = str(data.header.event_type if data.header else "")
    await index(store, kind, {"id": getattr(meeting, "id", None), "topic": getattr(meeting, "topic", None),
                        "meeting_no": getattr(meeting, "meeting_no", None),
                        "host": _open_id(getattr(meeting, "host_user", None)),
                        "owner": _open_id(getattr(meeting, "owner", None))})


async def index(store: AsyncStore, kind: str, meeting: dict[str, Any]) -> None:
    """Record one started / ended meeting (`meeting`: id, topic, meeting_no, host and owner open_ids)."""
    meeting_id = str(meeting.get("id") or "")
    if not meeting_id:
        log.warning("feishu: a meeting event without a meeting id was ignored")
        return
    if kind == ENDED:
        await store.meeting_ended("feishu", meeting_id)
    elif kind == STARTED:
        await store.meeting_started("feishu", meeting_id, host=str(meeting.get("host") or ""),
                              owner=str(meeting.get("owner") or ""), topic=str(meeting.get("topic") or ""),
                              number=str(meeting.get("meeting_no") or ""))


async def index_envelope(store: AsyncStore, envelope: dict[str, Any]) -> None:
    """The same from an event's plain JSON (the demo feeds the sandbox's events this way)."""
    meeting = (envelope.get("event") or {}).get("meeting") or {}
    ids = {k: ((meeting.get(k) or {}).get("id") or {}).get("open_id") for k in ("host_user", "owner")}
    await index(store, str((envelope.get("header") or {}).get("event_type") or ""),
          {**meeting, "host": ids["host_user"], "owner": ids["owner"]})


def _open_id(user: Any) -> str:
    ids = getattr(user, "id", None)
    return str(getattr(ids, "open_id", None) or "")
