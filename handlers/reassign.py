"""reassign: move all (or the listed) meeting series of one host to another (Webex, as an admin).

"Reassign @dave's meetings to @erin" lists @dave's series at the vendor and reassigns them in
batches; series in progress cannot be moved and are reported as skipped, never dropped silently.
Policy: the host of every meeting to move (as the vendor reports it) or an admin; the summary is
always confirmed first.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.answer.render import explain, item_lines
from bot.core.identity.resolver import Person
from bot.core.model.errors import MeetingProblem
from bot.core.model.events import Reply
from bot.core.model.outcome import ItemResult, Kind, Outcome
from bot.core.model.plan import Authority, ConfirmMode, Operation, Plan
from bot.core.model.vendor import Meeting, MeetingReader, MeetingRef
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.core.request.request import Recorded
from bot.core.world.meetings import locate
from bot.core.world.recheck import read_listed
from handlers.common import lost_answer_note, not_supported

SUMMARY_TITLES = 5  # the confirmation names this many meetings, then "…"


@intent(
    "reassign",
    examples={"en": ("reassign @dave's meetings to @erin",
                     "reassign my webex meetings to @alice",
                     "move my meetings to @erin"),
              "zh": ("把 @dave 的所有会议转给 @erin",
                     "把 @dave 的会议都转给 @erin",
                     "把我的所有会议转交给 @erin")},
    confirm=ConfirmMode.ALWAYS,
    authority=Authority.HOST_OR_ADMIN,
)
async def reassign(ctx: Context) -> Plan | list[Reply]:
    """Move somebody's meetings to a new host."""
    if not ctx.intent.targets:
        return [Reply(ctx.t("need_reassign_target"))]
    target = await ctx.people.resolve(ctx.intent.targets[0], ctx.message.platform, ctx.message.user)
    refs = _listed(ctx)
    if refs:
        found = await _listed_meetings(ctx, refs, target)
    else:
        found = await _all_meetings(ctx, target)
    if isinstance(found, list):
        return found
    vendor, source, meetings = found
    words = {"target": target.display, "source": source.display if source else "?",
             "vendor": ctx.vendor_name(vendor.key)}
    new_host = ctx.people.vendor_user(target, vendor.key)
    skipped = [m for m in meetings if m.in_progress]
    todo = [m for m in meetings if not m.in_progress and not (m.host and m.host.id.lower() == new_host.id.lower())]
    shown = {m.id: f"“{m.topic}”" if m.topic else m.display for m in meetings}
    skipped_items = tuple(ItemResult(m.id, False, "skipped_in_progress") for m in skipped)
    if not todo:
        if not skipped:
            return [Reply(ctx.t("reassign_nothing", **words))]
        lines = item_lines(ctx.lang, Outcome(Kind.OK, skipped=skipped_items), vendor.key, "meetings", shown)
        return [Reply(ctx.t("reassign_only_skipped", failures=lines, **words))]

    titles = ", ".join(shown[m.id] for m in todo[:SUMMARY_TITLES])
    if len(todo) > SUMMARY_TITLES:
        titles = ctx.t("titles_and_more", titles=titles, count=len(todo) - SUMMARY_TITLES)
    summary = ctx.t("summary_reassign", count=len(todo), titles=titles, **words)
    ids = [m.id for m in todo]

    async def render(outcome: Outcome) -> list[Reply]:
        outcome = replace(outcome, skipped=skipped_items)
        lines = item_lines(ctx.lang, outcome, vendor.key, "meetings", shown)
        if outcome.kind is Kind.OK:
            text = ctx.t("reassign_done", count=len(ids), **words) + lost_answer_note(ctx, outcome, vendor)
            return [Reply(f"{text}\n{lines}" if lines else text)]
        if outcome.kind is Kind.PARTIAL:
            ok = sum(1 for i in outcome.items if i.ok)
            return [Reply(ctx.t("reassign_partial", ok=ok, total=len(outcome.items), failures=lines, **words))]
        text = ctx.t("reassign_failed", reason=explain(ctx.lang, outcome, vendor.key, **words), **words)
        skipped_only = item_lines(ctx.lang, Outcome(Kind.OK, skipped=skipped_items), vendor.key, "meetings", shown)
        return [Reply(f"{text}\n{skipped_only}" if skipped_only else text)]

    # The authority is each listed meeting's host as the vendor reports it (Authority.HOST_OR_ADMIN),
    # never whose meetings the requester said they were. "120/250 reassigned…" while the batches run.
    losing = {m.host.id.lower(): m.host for m in todo if m.host is not None}
    return Plan(Operation.REASSIGN, summary, render, vendor=vendor.key, meetings=tuple(todo), users=(new_host,),
                losing_users=tuple(losing.values()), progress_key="progress_reassign", audit_ids=new_host.id,
                targets=(target.chat_user,), shown_only=tuple(skipped))


