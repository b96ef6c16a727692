"""Feishu bot menu: a click on an item of hostbot's menu (event application.bot.menu_v6) as a chat line.

The event's shape is lark-oapi's P2ApplicationBotMenuV6 (SDK model; the wire sample is a GUESS
built from it, vendor-notes has none): `event.operator.operator_id.{open_id,union_id,user_id}`,
`event.operator.operator_name`, `event.event_key` (the key the app's admin gave the item in the
developer console) and `event.timestamp`. It names no chat and no message, so the answer goes to
the person directly (im.v1.message.create with receive_id_type=open_id: their chat with hostbot).
Each key stands for what a person would have typed; the menu to configure is in the README.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.model.events import ChatMessage, Platform

if TYPE_CHECKING:
    from lark_oapi.api.application.v6.model.p2_application_bot_menu_v6 import P2ApplicationBotMenuV6 as MenuEvent
else:
    MenuEvent = Any

# event_key -> the request it stands for (Feishu users get Chinese unless they write English)
MENU_KEYS = {"help": "帮助", "list_handovers": "查看定时交接"}


def menu_message(data: MenuEvent, event_id: str, tz: str, bot_open_id: str) -> ChatMessage | None:
    """The chat line a menu click stands for, or None for a key hostbot has no meaning for."""
    event = data.event
    key = str((event.event_key if event else "") or "")
    ids = event.operator.operator_id if event and event.operator else None
    user = str((ids.open_id if ids else "") or "")
    if key not in MENU_KEYS or not user:
        return None
    return ChatMessage(platform=Platform.FEISHU, user=user, text=MENU_KEYS[key], event_id=event_id,
                       message_id=f"menu:{event_id}", lang="zh", tz=tz, bot_user=bot_open_id,
                       user_name=str((event.operator.operator_name if event and event.operator else "") or ""))
