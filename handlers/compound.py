"""compound: two requests in one message ("make @bob host and @carol co-host") are never merged;
hostbot asks for one request per message."""

from __future__ import annotations

from bot.core.model.events import Reply
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.core.request.request import Answer


@intent("compound", examples={"en": ("make @bob host and @carol co-host",),
                              "zh": ("把@bob设为主持人，然后邀请@carol入会",)})
async def compound(ctx: Context) -> Answer:
    """Ask for the requests one per message (nothing is done)."""
    parts = ctx.intent.parts
    if len(parts) < 2:
        return Answer.decision_of([Reply(ctx.t("compound_ask_unsplit"))], "compound")
    listed = "\n".join(f"{n}. {part}" for n, part in enumerate(parts, 1))
    return Answer.decision_of([Reply(ctx.t("compound_ask", count=len(parts), parts=listed))], "compound")
