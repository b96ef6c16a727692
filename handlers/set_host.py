"""set_host: make somebody the host of a meeting (with CAS, and a Retry when the host moved)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import ButtonStyle, Reply
from bot.core.meetings import locate
from bot.core.outcome import Kind, Outcome, VendorUser
from bot.core.plan import Authority, ConfirmMode, Operation, Plan, Undo
from bot.core.registry import intent
from bot.core.render import explain
from bot.core.vendor import Meeting
from handlers.cohost import offer_cohost_instead
from handlers.common import lost_answer_note, not_found


@intent(
    "set_host",
    examples={"en": ("make @alice host of meeting 123456789",
                     "set @alice as host"),
              "zh": ("把 @alice 设为主持人 123456789",
                     "请把主持人交给 @bob")},
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
        return offer_cohost_instead(ctx, meeting, vendor, target)
    user = ctx.people.vendor_user(target, vendor.key)
    words = {"target": target.display, "vendor": ctx.vendor_name(vendor.key), "meeting": meeting.display}

    expected = meeting.host
    asked_with = VendorUser.from_json((ctx.resume or {}).get("expected_host"))
    if asked_with is not None:
        expected = asked_with
        if meeting.host is not None and meeting.host.id != expected.id:
            # The host moved while the buttons waited: what was confirmed no longer holds.
            return [_conflict_reply(ctx, meeting, meeting.host, words)]
    elif meeting.host is not None and meeting.host.id == user.id:
        return [Reply(ctx.t("already_host", **words))]

    problem = await vendor.precheck("set_host", meeting, (user,), None)  # before anybody is asked
    if problem is not None:
        ctx.record_outcome(vendor.key, meeting.id, user.id, problem)
        return [Reply(ctx.t("set_host_failed", reason=explain(ctx.lang, problem, vendor.key, **words), **words))]
    loser = ctx.people.chat_user_for(ctx.message.platform, vendor.key, expected)
    if loser == ctx.message.user:
        summary = ctx.t("summary_set_host_you", **words)
    else:
        summary = ctx.t("summary_set_host", loser=ctx.people.describe(vendor.key, expected, ctx.message.platform),
                        **words)

    if vendor.host_change_notice:  # what else the vendor does (Webex: the whole series moves, emails)
        summary += "\n" + ctx.t(vendor.host_change_notice, **words)

    def render(outcome: Outcome) -> list[Reply]:
        if outcome.kind is Kind.OK:
            return [Reply(ctx.t("set_host_done", **words) + lost_answer_note(ctx, outcome, vendor))]
        if outcome.kind is Kind.CONFLICT:
            return [_conflict_reply(ctx, meeting, outcome.current_host, words)]
        failed = ctx.t("set_host_failed", reason=explain(ctx.lang, outcome, vendor.key, **words), **words)
        if outcome.cohost_instead and vendor.supports("add_cohost"):  # Zoom: an alternative host
            # One answer: the refusal already says "make them a co-host instead"; its buttons do it.
            offer = offer_cohost_instead(ctx, meeting, vendor, target, key="zoom_cohost_offer")
            return [Reply(failed, buttons=offer[0].buttons)]
        return [Reply(failed)]

    undo = Undo((expected,), (user,), (target.chat_user,)) if expected is not None else None
    return Plan(Operation.SET_HOST, summary, render, vendor=vendor.key, meetings=(meeting,), users=(user,),
                expected_host=expected, losing_users=(expected,) if expected is not None else (), undo=undo)


def _conflict_reply(ctx: Context, meeting: Meeting, current: VendorUser | None, words: dict[str, str]) -> Reply:
    """The host is not who we thought: say who it is now and offer a Retry against that host."""
    payload = {"meeting": meeting.to_json(), "expected_host": current.to_json() if current else None, "kind": "retry"}
    buttons = ctx.offer("set_host", payload, ("retry", "button_retry", ButtonStyle.PRIMARY),
                        ("cancel", "button_cancel", ButtonStyle.DEFAULT))
    return Reply(ctx.t("host_changed", current=ctx.people.describe(meeting.vendor, current, ctx.message.platform),
                       **words),
                 buttons=buttons)
