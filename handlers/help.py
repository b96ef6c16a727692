"""help: what hostbot can do, with examples in the asker's language."""

from __future__ import annotations

from bot.context import Context
from bot.events import Reply
from bot.i18n import detect_lang
from bot.registry import intent


@intent("help", examples=("help", "帮助"))
async def show_help(ctx: Context) -> list[Reply]:
    """List what I can do, with examples."""
    lines = [ctx.t("help_intro")]
    for spec in ctx.services.registry.specs():
        if spec.name == "help":
            continue
        same_lang = [e for e in spec.examples if detect_lang(e) == ctx.lang] or list(spec.examples)
        lines.extend(f"• {example}" for example in same_lang[:2])
    return [Reply("\n".join(lines))]
