"""cancel: typed "cancel" / "取消" with nothing of the speaker's waiting for an answer.

When something is waiting (a Confirm the speaker may press), the dispatcher presses its Cancel button
for them (bot/core/dispatch.py), so this handler only ever says that there is nothing to cancel.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Reply
from bot.core.registry import intent


@intent("cancel", examples={"en": ("cancel",), "zh": ("取消",)})
async def cancel(ctx: Context) -> list[Reply]:
    """Cancel the confirmation waiting for your answer"""
    await ctx.audit_decision("nothing_pending")
    return [Reply(ctx.t("cancel_nothing"))]
