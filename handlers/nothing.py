"""nothing: a negated or doubtful request ("don't make @alice host", "可以把@bob设为主持人吗？") changes nothing."""

from __future__ import annotations

from bot.core.model.events import Reply
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.core.request.request import Answer


@intent("nothing", examples={"en": ("don't make @alice host",
                                    "should I make @alice host?"),
                             "zh": ("不要把 @alice 设为主持人",
                                    "要不要把@bob设为主持人？")})
async def nothing(ctx: Context) -> Answer:
    """Say that nothing was changed (no vendor call, no proposal)."""
    lines = [ctx.t("nothing_done")]
    if ctx.intent.why == "question":
        lines.append(ctx.t("nothing_question"))
    elif ctx.intent.why == "statement":
        lines = [ctx.t("nothing_statement")]
    return Answer.decision_of([Reply("\n".join(lines))], "nothing", ctx.intent.why)
