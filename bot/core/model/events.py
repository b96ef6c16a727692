"""Neutral chat events: what adapters turn platform payloads into, and what handlers answer with.

Handlers never see a Slack or Feishu payload; adapters never see a vendor. These dataclasses are
the only vocabulary the two sides share.

Chat markup stays in the adapters. A person named in a message or a reply is written in one
neutral form, `\ue001<chat user id>|<name>\ue001` (neutral_mention): inbound, each adapter turns
Slack `<@U1|ann>` and Feishu `@_user_1` into it before anything else reads the text (console `@name`
is plain text and stays); outbound, bot/core/identity/resolver.py `mention()` writes it and each adapter
renders it (`<@U1>`, `<at user_id="ou_…">Ann</at>`, `@ann`). Adapters strip \ue001 from what people
type and from foreign text, so nobody can forge one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

ME = "me"  # a person ref meaning the speaker ("make me host")

MENTION_MARK = "\ue001"
NEUTRAL_MENTION = re.compile("\ue001([^|\ue001]*)\\|([^\ue001]*)\ue001")


def neutral_mention(chat_user: str, name: str = "") -> str:
    """A person, as the core writes them into text: the adapters render it for their platform."""
    user, shown = chat_user.replace("|", "").replace(MENTION_MARK, ""), name.replace(MENTION_MARK, "")
    return f"{MENTION_MARK}{user}|{shown}{MENTION_MARK}"


def render_mentions(text: str, render: Callable[[str, str], str]) -> str:
    """`text` with each neutral mention replaced by render(chat_user, name)."""
    return NEUTRAL_MENTION.sub(lambda m: render(m.group(1), m.group(2)), text)


def plain_mentions(text: str) -> str:
    """Neutral mentions as `@name` (console, logs, toasts, button labels)."""
    return render_mentions(text, lambda user, name: f"@{name or user}")


def unmarked(text: str) -> str:
    """Foreign text (typed, or from a vendor or directory) with no neutral-mention marks in it."""
    return text.replace(MENTION_MARK, "")


class Platform(StrEnum):
    CONSOLE = "console"
    SLACK = "slack"
    FEISHU = "feishu"


@dataclass(frozen=True)
class ChatMessage:
    """One line somebody typed to hostbot, on any platform."""

    platform: Platform
    user: str  # the speaker's chat user id
    text: str  # neutral: mentions as neutral_mention(), no platform markup (see the module docstring)
    channel: str = ""
    thread: str = ""  # the thread this message belongs to (its root), '' if none
    message_id: str = ""
    event_id: str = ""  # the platform's delivery id, used for exactly-once
    user_name: str = ""
    lang: str = ""  # 'en' / 'zh' when the platform told us (locale); '' = guess from the text
    tz: str = ""  # the speaker's IANA zone when the platform told us
    bot_user: str = ""  # the bot's own user id on this platform (its mention is not a target)
    context_text: str = ""  # the thread's root message, when the platform gave it ("this meeting")
    in_channel: bool = False  # typed in the channel itself (a slash command): `thread` is where we answer


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    """A choice offered with a reply; `action` + `value` come back in a ButtonClick."""

    label: str  # already translated
    action: str  # e.g. "retry", "confirm", "cancel"
    value: str  # the proposal id the click refers to
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True)
class Reply:
    """What hostbot says back: text in the user's language and optional buttons, in the same thread."""

    text: str
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False
    mention_users: tuple[str, ...] = field(default_factory=tuple)
    title: str = ""  # a heading, for platforms whose cards have one (Feishu: the help card's header)


@dataclass(frozen=True)
class ButtonClick:
    """A button pressed by somebody; `click_id` is the platform's id for this press (exactly-once)."""

    platform: Platform
    user: str
    action: str
    value: str
    click_id: str = ""
    channel: str = ""
    thread: str = ""
    message_id: str = ""
    user_name: str = ""
    lang: str = ""
