"""Fake Feishu IM: the chat side of the Feishu fake (messages, replies in thread, the bot's identity).

Routes (tenant token, as the real API wants for a bot):
    POST /open-apis/im/v1/messages/:message_id/reply   reply; `reply_in_thread` makes/keeps a thread;
                                                         a `uuid` seen before (1 h) answers the first
                                                         message again and posts nothing new
    POST /open-apis/im/v1/messages?receive_id_type=chat_id   a new message in a chat (same uuid rule)
    GET  /open-apis/im/v1/messages/:message_id          one message (data.items[0])
    PATCH /open-apis/im/v1/messages/:message_id         replace a card's content; strict: the message
                                                         must exist, be this app's own, be a card
                                                         (msg_type interactive) sent as a shared card
                                                         (config.update_multi), and the new content a
                                                         card with elements (codes UNCONFIRMED: 230001)
    POST /open-apis/im/v1/messages?receive_id_type=open_id   a message to a person (their chat with the bot)
    GET  /open-apis/bot/v3/info                         {"code":0,"bot":{"open_id",...}} (top level)
Errors: unknown message 400/230001, bad content 400/230001 (codes UNCONFIRMED: vendor-notes §A
lists none for im). Tests make people speak with `user_says` (the message exists here, so replies
and the thread's root can be read back) and read threads with `thread` / `texts`.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.base import FakeBase, error_json

if TYPE_CHECKING:
    from bot.sandbox.feishu.vc import FeishuFake, FeishuUser

BOT = "bot"  # in `user_says(mentions=...)`: an @mention of hostbot itself
UUID_TTL_S = 3600
_AT = re.compile(r'<at user_id="([^"]*)">([^<]*)</at>|<at id=([^>\s]+)></at>')  # text / lark_md mentions
BAD_MESSAGE = 230001


class FeishuIMFake(FakeBase):
    def __init__(self, feishu: FeishuFake, *args: Any) -> None:
        super().__init__(*args)
        self.feishu = feishu
        self.bot_open_id = f"ou_bot{secrets.token_hex(14)}"
        self.bot_name = "hostbot"
        self.tenant_key = "sandbox_tenant"
        self.messages: dict[str, dict[str, Any]] = {}
        self._uuids: dict[str, tuple[float, str]] = {}  # uuid -> (when, message_id)
        self._seq = itertools.count(1)

    # ---- what tests do --------------------------------------------------------------------
    def user_says(self, sender: FeishuUser, text: str, *, chat_id: str = "oc_sandbox_group",
                  chat_type: str = "group", mentions: Sequence[FeishuUser | str] = (), root_id: str = "",
                  msg_type: str = "text", content: dict[str, Any] | None = None) -> dict[str, Any]:
        """A person's message: `text` names mentions `@_user_1`, `@_user_2`... in `mentions` order."""
        entries = []
        for n, who in enumerate(mentions, start=1):
            if who == BOT:
                ids = {"open_id": self.bot_open_id, "union_id": "", "user_id": ""}
                name, kind = self.bot_name, "bot"
            else:
                assert not isinstance(who, str)
                ids = {"open_id": who.open_id, "union_id": who.union_id, "user_id": who.user_id}
                name, kind = who.name, "user"
            entries.append({"key": f"@_user_{n}", "id": ids, "name": name, "tenant_key": self.tenant_key,
                            "mentioned_type": kind})
        message_id = self._new_id("om")
        root = self.messages.get(root_id)
        message = {
            "message_id": message_id, "root_id": root_id, "parent_id": root_id,
            "thread_id": (root or {}).get("thread_id", ""), "chat_id": chat_id, "chat_type": chat_type,
            "message_type": msg_type, "msg_type": msg_type, "create_time": str(int(time.time() * 1000)),
            "content": json.dumps(content if content is not None else {"text": text}, ensure_ascii=False),
            "mentions": entries,
            "sender": {"id": sender.open_id, "id_type": "open_id", "sender_type": "user",
                       "tenant_key": self.tenant_key},
        }
        with self.feishu.lock:
            self.messages[message_id] = message
        return message

    def thread(self, root_id: str) -> list[dict[str, Any]]:
        """hostbot's messages in the thread under `root_id` (oldest first)."""
        with self.feishu.lock:
            return [m for m in self.messages.values()
                    if m["root_id"] == root_id and m["sender"]["sender_type"] == "app"]

    def texts(self, root_id: str) -> list[str]:
        """What hostbot said in the thread as a Feishu client shows it: mentions as @Name, a card's text."""
        return [self.shown(message_words(m)) for m in self.thread(root_id)]

    def shown(self, text: str) -> str:
        def name(m: re.Match[str]) -> str:
            user = self.feishu.users.get(m.group(1) or m.group(3) or "")
            return f"@{user.name if user else (m.group(2) or m.group(1) or m.group(3))}"

        return _AT.sub(name, text)

    def buttons(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        card = json.loads(message["content"])
        return [a for el in card.get("elements", []) if el.get("tag") == "action" for a in el.get("actions", [])]

    # ---- routes ---------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route("/open-apis/im/v1/messages/{message_id}/reply", self.endpoint("feishu.im.reply", self._reply),
                  methods=["POST"]),
            Route("/open-apis/im/v1/messages/{message_id}", self.endpoint("feishu.im.get", self._get),
                  methods=["GET"]),
            Route("/open-apis/im/v1/messages/{message_id}", self.endpoint("feishu.im.patch", self._patch),
                  methods=["PATCH"]),
            Route("/open-apis/im/v1/messages", self.endpoint("feishu.im.create", self._create), methods=["POST"]),
            Route("/open-apis/bot/v3/info", self.endpoint("feishu.bot.info", self._bot_info), methods=["GET"]),
        ]

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(14)}{next(self._seq)}"

    def _tenant(self, request: Request) -> Response | None:
        op = self.feishu._operator(request)
        return op if isinstance(op, Response) else None

    async def _bot_info(self, request: Request, body: Any) -> Response:
        refused = self._tenant(request)
        if refused is not None:
            return refused
        return JSONResponse({"code": 0, "msg": "ok", "bot": {"activate_status": 2, "app_name": self.bot_name,
                                                            "avatar_url": "", "ip_white_list": [],
                                                            "open_id": self.bot_open_id}})

    async def _get(self, request: Request, body: Any) -> Response:
        refused = self._tenant(request)
        if refused is not None:
            return refused
        with self.feishu.lock:
            message = self.messages.get(request.path_params["message_id"])
        if message is None:
            return error_json(400, {"code": BAD_MESSAGE, "msg": "invalid message_id"})
        return JSONResponse({"code": 0, "msg": "success", "data": {"items": [_item(message)]}})

    def _checked(self, body: Any) -> tuple[str, str, str] | Response:
        if not isinstance(body, dict) or body.get("msg_type") not in ("text", "post", "interactive"):
            return error_json(400, {"code": BAD_MESSAGE, "msg": "invalid msg_type"})
        try:
            content = json.loads(str(body.get("content") or ""))
        except ValueError:
            return error_json(400, {"code": BAD_MESSAGE, "msg": "content is not JSON"})
        if body["msg_type"] == "text" and not str(content.get("text") or "").strip():
            return error_json(400, {"code": BAD_MESSAGE, "msg": "text content is empty"})
        if body["msg_type"] == "interactive" and not content.get("elements"):
            return error_json(400, {"code": BAD_MESSAGE, "msg": "card has no elements"})
        return str(body["msg_type"]), str(body["content"]), str(body.get("uuid") or "")

    def _seen(self, uid: str) -> dict[str, Any] | None:
        if not uid:
            return None
        seen = self._uuids.get(uid)
        if seen is None or time.time() - seen[0] > UUID_TTL_S:
            return None
        return self.messages.get(seen[1])

    async def _reply(self, request: Request, body: Any) -> Response:
        refused = self._tenant(request)
        if refused is not None:
            return refused
        checked = self._checked(body)
        if isinstance(checked, Response):
            return checked
        msg_type, content, uid = checked
        with self.feishu.lock:
            parent = self.messages.get(request.path_params["message_id"])
            if parent is None:
                return error_json(400, {"code": BAD_MESSAGE, "msg": "invalid message_id"})
            again = self._seen(uid)
            if again is not None:  # the same uuid within the hour: run at most once
                return JSONResponse({"code": 0, "msg": "success", "data": _item(again)})
            in_thread = bool(body.get("reply_in_thread")) or bool(parent["thread_id"])
            message: dict[str, Any] = {
                "message_id": self._new_id("om"), "root_id": parent["root_id"] or parent["message_id"],
                "parent_id": parent["message_id"],
                "thread_id": (parent["thread_id"] or self._new_id("omt")) if in_thread else "",
                "chat_id": parent["chat_id"], "chat_type": parent.get("chat_type", "group"),
                "message_type": msg_type, "msg_type": msg_type, "create_time": str(int(time.time() * 1000)),
                "content": content, "mentions": [], "uuid": uid,
                "sender": {"id": self.feishu.app_id, "id_type": "app_id", "sender_type": "app",
                           "tenant_key": self.tenant_key},
            }
            if in_thread and not parent["thread_id"]:
                parent["thread_id"] = message["thread_id"]
            self.messages[message["message_id"]] = message
            if uid:
                self._uuids[uid] = (time.time(), message["message_id"])
        return JSONResponse({"code": 0, "msg": "success", "data": _item(message)})

    async def _create(self, request: Request, body: Any) -> Response:
        refused = self._tenant(request)
        if refused is not None:
            return refused
        checked = self._checked(body)
        if isinstance(checked, Response):
            return checked
        msg_type, content, uid = checked
        id_type, receive_id = request.query_params.get("receive_id_type"), str(body.get("receive_id") or "")
        if id_type not in ("chat_id", "open_id") or not receive_id:
            return error_json(400, {"code": 99992402, "msg": "field validation failed"})
        if id_type == "open_id" and receive_id not in self.feishu.users:
            return error_json(400, {"code": 230013, "msg": "Bot has NO availability to this user."})
        with self.feishu.lock:
            again = self._seen(uid)
            if again is not None:
                return JSONResponse({"code": 0, "msg": "success", "data": _item(again)})
            chat_id, chat_type = (receive_id, "group") if id_type == "chat_id" else (f"oc_p2p_{receive_id}", "p2p")
            message: dict[str, Any] = {
                "message_id": self._new_id("om"), "root_id": "", "parent_id": "", "thread_id": "",
                "chat_id": chat_id, "chat_type": chat_type, "message_type": msg_type,
                "msg_type": msg_type, "create_time": str(int(time.time() * 1000)), "content": content,
                "mentions": [], "uuid": uid, "receive_id": receive_id,
                "sender": {"id": self.feishu.app_id, "id_type": "app_id", "sender_type": "app",
                           "tenant_key": self.tenant_key},
            }
            self.messages[message["message_id"]] = message
            if uid:
                self._uuids[uid] = (time.time(), message["message_id"])
        return JSONResponse({"code": 0, "msg": "success", "data": _item(message)})

    async def _patch(self, request: Request, body: Any) -> Response:
        refused = self._tenant(request)
        if refused is not None:
            return refused
        try:
            card = json.loads(str(body.get("content") or "")) if isinstance(body, dict) else None
        except ValueError:
            card = None
        if not isinstance(card, dict) or not isinstance(card.get("elements"), list) or not card["elements"]:
            return error_json(400, {"code": BAD_MESSAGE, "msg": "content is not a card with elements"})
        with self.feishu.lock:
            message = self.messages.get(request.path_params["message_id"])
            if message is None:
                return error_json(400, {"code": BAD_MESSAGE, "msg": "invalid message_id"})
            if message["sender"]["sender_type"] != "app" or message["sender"]["id"] != self.feishu.app_id:
                return error_json(400, {"code": BAD_MESSAGE, "msg": "only the app's own messages can be updated"})
            if message["msg_type"] != "interactive":
                return error_json(400, {"code": BAD_MESSAGE, "msg": "only cards can be updated"})
            if not json.loads(message["content"]).get("config", {}).get("update_multi"):
                return error_json(400, {"code": BAD_MESSAGE, "msg": "the card is not shared (update_multi)"})
            message["content"] = str(body["content"])
            message["update_time"] = str(int(time.time() * 1000))
            message["updates"] = message.get("updates", 0) + 1
        return JSONResponse({"code": 0, "msg": "success", "data": {}})


def _item(m: dict[str, Any]) -> dict[str, Any]:
    """A message as the API returns it (body.content, sender, ...)."""
    return {"message_id": m["message_id"], "root_id": m["root_id"], "parent_id": m["parent_id"],
            "thread_id": m["thread_id"], "msg_type": m["msg_type"], "create_time": m["create_time"],
            "update_time": m.get("update_time", m["create_time"]), "deleted": False,
            "updated": bool(m.get("updates")), "chat_id": m["chat_id"],
            "sender": m["sender"], "body": {"content": m["content"]},
            "mentions": [{"key": e["key"], "id": e["id"]["open_id"], "id_type": "open_id", "name": e["name"],
                          "tenant_key": e["tenant_key"]} for e in m["mentions"]]}


def message_words(m: dict[str, Any]) -> str:
    content = json.loads(m["content"])
    if m["msg_type"] == "text":
        return str(content.get("text", ""))
    if m["msg_type"] == "interactive":
        return "\n".join(str(el["text"]["content"]) for el in content.get("elements", [])
                         if el.get("tag") == "div" and isinstance(el.get("text"), dict))
    return json.dumps(content, ensure_ascii=False)
