"""A scheduled handover's reminder (or missed report) buttons as Plans: Hand over now, Snooze, Cancel.

Each press is one Plan through bot/core/flow/pipeline.settle (the gate, execute, the audit row), decided
and audited as the person who clicked (bot/core/flow/dispatch.py puts them in ctx.message.user). Who may
press is who the handover gives its buttons to (HandoverScheduler.pressers): they are the Plan's
owners. Hand over now runs the handover's own stored plan through the scheduler (claimed like the
timer claims it, so a click racing the due time runs it once).
"""

from __future__ import annotations

from bot.core.model.events import Reply
from bot.core.model.outcome import Kind, Outcome
from bot.core.model.plan import Authority, Operation, Plan
from bot.core.request.context import Context
from bot.scheduling.book import Handover
from bot.scheduling.scheduler import HandoverScheduler
from bot.scheduling.wording import hkey, words

NOW, SNOOZE, CANCEL = "handover_now", "handover_snooze", "handover_cancel"


async def not_pending(ctx: Context, sched: HandoverScheduler, hid: int) -> Reply:
    h = await sched.book.get(hid)
    state = ctx.t(f"handover_state_{h.status}") if h else "?"
    return Reply(ctx.t("handover_not_pending", id=hid, state=state))


async def button_plan(ctx: Context, sched: HandoverScheduler, h: Handover, via: str) -> Plan | list[Reply]:
    """The Plan of one reminder button pressed on handover `h`."""
    act, cancel = await sched.pressers(h)
    w = await words(h, ctx.people, ctx.lang, ctx.services.clock())
    base = {"vendor": h.vendor, "handover": h.id, "audit_ids": f"handover #{h.id}", "authority": Authority.OWNER}
    if via == NOW:
        return _now(ctx, sched, h, w, tuple(act), base)
    if via == SNOOZE:
        return await _snooze(ctx, sched, h, tuple(act), base)
    if via in (CANCEL, "cancel"):
        return _cancel(ctx, sched, h, w, tuple(cancel), base)
    return [await not_pending(ctx, sched, h.id)]


def _now(ctx: Context, sched: HandoverScheduler, h: Handover, w: dict[str, str], owners: tuple[str, ...],
         base: dict[str, object]) -> Plan:
    ran: list[Reply] = []

    async def hand_over() -> Outcome:
        replies = await sched.run_now(h.id)  # the handover's stored plan, through settle again
        if replies is None:
            return Outcome(Kind.INVALID, reason="handover_not_pending")
        ran.extend(replies)
        return Outcome(Kind.OK, handover_id=h.id, audit="handover_now", audit_detail=f"handover #{h.id}")

    async def render(outcome: Outcome) -> list[Reply]:
        return ran if outcome.ok else [await not_pending(ctx, sched, h.id)]

    return Plan(Operation.HANDOVER_NOW, ctx.t(hkey(h, "summary_handover_now"), **w), render, owners=owners,
                apply=hand_over, **base)  # type: ignore[arg-type]


async def _snooze(ctx: Context, sched: HandoverScheduler, h: Handover, owners: tuple[str, ...],
            base: dict[str, object]) -> Plan:
    async def snooze() -> Outcome:
        snoozed = await sched.snooze(h.id)
        if snoozed is None:
            now = await sched.book.get(h.id)
            limit = now is not None and now.status == "pending"  # an approved one moved as far as it may
            return Outcome(Kind.INVALID, reason="handover_snooze_limit" if limit else "handover_not_pending")
        return Outcome(Kind.OK, handover_id=h.id, audit="snoozed", audit_detail=f"handover #{h.id}")

    async def render(outcome: Outcome) -> list[Reply]:
        clock = ctx.services.clock()
        if outcome.reason == "handover_snooze_limit":
            return [Reply(ctx.t("handover_snooze_limit", **await words(h, ctx.people, ctx.lang, clock)))]
        snoozed = await sched.book.get(h.id)
        if not outcome.ok or snoozed is None:
            return [await not_pending(ctx, sched, h.id)]
        return [Reply(ctx.t(hkey(h, "handover_snoozed"), **await words(snoozed, ctx.people, ctx.lang, clock)),
                      buttons=await sched.choices(snoozed, "reminder", clock))]

    w = await words(h, ctx.people, ctx.lang, ctx.services.clock())
    return Plan(Operation.SNOOZE_HANDOVER, ctx.t("summary_handover_snooze", **w), render, owners=owners,
                apply=snooze, **base)  # type: ignore[arg-type]


def _cancel(ctx: Context, sched: HandoverScheduler, h: Handover, w: dict[str, str], owners: tuple[str, ...],
            base: dict[str, object]) -> Plan:
    clicker = ctx.message.user

    async def cancel() -> Outcome:
        if not await sched.cancel(h.id, clicker):  # recorded as cancelled by who clicked
            return Outcome(Kind.INVALID, reason="handover_not_pending")
        return Outcome(Kind.OK, handover_id=h.id, audit="cancelled", audit_detail=f"handover #{h.id}")

    async def render(outcome: Outcome) -> list[Reply]:
        if outcome.ok:
            return [Reply(ctx.t(hkey(h, "handover_cancelled"), **w))]
        return [await not_pending(ctx, sched, h.id)]

    return Plan(Operation.CANCEL_HANDOVER, ctx.t(hkey(h, "summary_handover_cancel_now"), **w), render, owners=owners,
                apply=cancel, **base)  # type: ignore[arg-type]
