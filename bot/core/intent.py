"""The Intent: what a request asks for, as the parser (bot/intents) read it. Platform-neutral.

`IntentName` lists every intent; `Intent.to_json()` is the `hostbot parse` schema and
`to_payload()` what a stored proposal keeps to run the request again after a click.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.vendor import MeetingRef


class IntentName(StrEnum):
    SET_HOST = "set_host"
    ADD_COHOST = "add_cohost"
    REMOVE_COHOST = "remove_cohost"
    INVITE = "invite"
    REASSIGN = "reassign"
    SCHEDULE_HANDOVER = "schedule_handover"
    LIST_HANDOVERS = "list_handovers"
    CANCEL_HANDOVER = "cancel_handover"
    LINK_MEETING = "link_meeting"
    WHO_IS_HOST = "who_is_host"
    HELP = "help"
    NOTHING = "nothing"
    DID_YOU_MEAN = "did_you_mean"
    COMPOUND = "compound"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Intent:
    name: str
    targets: tuple[str, ...] = ()
    from_user: str | None = None
    meeting: MeetingRef | None = None
    at: datetime | None = None
    lang: str = "en"
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    suggestion: str = ""  # did_you_mean: the corrected request
    parts: tuple[str, ...] = ()  # compound: the requests, as written
    why: str = ""  # nothing: "negation" | "question"

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.name,
            "targets": list(self.targets),
            "from_user": self.from_user,
            "meeting": self.meeting.to_json() if self.meeting else None,
            "at": self.at.isoformat() if self.at else None,
            "lang": self.lang,
        }

    def to_payload(self) -> dict[str, Any]:
        """to_json plus `extra` and the fields of the newer intents: what a stored proposal needs to run
        the intent again, and what `hostbot parse` prints."""
        out = {**self.to_json(), "extra": self.extra}
        if self.suggestion:
            out["suggestion"] = self.suggestion
        if self.parts:
            out["parts"] = list(self.parts)
        if self.why:
            out["why"] = self.why
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any], text: str = "") -> Intent:
        at = data.get("at")
        extra = data.get("extra")
        return cls(
            name=data["intent"],
            targets=tuple(data.get("targets") or ()),
            from_user=data.get("from_user"),
            meeting=MeetingRef.from_json(data.get("meeting")),
            at=datetime.fromisoformat(at) if at else None,
            lang=data.get("lang", "en"),
            text=text,
            extra=dict(extra) if isinstance(extra, dict) else {},
            suggestion=str(data.get("suggestion") or ""),
            parts=tuple(str(p) for p in data.get("parts") or ()),
            why=str(data.get("why") or ""),
        )
