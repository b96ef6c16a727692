"""Parsing what a platform sends, the way the bot does: the adapter's inbound markup first (Slack
`<@U1|x>`, Feishu `@_user_N` with the event's mentions become neutral mentions), then the parser."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.adapters.markup import Mention, console_inbound, feishu_inbound, slack_inbound
from bot.core.model.intent import Intent
from bot.intents import parse

__all__ = ["Mention", "neutral", "parse_as"]


def neutral(text: str, platform: str = "console", mentions: Sequence[Mention] = (), bot_user: str = "") -> str:
    if platform == "slack":
        return slack_inbound(text, bot_user)
    if platform == "feishu":
        return feishu_inbound(text, mentions, bot_user)
    return console_inbound(text)


def parse_as(text: str, platform: str = "console", mentions: Sequence[Mention] = (), bot_user: str = "",
             **kwargs: Any) -> Intent:
    """parse() of what `platform` sent, after its adapter's inbound markup."""
    return parse(neutral(text, platform, mentions, bot_user), bot_user, **kwargs)
