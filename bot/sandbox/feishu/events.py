"""Feishu's side of event delivery: envelopes, encryption and signatures exactly as Feishu sends them.

Tests (and `hostbot sandbox` users) build what Feishu would POST to the bot's event URL:
    events.message(msg)           im.message.receive_v1 for a message made with FeishuIMFake.user_says
    events.card_click(user, msg, value)   card.action.trigger for a button of a card hostbot sent
    events.bot_menu(user, key)    application.bot.menu_v6: `user` chose the bot menu item `key` (shape
                                  from lark-oapi's P2ApplicationBotMenuV6 model; a GUESS beyond it)
    events.take()                 the tenant events vc.meeting.all_meeting_started_v1 / _ended_v1 the
                                  sandbox emitted since the last take, as FeishuFake's meetings started
                                  or ended (shape: lark-oapi's P2VcMeetingAllMeetingStartedV1 model and
                                  MeetingEventMeeting; ids as strings and times as Unix-second strings
                                  are GUESSES, as Feishu's other events send them); `deliver`, when
                                  set, is called with each instead (a bot listening for them)
    events.challenge()            url_verification
    events.seal(envelope)         -> (body, headers): {"encrypt": AES-256-CBC(...)} and the
                                  X-Lark-Request-Timestamp / -Nonce / X-Lark-Signature headers
Encryption and signature are bot/wire.py's (the one copy of Feishu's wire format).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.wire import lark_seal

if TYPE_CHECKING:
    from bot.sandbox.feishu.im import FeishuIMFake
    from bot.sandbox.feishu.vc import FeishuMeeting, FeishuUser


class FeishuEvents:
    def __init__(self, im: FeishuIMFake, app_id: str) -> None:
        self.im = im
        self.app_id = app_id
        self.encrypt_key = secrets.token_urlsafe(24)
        self.verification_token = secrets.token_urlsafe(24)
        self.outbox: list[dict[str, Any]] = []
        self.deliver: Callable[[dict[str, Any]], None] | None = None
        im.feishu.meeting_observers.append(self._meeting_changed)

    def _meeting_changed(self, kind: str, meeting: FeishuMeeting) -> None:
        envelope = self.meeting_event(kind, meeting)
        if self.deliver is not None:
            self.deliver(envelope)
        else:
            self.outbox.append(envelope)

    def take(self) -> list[dict[str, Any]]:
        """The meeting events emitted since the last take (oldest first)."""
        taken, self.outbox = self.outbox, []
        return taken

    def meeting_event(self, kind: str, meeting: FeishuMeeting, *, event_id: str | None = None) -> dict[str, Any]:
        """vc.meeting.all_meeting_started_v1 / _ended_v1 for `meeting` (kind "started" | "ended")."""
        def user(open_id: str, role: int) -> dict[str, Any]:
            found = self.im.feishu.users.get(open_id)
            return {"id": {"open_id": open_id, "union_id": found.union_id if found else "",
                           "user_id": found.user_id if found else ""}, "user_role": role, "user_type": 1}

        body: dict[str, Any] = {"id": meeting.id, "topic": meeting.topic, "meeting_no": meeting.meeting_no,
                                "meeting_source": 1, "start_time": str(meeting.start_time),
                                "host_user": user(meeting.host[0], 1), "owner": user(meeting.host[0], 1)}
        if kind == "ended":
            body["end_time"] = str(meeting.end_time or int(time.time()))
        return {"schema": "2.0", "header": self._header(f"vc.meeting.all_meeting_{kind}_v1", event_id, None),
                "event": {"meeting": body, "operator": user(meeting.host[0], 1)}}

    def _header(self, event_type: str, event_id: str | None, token: str | None) -> dict[str, Any]:
        return {"event_id": event_id or secrets.token_hex(16), "event_type": event_type,
                "create_time": str(int(time.time() * 1000)),
                "token": self.verification_token if token is None else token,
                "app_id": self.app_id, "tenant_key": self.im.tenant_key}

    def message(self, msg: dict[str, Any], *, event_id: str | None = None, token: str | None = None) -> dict[str, Any]:
        """im.message.receive_v1 for a message FeishuIMFake holds (Feishu re-pushes with new event_ids)."""
        user = self.im.feishu.users.get(msg["sender"]["id"])
        sender_id = {"open_id": msg["sender"]["id"], "union_id": user.union_id if user else "",
                     "user_id": user.user_id if user else ""}
        return {
            "schema": "2.0",
            "header": self._header("im.message.receive_v1", event_id, token),
            "event": {
                "sender": {"sender_id": sender_id, "sender_type": "user", "tenant_key": self.im.tenant_key},
                "message": {k: msg[k] for k in ("message_id", "root_id", "parent_id", "thread_id", "create_time",
                                                "chat_id", "chat_type", "message_type", "content", "mentions")},
            },
        }

    def card_click(self, user: FeishuUser, card_message: dict[str, Any], value: dict[str, Any], *,
                   event_id: str | None = None) -> dict[str, Any]:
        """card.action.trigger: `user` pressed the button whose `value` is given, on `card_message`."""
        return {
            "schema": "2.0",
            "header": self._header("card.action.trigger", event_id, None),
            "event": {
                "operator": {"tenant_key": self.im.tenant_key, "user_id": user.user_id, "open_id": user.open_id,
                             "union_id": user.union_id},
                "token": f"c-{secrets.token_hex(16)}",  # the card's update token
                "action": {"value": value, "tag": "button"},
                "host": "im_message",
                "context": {"open_message_id": card_message["message_id"], "open_chat_id": card_message["chat_id"]},
            },
        }

    def bot_menu(self, user: FeishuUser, event_key: str, *, event_id: str | None = None) -> dict[str, Any]:
        """application.bot.menu_v6: `user` chose the item `event_key` of the bot's menu."""
        return {
            "schema": "2.0",
            "header": self._header("application.bot.menu_v6", event_id, None),
            "event": {
                "operator": {"operator_name": user.name,
                             "operator_id": {"open_id": user.open_id, "union_id": user.union_id,
                                             "user_id": user.user_id}},
                "event_key": event_key, "timestamp": int(time.time()),
            },
        }

    def challenge(self, token: str | None = None) -> dict[str, Any]:
        return {"challenge": secrets.token_hex(16), "token": self.verification_token if token is None else token,
                "type": "url_verification"}

    def seal(self, envelope: dict[str, Any], *, timestamp: int | None = None,
             encrypt_key: str | None = None) -> tuple[bytes, dict[str, str]]:
        """The POST body and headers Feishu would send for `envelope` (encrypted, signed)."""
        body, headers = lark_seal(self.encrypt_key if encrypt_key is None else encrypt_key, envelope,
                                  timestamp=timestamp)
        return body, {**headers, "X-Request-Id": secrets.token_hex(8)}
