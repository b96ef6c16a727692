"""set_host: make somebody the host of a meeting (with CAS, and a Retry when the host moved)."""

from __future__ import annotations

from dataclasses import replace

from bot.core.answer.render import explain
from bot.core.identity.resolver import Person
from bot.core.model.bound import Assumed, PlanSpec
from bot.core.model.events import ButtonStyle, Reply
from bot.core.model.outcome import Kind, Outcome, VendorUser
from bot.core.model.plan import Authority, ConfirmMode, Expiry, Operation, Plan, Undo
from bot.core.model.vendor import Meeting
from bot.core.request.context import Context
from bot.core.request.proposals import offer
from bot.core.request.registry import intent
from bot.core.request.request import Recorded
from bot.core.world.meetings import locate
from handlers.cohost import offer_cohost_instead
from handlers.common import lost_answer_note, not_found
from handlers.expiry import booked_note, end_of, host_back, shown_end, when


@intent(
    "set_host",
    examples={"en": ("make @alice host of meeting 123456789",
                     "set @alice as host",
                     "make @alice host until 15:00",
                     "host to @alice for the next hour"),
              "zh": ("把 @alice 设为主持人 123456789",
                     "请把主持人交给 @bob",
                     "把主持人给 @小王 一个小时")},
    confirm=ConfirmMode.OTHERS,
    authority=Authority.MEETING,
)
async def set_host(ctx: Context) -> Plan | list[Reply]:
    """Make somebody host of a meeting."""
    if not ctx.intent.targets:
        return [Reply(ctx.t("need_target"))]
    target = await ctx.people.resolve(ctx.intent.targets[0], ctx.message.platform, ctx.message.user)
    located = await locate(ctx, ctx.intent.meeting)
    if isinstance(located, Outcome):
        return [not_found(ctx, "set_host_failed", located, target=target.display)]
    meeting, vendor = located
    if not vendor.supports("set_host"):  # DingTalk: co-hosts only -> offer add_cohost (handlers/cohost.py)
        return await offer_cohost_instead(ctx, meeting, vendor, target)
    user = ctx.people.vendor_user(target, vendor.key)
    words = {"target": target.display, "vendor": ctx.vendor_name(vendor.key), "meeting": meeting.display}

    expected = meeting.host
    asked_with = ctx.bound.expected_host if ctx.bound is not None else None
    if asked_with is not None:
        expected = asked_with
        if meeting.host is not None and meeting.host.id != expected.id:
            # The host moved while the buttons waited: what was confirmed no longer holds.
            return [await _conflict_reply(ctx, meeting, meeting.host, words, target, user)]
    elif meeting.host is not None and meeting.host.id == user.id:
        return [Reply(ctx.t("already_host", **words))]

    expiry = await _expiry(ctx, meeting, user, expected, words)  # "… until 15:00": the host role goes back then
    if isinstance(expiry, list):
        return expiry
    problem = await vendor.precheck("set_host", meeting, (user,), None)  # before anybody is asked
    if problem is not None:
        ctx.read.append(Recorded(problem, vendor.key, meeting.id, user.id))
        return [Reply(ctx.t("set_host_failed", reason=explain(ctx.lang, problem, vendor.key, **words), **words))]
    summary = await _summary(ctx, vendor.key, expected, words, expiry)

    if vendor.host_change_notice:  # what else the vendor does (Webex: the whole series moves, emails)
        summary += "\n" + ctx.t(vendor.host_change_notice, **words)

    async def render(outcome: Outcome) -> list[Reply]:
        if outcome.kind is Kind.OK:
            await ctx.store.meeting_host_changed(vendor.key, meeting.id, user.id)  # "this meeting" for the new host
            back = await booked_note(ctx, outcome, Operation.SET_HOST, await _name(ctx, vendor.key, expected))
            return [Reply(ctx.t("set_host_done", **words) + lost_answer_note(ctx, outcome, vendor) + back)]
        if outcome.kind is Kind.CONFLICT:
            return [await _conflict_reply(ctx, meeting, outcome.current_host, words, target, user)]
        failed = ctx.t("set_host_failed", reason=explain(ctx.lang, outcome, vendor.key, **words), **words)
        if outcome.cohost_instead and vendor.supports("add_cohost"):  # Zoom: an alternative host
            # One answer: the refusal already says "make them a co-host instead"; its buttons do it.
            offer = await offer_cohost_instead(ctx, meeting, vendor, target, key="zoom_cohost_offer")
            return [Reply(failed, buttons=offer[0].buttons)]
        return [Reply(failed)]

    # Undo: the host who lost the role may press it (besides the requester, an approver, admins); the
    # new host, only named in the change, may not.
    lost = await ctx.people.chat_user_for(ctx.message.platform, vendor.key, expected) if expected is not None else None
    undo = Undo((expected,), (user,), (lost,) if lost else ()) if expected is not None else None
    return Plan(Operation.SET_HOST, summary, render, vendor=vendor.key, meetings=(meeting,), users=(user,),
                expected_host=expected, losing_users=(expected,) if expected is not None else (), undo=undo,
                targets=(target.chat_user,), handover=ctx.bound.handover if ctx.bound is not None else 0,
                expiry=expiry)


