"""Execute: the one place where a Plan that passed the gate changes anything.

Every mutating vendor method (set_host, add_cohost, remove_cohost, invite, reassign) is called
here and nowhere else (tests/core/test_execute_only.py proves it); store-only operations run the
Plan's `apply`. Each run writes its audit row, its log line and its latency metric.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from bot.core.logs import event
from bot.core.outcome import Kind, Outcome
from bot.core.plan import Operation, Plan
from bot.core.vendor import ChunkDone, MeetingVendor

if TYPE_CHECKING:
    from bot.core.context import Context

log = logging.getLogger(__name__)


async def execute(ctx: Context, plan: Plan) -> Outcome:
    """Carry out `plan` (already allowed by the gate) and record what came of it."""
    started = time.monotonic()
    if plan.operation.calls_vendor:
        vendor = ctx.vendors.get(plan.vendor)
        if vendor is None:  # the plan was made with this vendor: only a bug gets here
            raise RuntimeError(f"plan for an unconfigured vendor {plan.vendor!r}")
        progress = ctx.progress(plan.progress_key, len(plan.users) if plan.operation is Operation.INVITE
                                else len(plan.meetings)).advance if plan.progress_key else None
        outcome = await _vendor_call(vendor, plan, progress)
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
    ctx.record_outcome(plan.vendor, meeting, plan.audit_ids or ",".join(u.id for u in plan.users), outcome,
                       seconds * 1000)
    return outcome


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
