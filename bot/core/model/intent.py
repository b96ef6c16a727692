"""The Intent: what a request asks for, as the parser (bot/intents) read it. Platform-neutral.

`IntentName` lists every intent; `Intent.to_json()` is the `hostbot parse` schema and
`to_payload()` what a stored proposal keeps to run the request again after a click.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.model.vendor import MeetingRef


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
    UNDO = "undo"
    CANCEL = "cancel"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TimeProblem:
    """A time that cannot be used as said: an i18n key (time_in_past, time_ambiguous_hour,
    time_ambiguous_dst, time_nonexistent, time_need_clock, time_not_understood) and its values;
    render with t(lang, problem.key, **problem.values)."""

    key: str
    values: dict[str, str] = field(default_factory=dict)


# A meeting named in the line that cannot be read (bot/intents/tokens.py): i18n key and values, as TimeProblem.
MeetingProblem = TimeProblem


@dataclass(frozen=True)
class Intent:
    """One request as read. The fields past `text` matter to some intents only (bot/intents says which):

    slash        written as `/host ...`
    meetings     every meeting named, when two or more were (reassign: the meetings listed, even one)
    vendor_word  a vendor named without an id ("the zoom meeting")
    time_text    the words that gave the time; in_seconds for a relative one ("in 20 minutes")
    time_problem the time cannot be used as said (`at` is None unless the problem is time_in_past)
    every        reassign: every meeting of from_user; cancel_handover: all of them
    handover_id  cancel_handover: "cancel handover #3"
    mine         list_handovers: "my handovers"
    scope        link_meeting: "thread" | "channel" when the words said which
    suggestion   did_you_mean: the corrected request; parts: compound's requests as written;
    why          nothing: "negation" | "question" | "statement"
    until        set_host, add_cohost: the change ends then ("for 30 minutes", "until 15:00"): put back by a
                 scheduled handover; until_text the words that said it
    meeting_problem  a link, vendor word or id named in the line that cannot be read as a meeting
                 (meeting_not_read, meeting_personal_room): answered, never replaced by another meeting
    """

    name: str
    targets: tuple[str, ...] = ()
    from_user: str | None = None
    meeting: MeetingRef | None = None
    at: datetime | None = None
    lang: str = "en"
    text: str = ""
    slash: bool = False
    meetings: tuple[MeetingRef, ...] = ()
    vendor_word: str = ""
    time_text: str = ""
    in_seconds: int | None = None
    time_problem: TimeProblem | None = None
    every: bool = False
    handover_id: str = ""
    mine: bool = False
    scope: str = ""
    suggestion: str = ""
    parts: tuple[str, ...] = ()
    why: str = ""
    meeting_problem: MeetingProblem | None = None
    until: datetime | None = None
    until_text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.name,
            "targets": list(self.targets),
            "from_user": self.from_user,
            "meeting": self.meeting.to_json() if self.meeting else None,
            "at": self.at.isoformat() if self.at else None,
            "lang": self.lang,
        }

    def details(self) -> dict[str, Any]:
        """The intent-specific fields that are set, under the keys of the JSON schema's "extra"."""
        out: dict[str, Any] = {}
        if self.slash:
            out["slash"] = True
        if self.meetings:
            out["meetings"] = [m.to_json() for m in self.meetings]
        if self.vendor_word:
            out["vendor"] = self.vendor_word
        if self.time_text:
            out["time_text"] = self.time_text
        if self.in_seconds is not None:
            out["in_seconds"] = self.in_seconds
        if self.time_problem is not None:
            out["time_problem"] = self.time_problem.key
            out["time_values"] = dict(self.time_problem.values)
        if self.meeting_problem is not None:
            out["meeting_problem"] = self.meeting_problem.key
            out["meeting_values"] = dict(self.meeting_problem.values)
        if self.every:
            out["all"] = True
        if self.handover_id:
            out["handover_id"] = self.handover_id
        if self.mine:
            out["mine"] = True
        if self.scope:
            out["scope"] = self.scope
        if self.until is not None:
            out["until"] = self.until.isoformat()
        if self.until_text:
            out["until_text"] = self.until_text
        return out

    def to_payload(self) -> dict[str, Any]:
        """to_json plus the intent-specific fields ("extra") and those of the newer intents: what a
        stored proposal needs to run the intent again, and what `hostbot parse` prints."""
        out = {**self.to_json(), "extra": self.details()}
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
        extra = extra if isinstance(extra, dict) else {}
        problem = extra.get("time_problem")
        in_seconds = extra.get("in_seconds")
        mproblem = extra.get("meeting_problem")
        until = extra.get("until")
        return cls(
            name=data["intent"],
            targets=tuple(data.get("targets") or ()),
            from_user=data.get("from_user"),
            meeting=MeetingRef.from_json(data.get("meeting")),
            at=datetime.fromisoformat(at) if at else None,
            lang=data.get("lang", "en"),
            text=text,
            slash=bool(extra.get("slash")),
            meetings=tuple(m for m in map(MeetingRef.from_json, extra.get("meetings") or ()) if m),
            vendor_word=str(extra.get("vendor") or ""),
            time_text=str(extra.get("time_text") or ""),
            in_seconds=int(in_seconds) if isinstance(in_seconds, int) else None,
            time_problem=TimeProblem(str(problem), dict(extra.get("time_values") or {})) if problem else None,
            every=bool(extra.get("all")),
            handover_id=str(extra.get("handover_id") or ""),
            mine=bool(extra.get("mine")),
            scope=str(extra.get("scope") or ""),
            suggestion=str(data.get("suggestion") or ""),
            parts=tuple(str(p) for p in data.get("parts") or ()),
            why=str(data.get("why") or ""),
            meeting_problem=MeetingProblem(str(mproblem), dict(extra.get("meeting_values") or {}))
            if mproblem else None,
            until=datetime.fromisoformat(until) if isinstance(until, str) and until else None,
            until_text=str(extra.get("until_text") or ""),
        )
