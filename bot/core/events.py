"""Neutral chat events: what adapters turn platform payloads into, and what handlers answer with.

Handlers never see a Slack or Feishu payload; adapters never see a vendor. These dataclasses are
the only vocabulary the two sides share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

ME = "me"  # a person ref meaning the speaker ("make me host")


class Platform(StrEnum):
    CONSOLE = "console"
    SLACK = "slack"
    FEISHU = "feishu"


@dataclass(frozen=True)
class Mention:
    """Somebody named in a message: `<@U123>`, a Feishu `@_user_1` placeholder, or console `@alice`."""

    chat_user: str  # the platform's user id (console: the name as written, without '@')
    name: str = ""
    open_id: str = ""  # Feishu only: ids carried by the event's `mentions` list
    union_id: str = ""
    is_bot: bool = False


@dataclass(frozen=True)
class ChatMessage:
    """One line somebody typed to hostbot, on any platform."""

    platform: Platform
    user: str  # the speaker's chat user id
    text: str
    channel: str = ""
    thread: str = ""  # the thread this message belongs to (its root), '' if none
    message_id: str = ""
    event_id: str = ""  # the platform's delivery id, used for exactly-once
    mentions: tuple[Mention, ...] = ()
    user_name: str = ""
    lang: str = ""  # 'en' / 'zh' when the platform told us (locale); '' = guess from the text
    tz: str = ""  # the speaker's IANA zone when the platform told us
    bot_user: str = ""  # the bot's own user id on this platform (its mention is not a target)
    context_text: str = ""  # the thread's root message, when the platform gave it ("this meeting")


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