async def _name(ctx: Context, vendor: str, user: VendorUser | None) -> str:
    return await ctx.people.describe(vendor, user, ctx.message.platform)


async def _summary(ctx: Context, vendor: str, expected: VendorUser | None, words: dict[str, str],
             expiry: Expiry | None) -> str:
    """What is shown before the change (and to an approving host): the end too, for one that expires."""
    you = await ctx.people.chat_user_for(ctx.message.platform, vendor, expected) == ctx.message.user
    if expiry is not None:
        until = {"when": when(ctx, expiry.at)}
        if you:
            return ctx.t("summary_set_host_until_you", **until, **words)
        return ctx.t("summary_set_host_until", loser=await _name(ctx, vendor, expected), **until, **words)
    if you:
        return ctx.t("summary_set_host_you", **words)
    return ctx.t("summary_set_host", loser=await _name(ctx, vendor, expected), **words)


async def _expiry(ctx: Context, meeting: Meeting, user: VendorUser, expected: VendorUser | None,
            words: dict[str, str]) -> Expiry | list[Reply] | None:
    """The change back of "make @alice host until 15:00" (None: it does not expire), or why it cannot be."""
    end = end_of(ctx)
    if end is None or isinstance(end, list):
        return end
    if expected is None:
        return [Reply(ctx.t("expire_cannot_put_back", reason=ctx.t("expire_no_host", **words)))]
    previous = await ctx.people.chat_user_for(ctx.message.platform, meeting.vendor, expected)
    if not previous:  # the role goes back to a chat user (the handover's target): one hostbot knows
        return [Reply(ctx.t("expire_cannot_put_back",
                            reason=ctx.t("expire_host_unknown", host=await _name(ctx, meeting.vendor, expected))))]
    return host_back(ctx, end, meeting, user, previous, expected)


async def _conflict_reply(ctx: Context, meeting: Meeting, current: VendorUser | None, words: dict[str, str],
                    target: Person, user: VendorUser) -> Reply:
    """The host is not who we thought: say who it is now and offer a Retry against that host (a plan
    bound to this meeting, this target and the host it now has)."""
    retry = PlanSpec(Operation.SET_HOST.value, meeting.vendor, (Assumed.of(replace(meeting, host=current)),),
                     (user,), (target.chat_user,), current, requester=ctx.message.user,
                     pressers=(ctx.message.user,), until=shown_end(ctx))
    payload = {"plan": retry.to_json(), "expected_host": current.to_json() if current else None, "kind": "retry"}
    buttons = await offer(ctx.services, ctx.request, "set_host", payload,
                          ("retry", "button_retry", ButtonStyle.PRIMARY),
                          ("cancel", "button_cancel", ButtonStyle.DEFAULT))
    return Reply(ctx.t("host_changed", current=await ctx.people.describe(meeting.vendor, current, ctx.message.platform),
                       **words),
                 buttons=buttons)
