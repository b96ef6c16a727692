"""set_host: make somebody the host of a meeting (with CAS, and a Retry when the host moved)."""

from __future__ import annotations

from bot.context import Context
from bot.events import ButtonStyle, Reply
from bot.meetings import locate
from bot.outcome import Kind, Outcome, VendorUser
from bot.registry import intent
from bot.render import explain


@intent(
    "set_host",
    examples=(
        "make @alice host of meeting 123456789",
        "set @alice as host",
        "把 @alice 设为主持人 123456789",
    ),
)
async def set_host(ctx: Context) -> list[Reply]:
    """Make somebody host of a meeting."""
    if not ctx.intent.targets:
        return [Reply(ctx.t("need_target"))]
    target = await ctx.people.resolve(ctx.intent.targets[0], ctx.message.platform, ctx.message.user)
    located = await locate(ctx, ctx.intent.meeting)
    if isinstance(located, Outcome):
        vendor_key = str(located.data.get("vendor", ""))
        ctx.record_outcome(vendor_key, str(located.data.get("meeting", "")), "", located)
        words = {"target": target.display, "vendor": ctx.vendor_name(vendor_key),
                 "meeting": located.data.get("meeting", "?")}
        return [Reply(ctx.t("set_host_failed", reason=explain(ctx.lang, located, vendor_key, **words), **words))]
    meeting, vendor = located
    user = ctx.people.vendor_user(target, vendor.key)
    words = {"target": target.display, "vendor": ctx.vendor_name(vendor.key), "meeting": meeting.display}

    expected = meeting.host
    if ctx.resume and ctx.resume.get("expected_host"):
        expected = VendorUser(**ctx.resume["expected_host"])
    elif meeting.host is not None and meeting.host.id == user.id:
        return [Reply(ctx.t("already_host", **words))]

    outcome = await ctx.vendor_call(vendor.key, meeting.id, user.id, vendor.set_host(meeting, user, expected))
    if outcome.kind is Kind.OK:
        return [Reply(ctx.t("set_host_done", **words))]
    if outcome.kind is Kind.CONFLICT:
        current = ctx.people.describe(vendor.key, outcome.current_host)
        payload = {"meeting": meeting.to_json(),
                   "expected_host": _user_json(outcome.current_host) if outcome.current_host else None}
        buttons = ctx.offer("set_host", payload, ("retry", "button_retry", ButtonStyle.PRIMARY),
                            ("cancel", "button_cancel", ButtonStyle.DEFAULT))
        return [Reply(ctx.t("host_changed", current=current, **words), buttons=buttons)]
    reason = explain(ctx.lang, outcome, vendor.key, **words)
    return [Reply(ctx.t("set_host_failed", reason=reason, **words))]


def _user_json(user: VendorUser) -> dict[str, object]:
    return {"id": user.id, "user_type": user.user_type, "name": user.name}
