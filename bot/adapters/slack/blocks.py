"""Block Kit rendering of neutral Replies: a mrkdwn section and, when offered, a row of buttons.

Every text goes out through bot/adapters/markup.py `slack_text`: hostbot's own `<@U…>` mentions stay
markup, everything else (people's words, vendors' names and topics) is escaped, so no reply can
carry `<!channel>`, `<!here>` or a group mention.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.markup import slack_text
from bot.core.model.events import NEUTRAL_MENTION, Button, ButtonStyle, Reply, neutral_mention, plain_mentions

ACTION_PREFIX = "hostbot_"  # action_id = prefix + Button.action; the listener matches the prefix


def reply_text(reply: Reply) -> str:
    """The plain text (also the notification fallback), with a <@U…> for each user to notify."""
    text = reply.text
    named = {m.group(1) for m in NEUTRAL_MENTION.finditer(text)}
    missing = [u for u in reply.mention_users if u not in named]
    if missing:
        text = " ".join(neutral_mention(u) for u in missing) + " " + text
    return slack_text(text)


def button_json(button: Button) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}{button.action}",
        "text": {"type": "plain_text", "text": plain_mentions(button.label), "emoji": True},  # never markup
        "value": button.value,
    }
    if button.style is not ButtonStyle.DEFAULT:
        out["style"] = button.style.value
    return out


def reply_blocks(reply: Reply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": reply_text(reply)}}]
    if reply.buttons:
        blocks.append({"type": "actions", "block_id": "hostbot_choices",
                       "elements": [button_json(b) for b in reply.buttons]})
    return blocks


def answered_blocks(text: str, note: str) -> list[dict[str, Any]]:
    """The message after a click: same text, buttons replaced by who chose what (cannot be pressed again).

    `text` is Slack's copy of what hostbot posted (already rendered, so not escaped again); `note`
    is new and rendered here."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_text(note)}]},
    ]
