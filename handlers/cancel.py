"""cancel: typed "cancel" / "取消" with nothing of the speaker's waiting for an answer.

When something is waiting (a Confirm the speaker may press), the dispatcher presses its Cancel button
for them (bot/core/flow/dispatch.py), so this handler only ever says that there is nothing to cancel.
"""

from __future__ import annotations

from bot.core.model.events import Reply
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.core.request.request import Answer


@intent("cancel", examples={"en": ("cancel",), "zh": ("取消",)})
async def cancel(ctx: Context) -> Answer:
    """Cancel the confirmation waiting for your answer"""
    return Answer.decision_of([Reply(ctx.t("cancel_nothing"))], "nothing_pending")
