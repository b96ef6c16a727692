"""Feishu groups as admins (HOSTBOT_ADMINS=oc_… or od-…): their members' open_ids, through the one
lark-oapi client and its tenant token.

    oc_…   a group chat: GET im/v1/chats/:chat_id/members (member_id_type=open_id, pages of 100).
           The bot must be in the chat. Scope im:chat:readonly (GUESS: third-party configs name it;
           im:chat.members:read may also do).
    od-…   a department: GET contact/v3/users/find_by_department (department_id_type=open_department_id,
           user_id_type=open_id, pages of 50): its direct members, within the app's contact range.
           Scope contact:user.base:readonly (GUESS, as for contact users/{id}).
A code 99991672 names the missing scope in its msg; anything else that is not code 0 is reported with
Feishu's code and msg.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.identity.admins import DirectoryError, GroupRef
from bot.core.model.outcome import Outcome
from bot.vendors.feishu.auth import FeishuAuth

FEISHU_NO_SCOPE = 99991672
SCOPES = {"chat": "im:chat:readonly", "department": "contact:user.base:readonly"}
MAX_PAGES = 50  # 5,000 chat members / 2,500 department members: far beyond an admins' group


class FeishuGroups:
    platform = "feishu"

    def __init__(self, auth: FeishuAuth) -> None:
        self.auth = auth

    async def members(self, ref: GroupRef) -> frozenset[str]:
        found: set[str] = set()
        token = ""
        for _ in range(MAX_PAGES):
            resp = await self.auth.call(*self._request(ref, token))
            data = _data(resp, ref)
            for item in data.items or []:
                member = getattr(item, "member_id", None) or getattr(item, "open_id", None)
                if member:
                    found.add(str(member))
            token = str(data.page_token or "")
            if not data.has_more or not token:
                break
        return frozenset(found)

    def _request(self, ref: GroupRef, page_token: str) -> tuple[Any, Any]:
        if ref.kind == "chat":
            from lark_oapi.api.im.v1 import GetChatMembersRequest

            chat = GetChatMembersRequest.builder().chat_id(ref.id).member_id_type("open_id").page_size(100)
            if page_token:
                chat = chat.page_token(page_token)
            return self.auth.client.im.v1.chat_members.aget, chat.build()
        from lark_oapi.api.contact.v3 import FindByDepartmentUserRequest

        dept = (FindByDepartmentUserRequest.builder().department_id(ref.id)
                .department_id_type("open_department_id").user_id_type("open_id").page_size(50))
        if page_token:
            dept = dept.page_token(page_token)
        return self.auth.client.contact.v3.user.afind_by_department, dept.build()


def _data(resp: Any, ref: GroupRef) -> Any:
    if isinstance(resp, Outcome):
        raise DirectoryError("admin_group_unanswered", platform="Feishu",
                             what=resp.detail or resp.reason or resp.kind.value)
    if resp.success() and resp.data is not None:
        return resp.data
    if resp.code == FEISHU_NO_SCOPE:
        named = re.search(r"\[([^\]]+)\]", str(resp.msg or ""))
        raise DirectoryError("admin_group_says", scope=named.group(1) if named else SCOPES[ref.kind],
                             platform="Feishu", what=str(resp.code))
    raise DirectoryError("admin_group_says", platform="Feishu", what=f"{resp.code}: {resp.msg}")
