"""Execute: the one place where a Plan that passed the gate changes anything.

Every mutating vendor method (set_host, add_cohost, remove_cohost, invite, reassign) is called
here and nowhere else (tests/core/test_execute_only.py proves it); store-only operations run the
Plan's `apply`. Each run writes its outcome's audit row, its log line and its latency metric.

Vendors without a compare-and-swap (`MeetingVendor.atomic_changes` False: Zoom, Webex, DingTalk) are
changed one change per meeting at a time, across replicas: a lease per meeting in the store
(bot/core/flow/serial.py) is held around read -> write -> read back. Under it a host change first checks that
the host still is the one the plan was gated on (hostbot's own compare-and-swap: two requests at once
cannot both act on the host they saw), and the answer then carries what the vendor holds afterwards
(host, co-hosts), so the reply states it. Feishu's set_host has a real CAS (old host) and runs as is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.flow.serial import LeaseBusy, held
from bot.core.model.outcome import Kind, Outcome
from bot.core.model.plan import Operation, Plan
from bot.core.model.vendor import ChunkDone, MeetingVendor
from bot.core.request.request import Recorded, Request, outcome_row
from bot.store import AsyncStore
from bot.telemetry.logs import event

if TYPE_CHECKING:
    from bot.core.request.context import Context

log = logging.getLogger(__name__)


async def execute(ctx: Context, plan: Plan) -> Outcome:
    """Carry out `plan` (already allowed by the gate) and record what came of it."""
    started = time.monotonic()
    if plan.operation.calls_vendor:
        vendor = ctx.vendors.get(plan.vendor)  # a MeetingReader to all but here: the one place that changes
        if not isinstance(vendor, MeetingVendor):  # the plan was made with this vendor: only a bug gets here
            raise RuntimeError(f"plan for an unconfigured vendor {plan.vendor!r}")
        progress = ctx.progress(plan.progress_key, len(plan.users) if plan.operation is Operation.INVITE
                                else len(plan.meetings)).advance if plan.progress_key else None
        outcome = await _change(ctx, vendor, plan, progress)
    elif plan.apply is not None:
        outcome = await plan.apply()
    else:
        raise RuntimeError(f"plan {plan.operation} has nothing to execute")
    seconds = time.monotonic() - started
    if plan.operation.calls_vendor:
        ctx.services.metrics.vendor_latency.labels(plan.vendor, plan.operation.value,
                                                   outcome.kind.value).observe(seconds)
        event(log, "vendor call", vendor=plan.vendor, operation=plan.operation.value, outcome=outcome.kind.value,
              code=outcome.vendor_code or None, items=len(outcome.items) or None, ms=round(seconds * 1000, 1))
    meeting = ",".join(m.id for m in plan.meetings[:20])
    await audit_outcome(ctx.store, ctx.request, Recorded(outcome, plan.vendor, meeting,
                                                   plan.audit_ids or ",".join(u.id for u in plan.users),
                                                   round(seconds * 1000, 1)))
    return outcome


async def audit_outcome(store: AsyncStore, request: Request, recorded: Recorded) -> None:
    """The audit row of a vendor answer (or of a change in our store: its `audit` names it), unless the change
    wrote it in its own transaction (`outcome.audited`: a scheduled handover)."""
    if not recorded.outcome.audited:
        await store.audit(**outcome_row(request, recorded))



async def _change(ctx: Context, vendor: MeetingVendor, plan: Plan, progress: ChunkDone | None) -> Outcome:
    """The vendor call, serialized per meeting where the vendor has no compare-and-swap (module docstring)."""
    if vendor.atomic_changes or plan.operation is Operation.INVITE:
        return await _vendor_call(vendor, plan, progress)
    try:
        async with held(ctx.store, [f"meeting:{plan.vendor}:{m.id}" for m in plan.meetings]):
            moved = await _host_moved(vendor, plan)
            if moved is not None:
                return moved
            return await _read_back(vendor, plan, await _vendor_call(vendor, plan, progress))
    except LeaseBusy:
        return Outcome.unavailable("meeting_busy", remedy="remedy_retry_later")


async def _host_moved(vendor: MeetingVendor, plan: Plan) -> Outcome | None:
    """A host change whose expected host is no longer the host (read under the lease): the conflict."""
    if plan.operation is not Operation.SET_HOST or plan.expected_host is None or plan.meeting is None:
        return None
    now = await vendor.who_is_host(plan.meeting)
    host = now.current_host
    if now.ok and host is not None and host.id.strip().lower() != plan.expected_host.id.strip().lower():
        return Outcome.conflict(host)
    return None  # the same host, or it cannot be read now: the vendor call answers for itself


async def _read_back(vendor: MeetingVendor, plan: Plan, outcome: Outcome) -> Outcome:
    """A change to one meeting, read back: the answer carries the host and co-hosts the vendor holds now,
    and names whom a co-host change did not reach (somebody changed the list outside hostbot meanwhile)."""
    single = (Operation.SET_HOST, Operation.ADD_COHOST, Operation.REMOVE_COHOST)
    if not outcome.ok or plan.operation not in single or plan.meeting is None:
        return outcome
    now = await vendor.read_back(plan.meeting)
    if not now.ok:
        return outcome
    outcome = replace(outcome, current_host=now.current_host or outcome.current_host)
    if plan.operation is Operation.SET_HOST:
        return outcome
    held_now = {c.lower() for c in now.cohosts}
    adding = plan.operation is Operation.ADD_COHOST
    missed = tuple(u.id for u in plan.users if (u.id.lower() in held_now) != adding)
    return replace(outcome, cohosts=now.cohosts, not_held=missed)


def _vendor_call(vendor: MeetingVendor, plan: Plan, progress: ChunkDone | None) -> Awaitable[Outcome]:
    meeting = plan.meeting
    op = plan.operation
    if op is Operation.REASSIGN:
        return vendor.reassign(plan.users[0], [m.id for m in plan.meetings], progress=progress)
    if meeting is None:
        raise RuntimeError(f"{op} needs a meeting")
    if op is Operation.SET_HOST:
        return vendor.set_host(meeting, plan.users[0], plan.expected_host)
    if op is Operation.ADD_COHOST:
        return vendor.add_cohost(meeting, plan.users)
    if op is Operation.REMOVE_COHOST:
        return vendor.remove_cohost(meeting, plan.users)
    if op is Operation.INVITE:
        return vendor.invite(meeting, plan.users, plan.actor, progress=progress)
    raise RuntimeError(f"{op} is not a vendor operation")


def nothing_done(reason: str) -> Outcome:
    """The Outcome of a plan that turned out to need no change."""
    return Outcome(Kind.OK, reason=reason)
