"""invite: call people into a running meeting (Feishu, on the requester's own authorization)."""

from __future__ import annotations

from bot.core.answer.render import item_lines, join_names
from bot.core.model.events import Reply
from bot.core.model.outcome import Kind, Outcome
from bot.core.model.plan import Authority, Operation, Plan
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.core.request.request import Recorded
from handlers.common import failed, locate_meeting, lost_answer_note, meeting_words, not_supported, resolve_all


@intent(
    "invite",
    examples={"en": ("invite @bob and @carol to meeting 123456789",
                     "invite @carol and @dave to meeting 123456789",
                     "/host invite @carol"),
              "zh": ("邀请 @bob 加入会议 123456789",
                     "邀请 @carol 和 @dave 入会",
                     "把 @carol 拉进会议 123456789")},
    authority=Authority.MEETING,
)
async def invite(ctx: Context) -> Plan | list[Reply]:
    """Invite people into a meeting (the vendor calls them)."""
    if not ctx.intent.targets:
        return [Reply(ctx.t("need_invitee"))]
    people = await resolve_all(ctx, ctx.intent.targets)
    located = await locate_meeting(ctx, "invite_failed_reply",
                                   targets=join_names(ctx.lang, [p.display for p in people]))
    if isinstance(located, list):
        return located
    meeting, vendor = located
    words = meeting_words(ctx, meeting, vendor, people)
    if not vendor.supports("invite"):
        return [not_supported(ctx, "invite_failed_reply", "invite", vendor, words)]
    users = [ctx.people.vendor_user(p, vendor.key) for p in people]
    # Feishu invites only with a person's own token: the requester's (after an approval, too).
    speaker = await ctx.people.resolve(ctx.message.user, ctx.message.platform, ctx.message.user)
    actor = ctx.people.vendor_user(speaker, vendor.key)

    ids = ",".join(u.id for u in users)
    # Checked before anybody is asked to approve: the requester's own authorization (Feishu; the
    # reply carries the authorization link), the meeting being on.
    problem = await vendor.precheck("invite", meeting, users, actor)
    if problem is not None:
        ctx.read.append(Recorded(problem, vendor.key, meeting.id, ids))
        return [failed(ctx, "invite_failed_reply", problem, vendor, words)]

    async def render(outcome: Outcome) -> list[Reply]:
        if outcome.kind is Kind.OK:
            return [Reply(ctx.t("invite_done", **words) + lost_answer_note(ctx, outcome, vendor))]
        if outcome.kind is Kind.PARTIAL:
            shown = {u.id: p.display for u, p in zip(users, people, strict=True)}
            lines = item_lines(ctx.lang, outcome, vendor.key, "invitees", shown)
            ok = sum(1 for i in outcome.items if i.ok)
            return [Reply(ctx.t("invite_partial", ok=ok, total=len(outcome.items), failures=lines, **words))]
        return [failed(ctx, "invite_failed_reply", outcome, vendor, words)]

    # progress_invite: "20/45 invited…" while the chunks run
    return Plan(Operation.INVITE, ctx.t("summary_invite", **words), render, vendor=vendor.key, meetings=(meeting,),
                users=tuple(users), actor=actor, progress_key="progress_invite", audit_ids=ids,
                targets=tuple(p.chat_user for p in people))
