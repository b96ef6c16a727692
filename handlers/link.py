"""link_meeting: bind this thread or channel to a meeting, so "this meeting" here means it.

A link carries authority (the next "make @alice host" here acts on that meeting), so it is gated like a
change: linking needs someone who runs the meeting (its host or organizer, as the vendor reports them) or
an admin, else that host approves; replacing the link that applies here (a thread inherits its channel's)
also needs the one who linked it, the linked meeting's host, or an admin, else that host approves.
"""

from __future__ import annotations

from bot.core.answer.render import explain
from bot.core.flow.pipeline import speaker_of, speaker_person
from bot.core.model.errors import MeetingProblem
from bot.core.model.events import Reply
from bot.core.model.outcome import Kind, Outcome
from bot.core.model.plan import Authority, ConfirmMode, Operation, Plan
from bot.core.model.vendor import Meeting, MeetingRef, group_digits
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.core.world.meetings import locate


@intent("link_meeting", examples={"en": ("link this channel to meeting 123456789",
                                         "link this thread to vc.feishu.cn/j/123456789"),
                                  "zh": ("绑定会议 123456789",
                                         "把本群关联到飞书会议 123456789")},
        confirm=ConfirmMode.OTHERS, authority=Authority.OWNER)
async def link_meeting(ctx: Context) -> Plan | list[Reply]:
    """Link this thread or channel to a meeting."""
    msg = ctx.message
    kind = ctx.intent.scope
    if kind not in ("thread", "channel"):  # a slash command is typed in the channel (its thread is our answer's)
        kind = "thread" if msg.thread and msg.thread != msg.channel and not msg.in_channel else "channel"
    scope = (msg.thread or msg.channel) if kind == "thread" else (msg.channel or msg.thread)
    words: dict[str, object] = {"scope": ctx.t(f"scope_{kind}")}
    if not scope:
        return [Reply(ctx.t("link_nowhere"))]
    if ctx.intent.meeting is None:
        return [Reply(ctx.t("link_need_meeting", **words))]
    # Ask the vendor first: it settles which vendor a bare number belongs to, and we store the
    # vendor's own meeting id, which (unlike a 9-digit number) is never reused for another meeting.
    located = await locate(ctx, ctx.intent.meeting)
    if isinstance(located, Outcome):
        vendor_key = located.vendor
        fill = {"vendor": ctx.vendor_name(vendor_key), "meeting": located.meeting or "?", "target": "?"}
        return [Reply(explain(ctx.lang, located, vendor_key, **fill))]
    meeting, vendor = located
    words.update(vendor=ctx.vendor_name(vendor.key), meeting=meeting.display)
    own = await ctx.store.link(msg.platform, scope)
    # The link that applies here now: this place's own, else (a thread) its channel's.
    old = own or (await ctx.store.link(msg.platform, msg.channel) if kind == "thread" and msg.channel else None)
    if old is not None and old["vendor"] == vendor.key and old["meeting_id"] == meeting.id:
        return [Reply(ctx.t("link_same", **words))]
    previous = _shown(ctx, str(old["vendor"]), str(old["meeting_id"])) if old else ""

    async def link() -> Outcome:
        await ctx.store.set_link(msg.platform, scope, vendor.key, meeting.id, linked_by=msg.user)
        return Outcome(Kind.OK, audit_detail=f"{kind}:{scope}")

    async def render(outcome: Outcome) -> list[Reply]:
        return [Reply(ctx.t("link_replaced", old=previous, **words) if old else ctx.t("link_done", **words))]

    linked_by = str(old.get("linked_by") or "?") if old else ""
    current = await _linked_meeting_now(ctx, str(old["vendor"]), str(old["meeting_id"])) if old else None
    speaker = await speaker_of(ctx, await speaker_person(ctx))
    if old is None or current is None or linked_by == msg.user or speaker.runs(current):
        # Nothing here to replace, or the speaker may replace it (they linked it, or they run the meeting it
        # names): what remains is the new meeting, whose host (or organizer, or an admin) decides; anybody
        # else asks that host. Whoever linked the old one loses it, so they are asked to confirm.
        owner = await ctx.people.describe_chat_user(msg.platform, linked_by) if old else ""
        summary = ctx.t("summary_relink", old=previous, owner=owner, **words) if old else ctx.t("summary_link", **words)
        losers = (linked_by,) if old and linked_by != msg.user else ()
        return Plan(Operation.LINK, summary, render, authority=Authority.MEETING, vendor=vendor.key,
                    meetings=(meeting,), losers=losers, apply=link)
    # Re-pointing a place somebody else linked: theirs to change, or the linked meeting's host's (as the
    # vendor reports it now), or an admin's; anybody else asks that host first.
    summary = ctx.t("summary_relink", old=previous, owner=await ctx.people.describe_chat_user(msg.platform, linked_by),
                    **words)
    return Plan(Operation.LINK, summary, render, authority=Authority.OWNER, vendor=str(old["vendor"]),
                meetings=(current,), owners=(linked_by,), losers=(linked_by,), apply=link)


async def _linked_meeting_now(ctx: Context, vendor: str, meeting_id: str) -> Meeting:
    """The meeting a place is linked to, as its vendor reports it now (its host may approve)."""
    try:
        located = await locate(ctx, MeetingRef(vendor, meeting_id))
    except MeetingProblem:
        located = Outcome.unavailable()
    if isinstance(located, Outcome):
        return Meeting(vendor=vendor, id=meeting_id, display=group_digits(meeting_id))
    return located[0]


def _shown(ctx: Context, vendor: str, meeting_id: str) -> str:
    """The linked meeting as its vendor's clients show it (never a bare internal id when a number exists)."""
    client = ctx.vendors.get(vendor)
    return f"{ctx.vendor_name(vendor)} {client.display_ref(meeting_id) if client else group_digits(meeting_id)}"
