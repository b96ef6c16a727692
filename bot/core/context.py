"""The typed context every handler gets: who asked what, and the services to act with."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.core.events import Button, ButtonStyle, ChatMessage, Reply
from bot.core.identity import IdentityResolver, Person
from bot.core.logs import event
from bot.core.metrics import Metrics
from bot.core.outcome import Outcome
from bot.core.policy import Policy
from bot.core.progress import NotifierProgress, Progress, ProgressSink
from bot.core.registry import Registry
from bot.core.vendor import Meeting, MeetingVendor
from bot.i18n import t, vendor_name
from bot.intents import Intent
from bot.store import Store

if TYPE_CHECKING:
    from bot.scheduling.scheduler import HandoverScheduler

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Long-lived objects built once in bot/app.py."""

    settings: Settings
    registry: Registry
    store: Store
    people: IdentityResolver
    vendors: dict[str, MeetingVendor]
    clock: Callable[[], datetime]
    policy: Policy
    proposal_ttl: timedelta = timedelta(minutes=5)
    scheduler: HandoverScheduler | None = None  # scheduled handovers (bot/scheduler.py), set by bot/app.py
    metrics: Metrics = field(default_factory=Metrics)  # GET /metrics (bot/metrics.py)


@dataclass
class Context:
    services: Services
    message: ChatMessage
    intent: Intent
    lang: str
    resume: dict[str, Any] | None = None  # payload of the proposal a button click is resuming
    extra: dict[str, Any] = field(default_factory=dict)
    progress_sink: ProgressSink | None = None  # where the adapter shows progress of long work in this thread
    last_outcome: Outcome | None = None  # the last vendor answer of this request (metrics, request log line)
    decision: str = ""  # the policy's last decision of this request (confirmation_asked, denied, ...)

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def people(self) -> IdentityResolver:
        return self.services.people

    @property
    def vendors(self) -> dict[str, MeetingVendor]:
        return self.services.vendors

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def vendor_name(self, vendor: str) -> str:
        return vendor_name(self.lang, vendor)

    def offer(self, action: str, payload: dict[str, Any], *choices: tuple[str, str, ButtonStyle],
              requester: str | None = None, ttl: timedelta | None = None) -> tuple[Button, ...]:
        """Store a proposal and return buttons pointing at it; only `requester` (default: the speaker)
        may press them, for `ttl` (default: the configured proposal TTL).

        `choices` are (action, label key, style); a positive action re-runs intent `action` with
        `payload` as ctx.resume (plus "via" = the button's action and "clicked_by"); "cancel" and
        "decline" close the proposal.
        """
        payload = {"on_behalf_of": self.message.user, **payload}
        pid = self.store.create_proposal(
            platform=self.message.platform, requester=requester or self.message.user, action=action,
            payload={**payload, "intent": self.intent.to_payload(), "lang": self.lang, "tz": self.message.tz},
            channel=self.message.channel, thread=self.message.thread, ttl=ttl or self.services.proposal_ttl,
        )
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

    async def vendor_call(self, vendor: str, meeting: str, vendor_ids: str, call: Awaitable[Outcome]) -> Outcome:
        """Await one vendor operation; write its audit row, its log line and its latency metric."""
        operation = str(getattr(call, "__name__", "") or self.intent.name)  # the coroutine's name: "reassign"
        started = time.monotonic()
        outcome = await call
        seconds = time.monotonic() - started
        self.services.metrics.vendor_latency.labels(vendor, operation, outcome.kind.value).observe(seconds)
        event(log, "vendor call", vendor=vendor, operation=operation, outcome=outcome.kind.value,
              code=outcome.vendor_code or None, items=len(outcome.items) or None, ms=round(seconds * 1000, 1))
        self.record_outcome(vendor, meeting, vendor_ids, outcome, seconds * 1000)
        return outcome

    def record_outcome(self, vendor: str, meeting: str, vendor_ids: str, outcome: Outcome,
                       latency_ms: float = 0.0) -> None:
        self.last_outcome = outcome
        self.store.audit(
            platform=self.message.platform, chat_user=self.message.user, intent=self.intent.name,
            event="outcome", vendor=vendor, meeting=meeting, vendor_ids=vendor_ids,
            outcome=outcome.kind.value, vendor_code=outcome.vendor_code, latency_ms=round(latency_ms, 1),
            detail=outcome.reason,
        )

    async def gate(
        self, *, meeting: Meeting | None, summary: str, targets: Sequence[Person] = ()
    ) -> list[Reply] | None:
        """The policy check every mutating handler makes right before its vendor call.

        None means go ahead. Otherwise the returned replies are sent instead of acting: a
        confirmation (Confirm/Cancel), an approval request to the current host, or a refusal.
        `summary` says exactly what will happen, in the reader's language.
        """
        return await self.services.policy.gate(self, meeting, summary, targets)

    def audit_decision(self, decision: str, detail: str = "") -> None:
        self.decision = decision
        self.store.audit(platform=self.message.platform, chat_user=self.message.user, intent=self.intent.name,
                         event="decision", outcome=decision, detail=detail)
