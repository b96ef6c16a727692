"""Fake Feishu groups: a chat's members (im/v1) and a department's users (contact/v3), for admins named
by group (HOSTBOT_ADMINS=oc_… / od-…).

    GET /open-apis/im/v1/chats/:chat_id/members   member_id_type open_id|union_id|user_id (default
        open_id), page_size ≤ 100 (default 20), page_token; data.items[{member_id_type, member_id, name,
        tenant_key}], has_more, page_token, member_total. The bot must be in the chat.
    GET /open-apis/contact/v3/users/find_by_department   department_id (required),
        department_id_type open_department_id|department_id, user_id_type, page_size ≤ 50; data.items
        are users (open_id, union_id, user_id, name), has_more, page_token.
Strict where Feishu's docs are (D) and marked where not (G): page sizes (D, the SDK's doc samples);
an unknown chat 400/232010 and a chat the bot is not in 400/232011 (G: codes as third-party notes give
them); an unknown department 400/40003 (G); a missing scope 99991672 naming it (G: the scope names,
`chat_scope_granted` / `department_scope_granted` switch them off); bad ids types 99992402 (G).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.base import FakeBase, error_json

if TYPE_CHECKING:
    from bot.sandbox.feishu.vc import FeishuFake, FeishuUser

CHAT_SCOPE, DEPARTMENT_SCOPE = "im:chat:readonly", "contact:user.base:readonly"


@dataclass
class FeishuGroup:
    id: str
    name: str
    members: list[str] = field(default_factory=list)  # open_ids
    bot_in: bool = True  # chats only: is hostbot a member?


def _invalid(field_name: str) -> JSONResponse:
    return error_json(400, {"code": 99992402, "msg": "field validation failed",
                            "error": {"field_violations": [{"field": field_name}]}})


class FeishuGroupsFake(FakeBase):
    def __init__(self, feishu: FeishuFake, *args: Any) -> None:
        super().__init__(*args)
        self.feishu = feishu
        self.lock = threading.RLock()
        self.chats: dict[str, FeishuGroup] = {}
        self.departments: dict[str, FeishuGroup] = {}
        self.chat_scope_granted = True
        self.department_scope_granted = True

    # ---- what tests and the demo do -----------------------------------------------------------
    def add_chat(self, name: str, members: list[FeishuUser], bot_in: bool = True) -> FeishuGroup:
        chat = FeishuGroup(f"oc_{secrets.token_hex(16)}", name, [m.open_id for m in members], bot_in)
        with self.lock:
            self.chats[chat.id] = chat
        return chat

    def add_department(self, name: str, members: list[FeishuUser]) -> FeishuGroup:
        dept = FeishuGroup(f"od-{secrets.token_hex(16)}", name, [m.open_id for m in members])
        with self.lock:
            self.departments[dept.id] = dept
        return dept

    def set_members(self, group_id: str, members: list[FeishuUser]) -> None:
        with self.lock:
            group = self.chats.get(group_id) or self.departments[group_id]
            group.members = [m.open_id for m in members]

    # ---- routes ----------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route("/open-apis/im/v1/chats/{chat_id}/members",
                  self.endpoint("feishu.chat_members", self._chat_members), methods=["GET"]),
            Route("/open-apis/contact/v3/users/find_by_department",
                  self.endpoint("feishu.find_by_department", self._find_by_department), methods=["GET"]),
        ]

    async def _chat_members(self, request: Request, body: Any) -> Response:
        op = self.feishu._operator(request)
        if isinstance(op, Response):
            return op
        if not self.chat_scope_granted:
            return self.feishu._no_scope(CHAT_SCOPE)
        q = request.query_params
        kind = q.get("member_id_type", "open_id")
        if kind not in ("open_id", "union_id", "user_id"):
            return _invalid("member_id_type")
        page = self._page(q, 100, 20)
        if page is None:
            return _invalid("page_size")
        with self.lock:
            chat = self.chats.get(request.path_params["chat_id"])
            if chat is None:
                return error_json(400, {"code": 232010, "msg": "chat id is invalid"})
            if not chat.bot_in:
                return error_json(400, {"code": 232011, "msg": "operator and chat can NOT be in different tenants "
                                        "or the operator is not in the chat"})
            members = list(chat.members)
        items, more, token = self._slice(members, *page)
        out = [{"member_id_type": kind, "member_id": self.feishu.from_open_id(kind, m),
                "name": self._name(m), "tenant_key": "sandbox_tenant"} for m in items]
        return JSONResponse({"code": 0, "msg": "success", "data": {
            "items": out, "page_token": token, "has_more": more, "member_total": len(members)}})

    async def _find_by_department(self, request: Request, body: Any) -> Response:
        op = self.feishu._operator(request)
        if isinstance(op, Response):
            return op
        if not self.department_scope_granted:
            return self.feishu._no_scope(DEPARTMENT_SCOPE)
        q = request.query_params
        kind = q.get("user_id_type", "open_id")
        if kind not in ("open_id", "union_id", "user_id"):
            return _invalid("user_id_type")
        if q.get("department_id_type", "open_department_id") not in ("open_department_id", "department_id"):
            return _invalid("department_id_type")
        if not q.get("department_id"):
            return _invalid("department_id")
        page = self._page(q, 50, 10)
        if page is None:
            return _invalid("page_size")
        with self.lock:
            dept = self.departments.get(q["department_id"])
            if dept is None:
                return error_json(400, {"code": 40003, "msg": "department not found"})
            members = list(dept.members)
        items, more, token = self._slice(members, *page)
        with self.feishu.lock:
            users = [self.feishu._user_json(self.feishu.users[m]) for m in items if m in self.feishu.users]
        return JSONResponse({"code": 0, "msg": "success", "data": {"has_more": more, "page_token": token,
                                                                   "items": users}})

    @staticmethod
    def _page(q: Any, most: int, default: int) -> tuple[int, int] | None:
        """(size, start) from page_size and page_token (our tokens are the offset), None if invalid."""
        size, token = q.get("page_size", str(default)), q.get("page_token", "0") or "0"
        if not (size.isdigit() and 1 <= int(size) <= most and token.isdigit()):
            return None
        return int(size), int(token)

    @staticmethod
    def _slice(members: list[str], size: int, start: int) -> tuple[list[str], bool, str]:
        items = members[start:start + size]
        more = start + size < len(members)
        return items, more, str(start + size) if more else ""

    def _name(self, open_id: str) -> str:
        user = self.feishu.users.get(open_id)
        return user.name if user else ""
