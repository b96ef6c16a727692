"""Feishu rendering of neutral Replies: a text message, or an interactive card when there are buttons.

    message_body(reply, lang)   -> (msg_type, content JSON string) for im.v1.message.reply
    reply_card / progress_card  the card JSON of a reply (header from its title) / of long work's progress
    answered_card(text, note)   the card after a click: same text, buttons replaced by who chose what
    card_answer(...)            the card.action.trigger response: toast, and maybe the updated card
    oauth_page(lang, key)       the browser page after Feishu's authorization page

Mentions: `<at user_id="ou_…"></at>` in text messages and `<at id=ou_…></at>` in a card's lark_md
(Feishu's message content docs). Every text goes out through bot/adapters/markup.py: hostbot's own
mentions stay markup, foreign text is neutralised (no `<at user_id="all">`, no raw `@_user_N`).
`names` maps the `@_user_N` placeholders of the message being answered to the names they stand for.
A click brings back only the pressed button's `value` (and the
message id, not its content), so each button's value carries what the answered card needs: the
card's text, the button's label and the language.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

from bot.adapters.markup import feishu_plain, feishu_text
from bot.core.model.events import NEUTRAL_MENTION, Button, ButtonStyle, Reply, neutral_mention
from bot.i18n import t

VALUE_KEY = "hostbot"  # a button value with this key is one of ours: {"hostbot": action, "proposal": id, ...}
BUTTON_TYPES = {ButtonStyle.PRIMARY: "primary", ButtonStyle.DANGER: "danger", ButtonStyle.DEFAULT: "default"}


def lark_md(text: str, names: Mapping[str, str] | None = None) -> str:
    """A reply's text as a card's lark_md (mentions as `<at id=…></at>`), foreign text neutralised."""
    return feishu_text(text, names, card=True)


def plain(text: str) -> str:
    """Mentions as plain @name, for a toast (which renders no markup)."""
    return feishu_plain(text)


def _missing(reply: Reply) -> str:
    named = {m.group(1) for m in NEUTRAL_MENTION.finditer(reply.text)}
    return "".join(f"{neutral_mention(u)} " for u in reply.mention_users if u and u not in named)


def text_with_mentions(reply: Reply, names: Mapping[str, str] | None = None) -> str:
    return feishu_text(_missing(reply) + reply.text, names)


def button_json(button: Button, text: str, lang: str) -> dict[str, Any]:
    return {
        "tag": "button",
        "text": {"tag": "plain_text", "content": plain(button.label)},
        "type": BUTTON_TYPES.get(button.style, "default"),
        "value": {VALUE_KEY: button.action, "proposal": button.value, "label": plain(button.label), "text": text,
                  "lang": lang},
    }


def reply_card(reply: Reply, lang: str, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Card JSON 1.0: a header when the reply has a title, the text as lark_md, then one row of buttons."""
    text = lark_md(_missing(reply) + reply.text, names)
    card: dict[str, Any] = {
        "config": {"wide_screen_mode": True, "update_multi": True},
        "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": text}}],
    }
    if reply.title:
        card["header"] = {"title": {"tag": "plain_text", "content": reply.title}, "template": "blue"}
    if reply.buttons:
        card["elements"].append({"tag": "action",
                                 "actions": [button_json(b, reply.text, lang) for b in reply.buttons]})
    return card


def progress_card(text: str) -> dict[str, Any]:
    """Long work under way (bot/adapters/feishu/outbound.py): one line, updated in place.
    `update_multi` makes it a shared card, the kind Feishu lets the app PATCH for everybody."""
    return {"config": {"wide_screen_mode": True, "update_multi": True},
            "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": lark_md(text)}}]}


def answered_card(text: str, note: str) -> dict[str, Any]:
    """The card after a click: no live buttons, a note of who chose what (it cannot be pressed again)."""
    return {
        "config": {"wide_screen_mode": True, "update_multi": True},
        "elements": [
            {"tag": "div", "text": {"tag": "lark_md", "content": lark_md(text)}},
            {"tag": "note", "elements": [{"tag": "lark_md", "content": lark_md(note)}]},
        ],
    }


def message_body(reply: Reply, lang: str, names: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(msg_type, content) of one reply: a card when it offers buttons or has a title, else plain text."""
    if reply.buttons or reply.title:
        return "interactive", json.dumps(reply_card(reply, lang, names), ensure_ascii=False)
    return "text", json.dumps({"text": text_with_mentions(reply, names)}, ensure_ascii=False)


def card_answer(toast: str, kind: str = "info", card: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of a card.action.trigger response (P2CardActionTriggerResponse)."""
    answer: dict[str, Any] = {"toast": {"type": kind, "content": toast}}
    if card is not None:
        answer["card"] = {"type": "raw", "data": card}
    return answer


def message_text(msg_type: str, content: str) -> str:
    """The words of an inbound message: `text`, or a rich-text `post` flattened (mentions kept as
    their `@_user_N` keys). Anything else (images, files, stickers) has none."""
    try:
        body = json.loads(content or "{}")
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    if msg_type == "text":
        return str(body.get("text") or "")
    if msg_type == "post":
        # Events carry a post as {"title", "content": [[{"tag": "text"|"at"|"a", ...}, ...], ...]}
        # (UNCONFIRMED whether a locale level {"zh_cn": {...}} can appear as well: both are read).
        post = body if "content" in body else next((v for v in body.values() if isinstance(v, dict)), {})
        words: list[str] = [str(post.get("title") or "")]
        for line in post.get("content") or []:
            for el in line if isinstance(line, list) else []:
                if not isinstance(el, dict):
                    continue
                if el.get("tag") == "at":
                    words.append(str(el.get("user_id") or ""))
                elif el.get("tag") in ("text", "a"):
                    words.append(str(el.get("text") or ""))
                    if el.get("tag") == "a" and el.get("href"):
                        words.append(str(el["href"]))
        return " ".join(w for w in words if w).strip()
    return ""


def browser_lang(accept_language: str) -> str:
    """The browser's first language when it is English, else Chinese (Feishu users' default)."""
    first = accept_language.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"


def oauth_page(lang: str, key: str, **values: str) -> str:
    title = escape(t(lang, "feishu_oauth_title"))
    body = escape(t(lang, key, **values))
    return (f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"></head>'
            f"<body><h1>{title}</h1><p>{body}</p></body></html>")

