"""The typed context every handler gets: who asked what, and the services to act with."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.core.bound import PlanSpec
from bot.core.events import Button, ButtonStyle, ChatMessage
from bot.core.identity import IdentityResolver
from bot.core.intent import Intent
from bot.core.metrics import Metrics
from bot.core.outcome import Outcome
from bot.core.policy import Policy
from bot.core.progress import Notices, NotifierProgress, Progress, ProgressSink
from bot.core.registry import Registry
from bot.core.vendor import Meeting, MeetingReader
from bot.i18n import t, vendor_name
from bot.store import AsyncStore
from bot.store.rows.undos import UndoRow

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Long-lived objects built once in bot/app.py."""

    settings: Settings
    registry: Registry[Context]
    store: AsyncStore
    people: IdentityResolver
    vendors: Mapping[str, MeetingReader]  # MeetingVendor objects; only bot/core/execute.py changes meetings
    clock: Callable[[], datetime]
    policy: Policy
    proposal_ttl: timedelta = timedelta(minutes=5)
    parse: Callable[..., Intent] = field(default=lambda *a, **kw: Intent("unknown"))  # bot.intents.parse
    # scheduled handovers: bot/scheduling/scheduler.HandoverScheduler, set by bot/app.py; core knows it only as
    # where a platform's notices go (handlers get the scheduler itself through bot/scheduling/scheduler.of)
    scheduler: Notices | None = None
    metrics: Metrics = field(default_factory=Metrics)  # GET /metrics (bot/core/metrics.py)


@dataclass
class Context:
    services: Services
    message: ChatMessage
    intent: Intent
    lang: str
    resume: dict[str, Any] | None = None  # payload of the proposal a button click is resuming
    progress_sink: ProgressSink | None = None  # where the adapter shows progress of long work in this thread
    last_outcome: Outcome | None = None  # the last vendor answer of this request (metrics, request log line)
    decision: str = ""  # the policy's last decision of this request (confirmation_asked, denied, ...)
    undo: UndoRow | None = None  # an Undo press: what to put back (handlers/undo.py)
    note: str = ""  # said before the first reply: the meeting found for "this meeting" (bot/core/running.py)
    bound: PlanSpec | None = None  # a click or a due handover: the plan that was shown (bot/core/bound.py)
    seen: dict[tuple[str, str], Meeting] = field(default_factory=dict)  # meetings read for `bound`, by (vendor, id)
    no_links: bool = False  # a click: "this meeting" is the one shown, never what the thread is linked to now

    @property
    def store(self) -> AsyncStore:
        return self.services.store

    @property
    def people(self) -> IdentityResolver:
        return self.services.people

    @property
    def vendors(self) -> Mapping[str, MeetingReader]:
        return self.services.vendors

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def vendor_name(self, vendor: str) -> str:
        return vendor_name(self.lang, vendor)

    async def offer(self, action: str, payload: dict[str, Any], *choices: tuple[str, str, ButtonStyle],
                    requester: str | Sequence[str] | None = None, ttl: timedelta | None = None,
                    decision: str = "", detail: str = "") -> tuple[Button, ...]:
        """Store a proposal and return buttons pointing at it; only `requester` (default: the speaker)
        may press them, for `ttl` (default: the configured proposal TTL).

        `choices` are (action, label key, style); a positive action plans intent `action` again,
        bound to the plan in payload["plan"] (bot/core/bound.py), with `payload` as ctx.resume (plus
        "via" = the button's action and "clicked_by"); "cancel" and "decline" close the proposal.
        With `decision`, its audit row (audit_decision) is written in the same transaction as the proposal.
        """
        payload = {"on_behalf_of": self.message.user, **payload}

        async def write(tx: AsyncStore) -> str:
            pid = await tx.create_proposal(
                platform=self.message.platform, action=action,
                requester=" ".join(dict.fromkeys([requester] if isinstance(requester, str) else requester))
                if requester else self.message.user,
                payload={**payload, "intent": self.intent.to_payload(), "lang": self.lang, "tz": self.message.tz},
                channel=self.message.channel, thread=self.message.thread, ttl=ttl or self.services.proposal_ttl,
            )
            if decision:
                await tx.audit(**self._decision_row(decision, detail))
            return pid

        pid = await self.store.atomic(write)
        if decision:
            self.decision = decision
        return tuple(Button(self.t(label), choice, pid, style) for choice, label, style in choices)

    def progress(self, key: str, total: int) -> Progress:
        """A progress handle for long work of `total` items; its `advance` goes to the vendor as the
        per-chunk callback. Shown by the adapter's sink, else as replies through the platform's notifier."""
        sink = self.progress_sink
        scheduler = self.services.scheduler
        if sink is None and scheduler is not None and self.message.platform in scheduler.notifiers:
            sink = NotifierProgress(scheduler.notifiers[self.message.platform], self.message.platform,
                                    self.message.channel, self.message.thread)
        return Progress(sink, self.lang, key, total)

    async def record_outcome(self, vendor: str, meeting: str, vendor_ids: str, outcome: Outcome,
                             latency_ms: float = 0.0) -> None:
        """The audit row of a vendor answer (or of a change in our store: `audit` names it), unless the change
        wrote it in its own transaction (`outcome.audited`)."""
        self.last_outcome = outcome
        if not outcome.audited:
            await self.store.audit(**self.outcome_row(vendor, meeting, vendor_ids, outcome, latency_ms))

    def outcome_row(self, vendor: str, meeting: str, vendor_ids: str, outcome: Outcome,
                    latency_ms: float = 0.0) -> dict[str, Any]:
        return {"platform": self.message.platform, "chat_user": self.message.user, "intent": self.intent.name,
                "event": "outcome", "vendor": vendor, "meeting": meeting, "vendor_ids": vendor_ids,
                "outcome": outcome.audit or outcome.kind.value, "vendor_code": outcome.vendor_code,
                "latency_ms": round(latency_ms, 1), "detail": outcome.audit_detail or outcome.reason}

    async def audit_decision(self, decision: str, detail: str = "") -> None:
        self.decision = decision
        await self.store.audit(**self._decision_row(decision, detail))

    def _decision_row(self, decision: str, detail: str) -> dict[str, str]:
        return {"platform": self.message.platform, "chat_user": self.message.user, "intent": self.intent.name,
                "event": "decision", "outcome": decision, "detail": detail}
