"""add_cohost / remove_cohost: give or take the co-host role (DingTalk co-hosts, Zoom alternative hosts).

Also the offer set_host makes on a vendor without host transfer (DingTalk): "make them co-host instead?".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC

from bot.core.answer.render import join_names
from bot.core.identity.resolver import Person
from bot.core.model.bound import Assumed, PlanSpec
from bot.core.model.events import ButtonStyle, Reply
from bot.core.model.outcome import Kind, Outcome, VendorUser
from bot.core.model.plan import Authority, ConfirmMode, Expiry, Operation, Plan, Undo
from bot.core.model.vendor import Meeting, MeetingReader
from bot.core.request.context import Context
from bot.core.request.proposals import offer
from bot.core.request.registry import intent
from handlers.common import failed, locate_meeting, lost_answer_note, meeting_words, not_supported, resolve_all
from handlers.expiry import booked_note, cohost_back, end_of, shown_end, when


@intent(
    "add_cohost",
    examples={"en": ("make @bob co-host of meeting 123456789",
                     "add @bob and @carol as co-hosts of dingtalk meeting 644272f14ba331015e7a-78bc1",
                     "add @bob as co-host",
                     "make @bob and @carol cohosts of zoom meeting 812 3456 7890",
                     "make @bob co-host for 30 minutes"),
              "zh": ("把 @bob 设为联席主持人 123456789",
                     "把 @bob 设为联席主持人",
                     "添加 @a、@b 为联席主持人",
                     "让 @bob 当 30 分钟联席主持人")},
    authority=Authority.MEETING,
)
async def add_cohost(ctx: Context) -> Plan | list[Reply]:
    """Make people co-hosts of a meeting."""
    return await _cohost(ctx, adding=True)


@intent(
    "remove_cohost",
    examples={"en": ("remove @bob as co-host of meeting 123456789",
                     "remove @bob as co-host",
                     "/host cohost remove @bob"),
              "zh": ("取消 @bob 的联席主持人 123456789",
                     "取消 @bob 的联席主持人",
                     "移除联席主持人 @bob")},
    confirm=ConfirmMode.OTHERS,
    authority=Authority.MEETING,
)
async def remove_cohost(ctx: Context) -> Plan | list[Reply]:
    """Take the co-host role away from people."""
    return await _cohost(ctx, adding=False)


async def _cohost(ctx: Context, adding: bool) -> Plan | list[Reply]:
    op, fail_key = ("add_cohost", "cohost_add_failed") if adding else ("remove_cohost", "cohost_remove_failed")
    if not ctx.intent.targets:
        return [Reply(ctx.t("need_cohost_target" if adding else "need_cohost_removal_target"))]
    people = await resolve_all(ctx, ctx.intent.targets)
    located = await locate_meeting(ctx, fail_key, targets=join_names(ctx.lang, [p.display for p in people]))
    if isinstance(located, list):
        return located
    meeting, vendor = located
    words = meeting_words(ctx, meeting, vendor, people)
    if not vendor.supports(op):
        return [not_supported(ctx, fail_key, op, vendor, words)]
    users = [ctx.people.vendor_user(p, vendor.key) for p in people]
    expiry = _expiry(ctx, meeting, vendor, people, users, words) if adding else None  # "… for 30 minutes"
    if isinstance(expiry, list):
        return expiry
    if expiry is not None:
        summary = ctx.t("summary_add_cohost_until", when=when(ctx, expiry.at), **words)
    else:
        summary = ctx.t("summary_add_cohost" if adding else "summary_remove_cohost", **words)

    async def render(outcome: Outcome) -> list[Reply]:
        if outcome.kind is not Kind.OK:
            return [failed(ctx, fail_key, outcome, vendor, words)]
        lines = []
        if outcome.unchanged:
            lines.append(ctx.t("cohost_already" if adding else "cohost_not_there", **words))
        elif len(set(outcome.not_held)) < len(users):  # no ✅ when the read back shows none of it
            lines.append(ctx.t("cohost_added" if adding else "cohost_removed", **words))
        if outcome.not_held:  # read back under the meeting's lease: somebody changed the list outside hostbot
            names = join_names(ctx.lang, [await ctx.people.describe(vendor.key, VendorUser(i), ctx.message.platform)
                                          for i in outcome.not_held])
            lines.append(ctx.t("cohost_not_held_added" if adding else "cohost_not_held_removed",
                               vendor=ctx.vendor_name(vendor.key), names=names))
        text = "\n".join(lines) + lost_answer_note(ctx, outcome, vendor)
        if outcome.cohosts:  # the vendor told us the whole list (Zoom; DingTalk's members): show it
            listed = join_names(ctx.lang, [await ctx.people.describe(vendor.key, VendorUser(str(c)),
                                                                     ctx.message.platform) for c in outcome.cohosts])
            text += "\n" + ctx.t("cohost_list", cohosts=listed)
        if not outcome.unchanged:
            text += await booked_note(ctx, outcome, Operation.REMOVE_COHOST, words["targets"])
        return [Reply(text)]

    chat_users = tuple(p.chat_user for p in people)
    # Undo: the requester, an approver and admins; never the people only named (added or removed).
    undo = Undo((), tuple(users)) if adding else Undo(tuple(users), ())
    return Plan(Operation.ADD_COHOST if adding else Operation.REMOVE_COHOST, summary, render, vendor=vendor.key,
                meetings=(meeting,), users=tuple(users), losers=() if adding else chat_users, undo=undo,
                targets=chat_users, expiry=expiry)


def _expiry(ctx: Context, meeting: Meeting, vendor: MeetingReader, people: list[Person], users: list[VendorUser],
            words: dict[str, str]) -> Expiry | list[Reply] | None:
    """The change back of "make @bob co-host for 30 minutes" (None: it does not expire), or why it cannot be."""
    end = end_of(ctx)
    if end is None or isinstance(end, list):
        return end
    if len(people) != 1:  # one change back per handover: one person at a time
        return [Reply(ctx.t("expire_one_person"))]
    if not vendor.supports("remove_cohost"):
        return [Reply(ctx.t("expire_cannot_put_back", reason=ctx.t("expire_no_removal", **words)))]
    return cohost_back(ctx, end, meeting, people[0].chat_user, users[0])


async def offer_cohost_instead(ctx: Context, meeting: Meeting, vendor: MeetingReader, target: Person,
                         key: str = "dingtalk_cohost_only") -> list[Reply]:
    """set_host on a vendor that cannot transfer the host (DingTalk): say so, offer add_cohost.

    The button stores the add_cohost plan it offers (this meeting as read now, this person): its click
    plans exactly that again and runs it through the policy, or says what changed.
    """
    words = meeting_words(ctx, meeting, vendor, [target])
    end = ctx.intent.until.astimezone(UTC) if ctx.intent.until is not None else None  # "… for an hour": co-host so long
    summary = ctx.t("summary_add_cohost_until", when=when(ctx, end), **words) if end else ctx.t("summary_add_cohost",
                                                                                                **words)
    offered = PlanSpec(Operation.ADD_COHOST.value, vendor.key, (Assumed.of(meeting),),
                       (ctx.people.vendor_user(target, vendor.key),), (target.chat_user,),
                       summary=summary, requester=ctx.message.user, pressers=(ctx.message.user,),
                       until=shown_end(ctx))
    as_cohost = replace(ctx.request, intent=replace(ctx.intent, name="add_cohost"))
    buttons = await offer(ctx.services, as_cohost, "add_cohost", {"kind": "switch", "plan": offered.to_json()},
                    ("add_cohost", "button_add_cohost", ButtonStyle.PRIMARY),
                    ("cancel", "button_cancel", ButtonStyle.DEFAULT))
    return [Reply(ctx.t(key, **words) + (f"\n{summary}" if end else ""), buttons=buttons)]