def _listed(ctx: Context) -> list[MeetingRef]:
    """The meetings the request names (all of them: intent.meetings, else the one meeting)."""
    if ctx.intent.meetings:
        return list(ctx.intent.meetings)
    if ctx.intent.meeting is not None and not ctx.intent.every:
        return [ctx.intent.meeting]
    return []


async def _all_meetings(ctx: Context, target: Person
                        ) -> tuple[MeetingReader, Person | None, list[Meeting]] | list[Reply]:
    if not ctx.intent.from_user:
        return [Reply(ctx.t("need_reassign_source"))]
    source = await ctx.people.resolve(ctx.intent.from_user, ctx.message.platform, ctx.message.user)
    vendor = _bulk_vendor(ctx, target, source)
    if isinstance(vendor, list):
        return vendor
    listed = await vendor.list_host_meetings(ctx.people.vendor_user(source, vendor.key))
    if isinstance(listed, Outcome):
        ctx.read.append(Recorded(listed, vendor.key, "", source.chat_user))
        words = {"target": target.display, "source": source.display, "vendor": ctx.vendor_name(vendor.key)}
        return [Reply(ctx.t("reassign_failed", reason=explain(ctx.lang, listed, vendor.key, **words), **words))]
    return vendor, source, listed


def _bulk_vendor(ctx: Context, target: Person, source: Person) -> MeetingReader | list[Reply]:
    """The vendor whose meetings to move: the one named, else the only one that can list and reassign."""
    named = ctx.intent.vendor_word
    if named:
        vendor = ctx.vendors.get(named)
        if vendor is None:
            raise MeetingProblem("vendor_not_configured", vendor=ctx.vendor_name(named))
        if not (vendor.supports("reassign") and vendor.supports("list_host_meetings")):
            words = {"target": target.display, "source": source.display, "vendor": ctx.vendor_name(vendor.key)}
            op = "list_host_meetings" if vendor.supports("reassign") else "reassign"
            return [not_supported(ctx, "reassign_failed", op, vendor, words)]
        return vendor
    able = [v for v in ctx.vendors.values() if v.supports("reassign") and v.supports("list_host_meetings")]
    if not able:
        return [Reply(ctx.t("reassign_no_vendor"))]
    if len(able) > 1:
        return [Reply(ctx.t("reassign_which_vendor", vendors=", ".join(ctx.vendor_name(v.key) for v in able)))]
    return able[0]


async def _listed_meetings(ctx: Context, refs: list[MeetingRef], target: Person
                           ) -> tuple[MeetingReader, Person | None, list[Meeting]] | list[Reply]:
    """Look each listed meeting up; they must share a vendor that reassigns. Who owns them decides
    who may do this: the policy reads ctx.intent.from_user, so it is set to their host when unsaid."""
    meetings: list[Meeting] = []
    vendors: dict[str, MeetingReader] = {}
    if ctx.bound is not None:  # a Confirm: exactly the series shown, read again (bot/core/model/bound.py)
        await read_listed(ctx, ctx.bound)
    for ref in refs:
        located = await locate(ctx, ref)
        if isinstance(located, Outcome):
            vendor_key = located.vendor
            words = {"target": target.display, "source": "?", "vendor": ctx.vendor_name(vendor_key),
                     "meeting": located.meeting or ref.id}
            return [Reply(ctx.t("reassign_failed", reason=explain(ctx.lang, located, vendor_key, **words), **words))]
        meetings.append(located[0])
        vendors[located[1].key] = located[1]
    if len(vendors) > 1:
        return [Reply(ctx.t("reassign_mixed"))]
    vendor = next(iter(vendors.values()))
    if not vendor.supports("reassign"):
        words = {"target": target.display, "source": await ctx.people.describe(vendor.key, meetings[0].host,
                                                                         ctx.message.platform),
                 "vendor": ctx.vendor_name(vendor.key)}
        return [not_supported(ctx, "reassign_failed", "reassign", vendor, words)]
    if ctx.intent.from_user:
        source: Person | None = await ctx.people.resolve(ctx.intent.from_user, ctx.message.platform, ctx.message.user)
    else:  # named in the reply only: who may move them is the gate's question, from the vendor's hosts
        owners = {await ctx.people.chat_user_for(ctx.message.platform, vendor.key, m.host) for m in meetings}
        owner = owners.pop() if len(owners) == 1 else None
        source = await ctx.people.resolve(owner, ctx.message.platform, ctx.message.user) if owner else None
    return vendor, source, meetings
