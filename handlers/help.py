"""help: every intent hostbot can act on, each with examples in the asker's language."""

from __future__ import annotations

from bot.core.model.events import Reply
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.i18n import MESSAGES

# Intents that answer a request instead of doing something: not listed as things hostbot can do.
NOT_ABILITIES = frozenset({"help", "nothing", "did_you_mean", "compound"})


@intent("help", examples={"en": ("help",
                                 "how do I use this?"),
                          "zh": ("帮助",
                                 "怎么用")})
async def show_help(ctx: Context) -> list[Reply]:
    """List what I can do, with examples."""
    lines = [ctx.t("help_intro")]
    for spec in ctx.services.registry.specs():
        if spec.name in NOT_ABILITIES:
            continue
        examples = spec.examples_in(ctx.lang)
        title = ctx.t(f"intent_{spec.name}") if f"intent_{spec.name}" in MESSAGES else spec.help
        lines.append("• " + ctx.t("help_line", title=title, examples=" · ".join(f"“{e}”" for e in examples[:2])))
    lines.append(ctx.t("help_more"))
    return [Reply("\n".join(lines), title=ctx.t("help_title"))]  # Feishu shows it as a card with this header
