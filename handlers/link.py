"""link_meeting: bind this thread or channel to a meeting, so "this meeting" here means it."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Reply
from bot.core.meetings import locate
from bot.core.outcome import Outcome
from bot.core.registry import intent
from bot.core.render import explain
from bot.core.vendor import group_digits
from bot.intents.examples import EXAMPLES


@intent("link_meeting", examples=EXAMPLES["link_meeting"]["en"] + EXAMPLES["link_meeting"]["zh"])
async def link_meeting(ctx: Context) -> list[Reply]:
    """Link this thread or channel to a meeting."""
    msg = ctx.message
    kind = str(ctx.intent.extra.get("scope") or "")
    if kind not in ("thread", "channel"):
        kind = "thread" if msg.thread and msg.thread != msg.channel else "channel"
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
        vendor_key = str(located.data.get("vendor", ""))
        fill = {"vendor": ctx.vendor_name(vendor_key), "meeting": located.data.get("meeting", "?"), "target": "?"}
        return [Reply(explain(ctx.lang, located, vendor_key, **fill))]
    meeting, vendor = located
    words.update(vendor=ctx.vendor_name(vendor.key), meeting=meeting.display)
    old = ctx.store.link(msg.platform, scope)
    if old is not None and old["vendor"] == vendor.key and old["meeting_id"] == meeting.id:
        return [Reply(ctx.t("link_same", **words))]
    ctx.store.set_link(msg.platform, scope, vendor.key, meeting.id, linked_by=msg.user)
    ctx.store.audit(platform=msg.platform, chat_user=msg.user, intent="link_meeting", event="outcome",
                    vendor=vendor.key, meeting=meeting.id, outcome="ok", detail=f"{kind}:{scope}")
    if old is not None:
        previous = f"{ctx.vendor_name(str(old['vendor']))} {group_digits(str(old['meeting_id']))}"
        return [Reply(ctx.t("link_replaced", old=previous, **words))]
    return [Reply(ctx.t("link_done", **words))]
