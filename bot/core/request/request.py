"""One request as values: who asked, where, what was said, in which language and zone (`Request`); what a
click or a due handover already settled, and by whom (`Approval`); and what became of it (`Answer`).

A click builds its Request and Approval from the proposal it claimed (bot/core/flow/dispatch.py), a due
handover from its row (bot/scheduling/due.py), a message from the message: every path the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.decide.gate import Consent
from bot.core.model.events import ButtonClick, ChatMessage, Reply
from bot.core.model.intent import Intent
from bot.core.model.outcome import Outcome, VendorUser
from bot.i18n import t, vendor_name

SCHEDULER = "scheduler:"  # who "clicked" for a due handover (the audit row's detail names the handover)
CONFIRMED_VIA = frozenset({"confirm", "retry"})


@dataclass(frozen=True)
class Request:
    """Who asked (message.user), where (platform, channel, thread), what was said (the intent as read),
    the language to answer in and the speaker's zone (message.tz)."""

    message: ChatMessage
    intent: Intent
    lang: str

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def vendor_name(self, vendor: str) -> str:
        return vendor_name(self.lang, vendor)


@dataclass(frozen=True)
class Approval:
    """What a press settled before the plan runs again: which button (`via`), by whom, of which kind of
    proposal; for a due handover, the host who approved it when it was scheduled (`host`)."""

    via: str  # the button's action: confirm, retry, approve, as_cohost, handover_now, ...
    by: str  # the chat user who pressed; SCHEDULER + "handover#N" for a due handover
    kind: str = ""  # the proposal's kind: confirm, approval, reminder, missed, switch, ...
    handover: int = 0  # a reminder's or a missed report's handover
    host: VendorUser | None = None  # a due handover approved by the host of that time
    expected_host: VendorUser | None = None  # the host the proposal was asked of (a handover's approval)

    @classmethod
    def of_click(cls, click: ButtonClick, payload: Mapping[str, Any]) -> Approval:
        return cls(via=click.action, by=click.user, kind=str(payload.get("kind") or ""),
                   handover=int(payload.get("handover_id") or 0),
                   expected_host=VendorUser.from_json(payload.get("expected_host")))

    @classmethod
    def scheduled(cls, handover: int, approved_by: VendorUser | None) -> Approval:
        """A due handover: scheduled by the host, organizer or an admin = confirmed; approved by the host of
        that time = approved, counting only while they host (the gate checks; the CAS too)."""
        return cls(via="approve" if approved_by is not None else "confirm", by=f"{SCHEDULER}handover#{handover}",
                   host=approved_by)

    @property
    def by_scheduler(self) -> bool:
        """A due handover's run, never a click: only it may carry a plan's owners (bot/core/flow/pipeline.py)."""
        return self.by.startswith(SCHEDULER)

    @property
    def clicker(self) -> str:
        """The chat user who pressed ("" for a due handover)."""
        return "" if self.by_scheduler else self.by

    @property
    def consent(self) -> Consent:
        if self.via == "approve":
            return Consent.APPROVED
        if self.via in CONFIRMED_VIA:
            return Consent.CONFIRMED
        return Consent.NONE


@dataclass(frozen=True)
class Recorded:
    """A vendor answer and what it was about, for its audit row (written by bot/core/flow/pipeline.py)."""

    outcome: Outcome
    vendor: str
    meeting: str = ""
    vendor_ids: str = ""
    latency_ms: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What became of a request: the replies, the decisions taken (each audited once, by the pipeline), the
    last vendor answer. A handler may return one instead of a bare list of replies, to name its decision
    (audited by the pipeline, not by the handler)."""

    replies: list[Reply] = field(default_factory=list)
    decided: tuple[tuple[str, str], ...] = ()  # (decision, detail) audited, in order: approved, denied, ...
    outcome: Outcome | None = None  # the last vendor answer: a change's, else the last one read while planning
    status: str = ""  # what became of it when nothing was decided: not_understood, rejected, error

    @classmethod
    def decision_of(cls, replies: list[Reply], decision: str, detail: str = "") -> Answer:
        return cls(replies, decided=((decision, detail),))

    @property
    def decision(self) -> str:
        return self.decided[-1][0] if self.decided else self.status

    def summary(self) -> str:
        """What became of it in one word: the last vendor answer, else the decision or problem instead."""
        outcome = self.outcome
        if outcome is not None:  # a change in our store names itself ("scheduled")
            return outcome.audit or outcome.kind.value
        return self.decision or "answered"


def outcome_row(request: Request, recorded: Recorded) -> dict[str, Any]:
    """The audit row of a vendor answer, or of a change in our store (bot/core/flow/execute.py writes it)."""
    outcome = recorded.outcome
    return {"platform": request.message.platform, "chat_user": request.message.user, "intent": request.intent.name,
            "event": "outcome", "vendor": recorded.vendor, "meeting": recorded.meeting,
            "vendor_ids": recorded.vendor_ids, "outcome": outcome.audit or outcome.kind.value,
            "vendor_code": outcome.vendor_code, "latency_ms": recorded.latency_ms,
            "detail": outcome.audit_detail or outcome.reason}


def decision_row(request: Request, decision: str, detail: str = "") -> dict[str, Any]:
    """The audit row of a decision (bot/core/flow/pipeline.py writes it; a question with buttons writes its own
    with the proposal: bot/core/request/proposals.py)."""
    return {"platform": request.message.platform, "chat_user": request.message.user, "intent": request.intent.name,
            "event": "decision", "outcome": decision, "detail": detail}
