"""Re-reading a bound plan (bot/core/model/bound.py) before it runs: what a person was shown against the world now.

    read_bound(ctx, spec)    re-read exactly the plan's meetings from the vendor (once: the handler
                             gets the same answers through ctx.seen)
    read_listed(ctx, spec)   a bound reassign's series through their hosts' listings, into ctx.seen
    cohosts_now(ctx, plan)   the co-hosts of a co-host plan's meeting, where the vendor reports them
    changes(ctx, spec, plan) what differs between the plan shown and the one the world gives now;
                             empty = run it (bot/core/flow/pipeline.settle), else "changed since you were asked"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.answer.render import join_names
from bot.core.model.bound import COHOST_OPERATIONS, PlanSpec
from bot.core.model.outcome import Outcome, VendorUser
from bot.core.model.plan import Plan

if TYPE_CHECKING:
    from bot.core.request.context import Context

LISTING_PAYS = 3  # from this many series on, a host's listing is cheaper than reading each (read_listed)


def _same(a: VendorUser | None, b: VendorUser | None) -> bool:
    return (a.id.strip().lower() if a else "") == (b.id.strip().lower() if b else "")


async def read_bound(ctx: Context, spec: PlanSpec) -> Outcome | None:
    """Read the plan's meetings from their vendor, once, into ctx.seen (locate answers from it).
    None when all were read; else the vendor's answer for the first that could not be."""
    for assumed in spec.meetings:
        vendor = ctx.vendors.get(assumed.vendor)
        if vendor is None:
            return Outcome.unavailable(remedy="remedy_retry_later", detail="vendor no longer configured")
        found = await vendor.find_meeting(assumed.ref)
        if isinstance(found, Outcome):
            return replace(found, vendor=vendor.key, meeting=assumed.display)
        ctx.seen[(assumed.vendor, assumed.id)] = found
    return None


async def read_listed(ctx: Context, spec: PlanSpec) -> None:
    """A bound reassign's series read through their hosts' listings (a few pages instead of one read
    per series) into ctx.seen. Only the stored ids are kept: a series the listing adds is not in the
    plan; one no longer listed under its host is read by itself when the handler locates it."""
    vendor = ctx.vendors.get(spec.vendor)
    shown = (*spec.meetings, *spec.shown_only)
    if vendor is None or len(shown) < LISTING_PAYS or not vendor.supports("list_host_meetings"):
        return
    wanted = {m.id for m in shown}
    hosts = {m.host.id.lower(): m.host for m in shown if m.host is not None}
    for host in hosts.values():
        listed = await vendor.list_host_meetings(host)
        for meeting in listed if isinstance(listed, list) else ():
            if meeting.id in wanted:
                ctx.seen[(spec.vendor, meeting.id)] = meeting


async def cohosts_now(ctx: Context, plan: Plan) -> tuple[str, ...] | None:
    """The co-hosts of a co-host plan's meeting where the vendor reports them (Zoom), else None."""
    meeting, vendor = plan.meeting, ctx.vendors.get(plan.vendor)
    if plan.operation.value not in COHOST_OPERATIONS or meeting is None or vendor is None:
        return None
    if not vendor.supports("who_is_host") or not vendor.reports_cohosts:
        return None
    answer = await vendor.who_is_host(meeting)
    return tuple(answer.cohosts) if answer.ok else None


async def changes(ctx: Context, spec: PlanSpec, plan: Plan) -> list[str]:
    """What is not as shown: each a sentence in the reader's language (empty: the same plan)."""
    name = ctx.vendor_name(spec.vendor)
    found: list[str] = []
    until = plan.expiry.at.isoformat() if plan.expiry is not None else ""
    if plan.operation.value != spec.operation or plan.vendor != spec.vendor or until != spec.until:
        return [ctx.t("changed_plan")]
    now_ids = [m.id for m in plan.meetings]
    shown_ids = [m.id for m in spec.meetings]
    if now_ids != shown_ids:
        moved = [m.display for m in spec.meetings if m.id not in now_ids]
        moved += [m.display for m in plan.meetings if m.id not in shown_ids]
        found.append(ctx.t("changed_scope", vendor=name, meetings=join_names(ctx.lang, moved) or "?"))
    shown = {m.id: m for m in spec.meetings}
    for meeting in plan.meetings:
        was = shown.get(meeting.id)
        if was is not None and not _same(was.host, meeting.host):
            found.append(ctx.t("changed_host", vendor=name, meeting=meeting.display,
                               was=await _who(ctx, spec.vendor, was.host),
                               now=await _who(ctx, spec.vendor, meeting.host)))
    if [u.id.lower() for u in plan.users] != [u.id.lower() for u in spec.users]:
        found.append(ctx.t("changed_targets", vendor=name))
    if spec.meetings and spec.meetings[0].cohosts is not None:
        now = await cohosts_now(ctx, plan)
        was_cohosts = spec.meetings[0].cohosts
        if now is not None and sorted(c.lower() for c in now) != sorted(c.lower() for c in was_cohosts):
            found.append(ctx.t("changed_cohosts", vendor=name, meeting=spec.meetings[0].display,
                               was=await _names(ctx, spec.vendor, was_cohosts),
                               now=await _names(ctx, spec.vendor, now)))
    return found


async def _who(ctx: Context, vendor: str, user: VendorUser | None) -> str:
    return await ctx.people.describe(vendor, user, ctx.message.platform)


async def _names(ctx: Context, vendor: str, ids: Sequence[str]) -> str:
    if not ids:
        return ctx.t("changed_nobody")
    return join_names(ctx.lang, [await _who(ctx, vendor, VendorUser(i)) for i in ids])
