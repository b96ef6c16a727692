"""What the chat adapters accept before anything parses it.

Parsing runs on the event loop, inside the dispatcher, and its cost grows faster than the text:
a request longer than MAX_TEXT_CHARS is answered with a short "too long" reply by the adapter and
never parsed. Real requests are far shorter ("make @alice host of meeting 123456789" is 37
characters; ten Slack mentions and a meeting link fit in 250). The body itself is bounded by the
server (bot/ops/limits.py).
"""

from __future__ import annotations

from bot.core.model.events import Reply
from bot.i18n import t

MAX_TEXT_CHARS = 500


def too_long(text: str) -> bool:
    return len(text) > MAX_TEXT_CHARS


def too_long_reply(text: str, lang: str) -> Reply:
    return Reply(t(lang or "en", "text_too_long", length=len(text), limit=MAX_TEXT_CHARS))
