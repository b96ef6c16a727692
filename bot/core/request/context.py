"""The context every handler gets: the request (bot/core/request/request.py), what a click settled, and the
services built once in bot/app.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config import Settings
from bot.core.answer.progress import Notices, Progress, ProgressSink
from bot.core.decide.policy import Policy
from bot.core.identity.resolver import IdentityResolver
from bot.core.model.bound import PlanSpec
from bot.core.model.events import ChatMessage
from bot.core.model.intent import Intent
from bot.core.model.vendor import Meeting, MeetingReader
from bot.core.request.admission import Admission
from bot.core.request.registry import Registry
from bot.core.request.request import Approval, Recorded, Request
from bot.store import AsyncStore
from bot.store.rows.undos import UndoRow
from bot.telemetry.metrics import Metrics


async def _nothing_to_wait() -> None:
    return None


@dataclass
class Services:
    """Long-lived objects built once in bot/app.py."""

    settings: Settings
    registry: Registry[Context]
    store: AsyncStore
    people: IdentityResolver
    vendors: Mapping[str, MeetingReader]  # MeetingVendor objects; only bot/core/flow/execute.py changes meetings
    clock: Callable[[], datetime]
    policy: Policy
    proposal_ttl: timedelta = timedelta(minutes=5)
    parse: Callable[..., Intent] = field(default=lambda *a, **kw: Intent("unknown"))  # bot.intents.parse
    # awaited before a parse on the event loop: the grammar may still be loading in a thread (bot.intents.ready)
    parse_ready: Callable[[], Awaitable[None]] = _nothing_to_wait
    # scheduled handovers: bot/scheduling/scheduler.HandoverScheduler, set by bot/app.py; core knows it only as
    # where a platform's notices go (handlers get the scheduler itself through bot/scheduling/scheduler.of)
    scheduler: Notices | None = None
    metrics: Metrics = field(default_factory=Metrics)  # GET /metrics (bot/telemetry/metrics.py)
    # how many chat requests do their own work at once, before their vendor (bot/core/request/admission.py)
    admission: Admission = field(default_factory=Admission)


@dataclass
class Context:
    """What a handler gets: the request (a value), what a click settled, the services, and where progress
    goes. It holds the working state of planning (meetings read, the plan shown, a note for the first
    reply); what became of the request is not kept here: the pipeline returns it (request.Answer)."""

    services: Services
    request: Request
    approval: Approval | None = None  # a click or a due handover: what it settled and by whom
    progress_sink: ProgressSink | None = None  # where long work shows its progress (the caller's choice)
    undo: UndoRow | None = None  # an Undo press: what to put back (handlers/undo.py)
    note: str = ""  # said before the first reply: the meeting found for "this meeting" (bot/core/world/running.py)
    bound: PlanSpec | None = None  # a click or a due handover: the plan that was shown (bot/core/model/bound.py)
    seen: dict[tuple[str, str], Meeting] = field(default_factory=dict)  # meetings read for `bound`, by (vendor, id)
    no_links: bool = False  # a click: "this meeting" is the one shown, never what the thread is linked to now
    read: list[Recorded] = field(default_factory=list)  # vendor answers read while planning (audited by the pipeline)

    @property
    def message(self) -> ChatMessage:
        return self.request.message

    @property
    def intent(self) -> Intent:
        return self.request.intent

    @property
    def lang(self) -> str:
        return self.request.lang

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
        return self.request.t(key, **values)

    def vendor_name(self, vendor: str) -> str:
        return self.request.vendor_name(vendor)

    def progress(self, key: str, total: int) -> Progress:
        """A progress handle for long work of `total` items, shown by the caller's sink (none: not shown)."""
        return Progress(self.progress_sink, self.lang, key, total)
