"""undo: put back what a host or co-host change did (the Undo button; bot/core/flow/undo.py claims the press).

Planned like any change: the meeting is read from the vendor again, and the Plan goes through the
same gate and execute. Undoing a host change expects the host hostbot made (CAS): when the host
moved meanwhile, it says who hosts now and changes nothing. Undoing a change that was to expire
("… for 30 minutes") cancels the handover that would have put it back.
"""

from __future__ import annotations

from bot.core.answer.render import explain, join_names
from bot.core.model.events import Reply
from bot.core.model.outcome import Kind, Outcome, VendorUser
from bot.core.model.plan import Authority, ConfirmMode, Operation, Plan
from bot.core.model.vendor import Meeting, MeetingReader, MeetingRef
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.core.request.request import Answer
from bot.core.world.meetings import locate
from bot.scheduling.scheduler import of as scheduler_of
from bot.store.rows.undos import UndoRow
from handlers.common import lost_answer_note, not_found


@intent("undo", examples={"en": ("undo",), "zh": ("撤销",)}, confirm=ConfirmMode.NEVER,
        authority=Authority.OWNER)
async def undo(ctx: Context) -> Plan | Answer | list[Reply]:
    """Undo your last host or co-host change"""
    row = ctx.undo
    if row is None:  # typed "undo" with no change of the speaker's left to undo (bot/core/flow/dispatch.py)
        return [Reply(ctx.t("undo_nothing", minutes=f"{ctx.services.settings.undo_min:g}"))]
    located = await locate(ctx, MeetingRef(row.vendor, row.meeting_id))
    if isinstance(located, Outcome):
        return [not_found(ctx, "undo_failed", located)]
    meeting, vendor = located
    restore = [u for u in map(VendorUser.from_json, row.restore) if u is not None]
    made = [u for u in map(VendorUser.from_json, row.made) if u is not None]
    if row.operation == Operation.SET_HOST.value and restore and made:
        return await _host_back(ctx, row, meeting, vendor, restore[0], made[0])
    if row.operation in (Operation.ADD_COHOST.value, Operation.REMOVE_COHOST.value):
        return await _cohosts_back(ctx, row, meeting, vendor, restore, made)
    return [Reply(ctx.t("choice_expired"))]


async def _name(ctx: Context, vendor: str, user: VendorUser | None) -> str:
    return await ctx.people.describe(vendor, user, ctx.message.platform)


async def _host_back(ctx: Context, row: UndoRow, meeting: Meeting, vendor: MeetingReader, previous: VendorUser,
               made: VendorUser) -> Plan | Answer:
    words = {"vendor": ctx.vendor_name(vendor.key), "meeting": meeting.display,
             "restored": await _name(ctx, vendor.key, previous), "made": await _name(ctx, vendor.key, made)}

    async def moved(current: VendorUser | None) -> list[Reply]:
        return [Reply(ctx.t("undo_host_moved", current=await _name(ctx, vendor.key, current), **words))]

    if meeting.host is None or meeting.host.id.lower() != made.id.lower():  # the host moved after our change:
        host = meeting.host  # what Undo would undo is gone
        return Answer.decision_of(await moved(host), "undo_stale", host.id if host else "")

    async def render(outcome: Outcome) -> list[Reply]:
        if outcome.kind is Kind.OK:
            back = await _back(ctx, row)
            return [Reply(ctx.t("undo_host_done", **words) + lost_answer_note(ctx, outcome, vendor) + back)]
        if outcome.kind is Kind.CONFLICT:
            return await moved(outcome.current_host)
        return [Reply(ctx.t("undo_failed", reason=explain(ctx.lang, outcome, vendor.key, **words), **words))]

    return Plan(Operation.SET_HOST, ctx.t("undo_summary_host", **words), render, vendor=vendor.key,
                meetings=(meeting,), users=(previous,), expected_host=made, losing_users=(made,),
                owners=(row.requester, *row.pressers), undoes=row.id)


async def _cohosts_back(ctx: Context, row: UndoRow, meeting: Meeting, vendor: MeetingReader,
                  restore: list[VendorUser], made: list[VendorUser]) -> Plan:
    adding_back = row.operation == Operation.REMOVE_COHOST.value  # undoing a removal adds them again
    users = restore if adding_back else made
    words = {"vendor": ctx.vendor_name(vendor.key), "meeting": meeting.display,
             "targets": join_names(ctx.lang, [await _name(ctx, vendor.key, u) for u in users])}
    done_key, summary_key = (("undo_cohosts_back", "undo_summary_cohosts_back") if adding_back
                             else ("undo_cohosts_off", "undo_summary_cohosts_off"))

    async def render(outcome: Outcome) -> list[Reply]:
        if outcome.kind is Kind.OK:
            return [Reply(ctx.t(done_key, **words) + lost_answer_note(ctx, outcome, vendor) + await _back(ctx, row))]
        return [Reply(ctx.t("undo_failed", reason=explain(ctx.lang, outcome, vendor.key, **words), **words))]

    return Plan(Operation.ADD_COHOST if adding_back else Operation.REMOVE_COHOST, ctx.t(summary_key, **words),
                render, vendor=vendor.key, meetings=(meeting,), users=tuple(users),
                owners=(row.requester, *row.pressers), undoes=row.id)


async def _back(ctx: Context, row: UndoRow) -> str:
    """An expiring change undone: the handover that was to put it back at its end is cancelled too."""
    sched = scheduler_of(ctx.services)
    if not row.handover.isdigit() or sched is None or not await sched.cancel(int(row.handover), ctx.message.user):
        return ""
    return "\n" + ctx.t("expire_undo_cancelled", id=row.handover)
