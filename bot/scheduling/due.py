"""Running one due handover: its stored plan, read once, re-checked, then pipeline.run with its approval.

A handover row is the plan it was scheduled (or approved) for: the meeting (vendor id, the number as
shown), the host it assumed, the target (chat user and vendor id). `handover_plan` is that plan as a
bot/core/model/bound.PlanSpec; `run_handover` reads exactly that meeting from the vendor once (the handler
gets the same answer through ctx.seen), stops when the meeting is over or the target already hosts,
and otherwise runs set_host through bot/core/flow/pipeline.run bound to that plan: no thread link, no
text, and the gate with the authority it was scheduled with.

The change back of an expiring change ("make @bob co-host for 30 minutes": authority GRANTED) runs
remove_cohost or set_host the same way, as its requester's (allowed with the change), and only on the
state it assumed (`world_moved`): else it changes nothing and says why in the thread.
"""

from __future__ import annotations

from bot.core.answer.progress import ProgressSink
from bot.core.answer.render import explain
from bot.core.flow.pipeline import run
from bot.core.model.bound import Assumed, PlanSpec, bind
from bot.core.model.events import ChatMessage, Reply
from bot.core.model.intent import Intent
from bot.core.model.outcome import Kind, VendorUser
from bot.core.model.plan import Operation
from bot.core.model.vendor import Meeting
from bot.core.request.context import Context, Services
from bot.core.request.request import Approval, Request
from bot.core.world.recheck import read_bound
from bot.i18n import t
from bot.scheduling.book import CONFLICT, DONE, FAILED, Handover

Ran = tuple[str, str, list[Reply]]  # (status, result, replies) of one run


def handover_plan(h: Handover, host_now: VendorUser | None = None) -> PlanSpec:
    """The plan a handover stores: this meeting, this target, the host it assumed (set_host); for the
    change back of an expiring co-host role, remove_cohost of that person, whoever hosts (`host_now`)."""
    if h.operation == Operation.REMOVE_COHOST.value:
        shown = Assumed(h.vendor, h.meeting_id, h.meeting_display, host_now or h.host)
        return PlanSpec(h.operation, h.vendor, (shown,), (h.target_user,), (h.target,), requester=h.requester,
                        handover=h.id, owners=(h.requester,))
    return PlanSpec(Operation.SET_HOST.value, h.vendor, (Assumed(h.vendor, h.meeting_id, h.meeting_display, h.host),),
                    (h.target_user,), (h.target,), h.host, requester=h.requester, handover=h.id,
                    owners=(h.requester,) if h.reverts else ())


def approval(h: Handover) -> Approval:
    """What the gate gets as already settled: scheduled by the host, organizer or an admin = confirmed;
    approved by the host of that time = approved, and it counts only while they host (CAS too); a change
    back (GRANTED) = confirmed, allowed with the change (its plan's owners: bot/core/flow/pipeline.settle)."""
    return Approval.scheduled(h.id, h.host if h.host is not None and h.authority == "approved" else None)


async def run_handover(services: Services, h: Handover, message: ChatMessage, w: dict[str, str],
                       progress: ProgressSink | None = None) -> Ran:
    """(status, result, replies) of running `h` now; long work shows its progress in `progress`."""
    lang, spec = h.lang, handover_plan(h)
    request = Request(message, bind(Intent(h.operation, lang=lang, text=f"handover #{h.id}"), spec), lang)
    ctx = Context(services, request, approval(h), progress_sink=progress, bound=spec, no_links=True)
    vendor = services.vendors.get(h.vendor)
    if vendor is None:
        reason = t(lang, "vendor_not_configured", vendor=w.get("vendor", h.vendor))
        return FAILED, "vendor_not_configured", [Reply(t(lang, "handover_not_done", reason=reason))]
    problem = await read_bound(ctx, spec)
    if problem is not None:
        reason = explain(lang, problem, h.vendor, **w)
        return FAILED, problem.kind.value, [Reply(t(lang, "handover_not_done", reason=reason))]
    meeting = ctx.seen[(h.vendor, h.meeting_id)]
    if h.reverts:
        stale = await world_moved(ctx, h, meeting, w)
        if stale is not None:
            return stale
        if h.operation == Operation.REMOVE_COHOST.value:  # whoever hosts now: only bob's co-host role is assumed
            ctx.bound = spec = handover_plan(h, meeting.host)
    # Feishu changes the host only while the meeting runs; Zoom and Webex change scheduled meetings
    # (vendor.host_change_needs_running), so only an ended one stops those.
    if meeting.ended or (vendor.host_change_needs_running and not meeting.in_progress):
        return FAILED, "meeting_ended", [Reply(t(lang, "handover_meeting_ended", **w))]
    if h.operation == Operation.SET_HOST.value and meeting.host is not None and meeting.host.id == h.target_user.id:
        # Done already: by hand, or by our own call just before a crash cut the run short.
        return DONE, "already_host", [Reply(t(lang, "handover_already_done", **w))]
    moved = h.operation == Operation.SET_HOST.value and h.host is not None and (
        meeting.host is None or meeting.host.id != h.host.id)
    answer = await run(ctx)  # moved: set_host says who hosts now and offers a Retry (a new plan)
    outcome, replies = answer.outcome, answer.replies
    if outcome is not None and outcome.kind is Kind.OK:
        return DONE, "ok", replies
    if moved or "changed_since_asked" in (d for d, _ in answer.decided) or (
            outcome is not None and outcome.kind is Kind.CONFLICT):
        return CONFLICT, "host_changed", replies
    if outcome is None and answer.decision == "rejected":
        return FAILED, "rejected", replies
    return FAILED, outcome.kind.value if outcome else (answer.decision or "not_run"), replies


async def world_moved(ctx: Context, h: Handover, meeting: Meeting, w: dict[str, str]) -> Ran | None:
    """The change back of an expiring change runs only on the state it assumed: for a host, that the host
    is still the one hostbot made; for a co-host, that they are still co-host (where the vendor says:
    Zoom's alternative hosts). Else it does nothing and says why."""
    lang, vendor = h.lang, ctx.vendors[h.vendor]
    if h.operation == Operation.SET_HOST.value:
        if meeting.host is not None and h.target_user.id.lower() == meeting.host.id.lower():
            return None  # given back already: the usual "already host" report
        if meeting.host is None or h.host is None or meeting.host.id.lower() != h.host.id.lower():
            current = await ctx.people.describe(h.vendor, meeting.host, ctx.message.platform)
            made = await ctx.people.describe(h.vendor, h.host, ctx.message.platform)
            return CONFLICT, "host_moved", [Reply(t(lang, "expire_host_moved", current=current, made=made, **w))]
        return None
    if not (vendor.reports_cohosts and vendor.supports("who_is_host")):
        return None  # not known here: remove_cohost itself reports "was not co-host"
    answer = await vendor.who_is_host(meeting)
    if answer.ok and h.target_user.id.lower() not in {c.lower() for c in answer.cohosts}:
        return DONE, "cohost_gone", [Reply(t(lang, "expire_cohost_gone", **w))]
    return None
