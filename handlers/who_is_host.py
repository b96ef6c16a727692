"""who_is_host: ask the vendor who hosts a meeting now (read-only: no policy gate)."""

from __future__ import annotations

from bot.core.answer.render import join_names
from bot.core.model.events import Reply
from bot.core.model.outcome import Kind, VendorUser
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.core.request.request import Recorded
from handlers.common import failed, locate_meeting, meeting_words, not_supported


@intent(
    "who_is_host",
    examples={"en": ("who is host of meeting 123456789",
                     "who is host?",
                     "who's hosting meeting 123456789?"),
              "zh": ("谁是主持人 123456789",
                     "谁是主持人？",
                     "会议 123456789 现在的主持人是谁")},
)
async def who_is_host(ctx: Context) -> list[Reply]:
    """Tell who hosts a meeting right now."""
    located = await locate_meeting(ctx, "who_failed")
    if isinstance(located, list):
        return located
    meeting, vendor = located
    words = meeting_words(ctx, meeting, vendor)
    if not vendor.supports("who_is_host"):
        return [not_supported(ctx, "who_failed", "who_is_host", vendor, words)]
    outcome = await vendor.who_is_host(meeting)  # read-only: no plan, no gate
    ctx.read.append(Recorded(outcome, vendor.key, meeting.id, ""))
    if outcome.kind is not Kind.OK:
        return [failed(ctx, "who_failed", outcome, vendor, words)]
    platform = ctx.message.platform
    if outcome.current_host is None:
        return [Reply(ctx.t("who_no_host", **words))]
    host = await ctx.people.describe(vendor.key, outcome.current_host, platform)
    if outcome.ended:
        return [Reply(ctx.t("who_meeting_ended", host=host, **words))]
    key = "who_is_host_creator" if outcome.creator_only else "who_is_host_reply"
    lines = [ctx.t(key, host=host, **words)]
    cohosts = outcome.cohosts
    if cohosts:
        lines.append(ctx.t("who_cohosts", cohosts=join_names(
            ctx.lang, [await ctx.people.describe(vendor.key, VendorUser(str(c)), platform) for c in cohosts])))
    organizer = outcome.organizer
    if organizer and organizer != outcome.current_host.id:
        named = await ctx.people.describe(vendor.key, VendorUser(organizer), platform)
        lines.append(ctx.t("who_organizer", organizer=named))
    return [Reply("\n".join(lines))]
