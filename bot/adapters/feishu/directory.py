"""Feishu directory: contact v3 `users/{open_id}` (open_id, union_id, email) and
`users/batch_get_id` (email -> open_id), through the one lark-oapi client.

Feishu leaves `email` out when the app lacks `contact:user.email:readonly`; nothing tells us why,
so a missing email is reported with that scope named. Feishu open_id is per app: the open_ids we
get (events, contact, batch_get_id) are those of our app (FEISHU_APP_ID), which is also the app
that calls VC, so they are valid for set_host; union_id (per developer) is stored as the bridge.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.identity.profiles import FEISHU_EMAIL_SCOPE, Profile
from bot.core.model.errors import IdentityError
from bot.core.model.outcome import Kind, Outcome
from bot.vendors.feishu.auth import FeishuAuth

FEISHU_NO_SCOPE = 99991672  # "Access denied. One of the following scopes is required: [...]"
FEISHU_NO_USER = 41050  # the user is outside the app's contact range (also how an unknown id looks)
FEISHU_RATE_LIMIT = 99991400


class FeishuDirectory:
    platform = "feishu"

    def __init__(self, auth: FeishuAuth) -> None:
        self.auth = auth  # the one Feishu client and tenant-token cache (bot/app.py builds it)

    async def profile(self, open_id: str) -> Profile:
        from lark_oapi.api.contact.v3 import GetUserRequest

        who = f"@{open_id}"
        req = GetUserRequest.builder().user_id(open_id).user_id_type("open_id").build()
        resp = await self.auth.call(self.auth.client.contact.v3.user.aget, req)
        _raise_for(resp, who)
        user: Any = resp.data.user  # type: ignore[union-attr]
        email = str(getattr(user, "email", None) or getattr(user, "enterprise_email", None) or "")
        ids = {"feishu": str(user.open_id or open_id)}
        if user.union_id:
            ids["feishu_union"] = str(user.union_id)
        return Profile(chat_user=open_id, name=str(user.name or ""), email=email, ids=ids,
                       email_scope="" if email else FEISHU_EMAIL_SCOPE)

    async def by_email(self, email: str) -> Profile | None:
        """In a Feishu chat the open_id is the chat user: the one batch_get_id gives for the email."""
        open_id = await self.open_id_by_email(email, email)
        return await self.profile(open_id) if open_id else None

    async def open_id_by_email(self, email: str, who: str) -> str | None:
        """Our app's open_id for the Feishu user with this email; None when Feishu has nobody with it."""
        from lark_oapi.api.contact.v3 import BatchGetIdUserRequest, BatchGetIdUserRequestBody

        body = BatchGetIdUserRequestBody.builder().emails([email]).include_resigned(False).build()
        req = BatchGetIdUserRequest.builder().user_id_type("open_id").request_body(body).build()
        resp = await self.auth.call(self.auth.client.contact.v3.user.abatch_get_id, req)
        _raise_for(resp, who)
        for item in resp.data.user_list or []:  # type: ignore[union-attr]
            if item.user_id and str(item.email or "").lower() == email.lower():
                return str(item.user_id)
        return None


def _raise_for(resp: Any, who: str) -> None:
    """Turn a failed Feishu answer (an Outcome, or a response with code != 0) into an IdentityError."""
    if isinstance(resp, Outcome):
        if resp.kind is Kind.UNAVAILABLE:
            raise IdentityError.later("profile_unavailable", who=who, platform="Feishu",
                                reason=resp.detail or resp.reason)
        raise IdentityError("profile_rejected", who=who, platform="Feishu", reason=resp.detail or resp.reason)
    if resp.success():
        return
    code = resp.code if isinstance(resp.code, int) else 0  # a code that is no number: unknown
    status = int(getattr(resp.raw, "status_code", 0) or 0)
    if code == FEISHU_NO_SCOPE:
        scope = re.search(r"\[([^\]]+)\]", str(resp.msg or ""))
        raise IdentityError("profile_scope_missing", who=who, platform="Feishu",
                            scope=scope.group(1) if scope else "contact:user.base:readonly")
    if code == FEISHU_NO_USER:
        raise IdentityError("unknown_user", who=who)
    if status == 429 or code == FEISHU_RATE_LIMIT or status >= 500:
        raise IdentityError.later("profile_unavailable", who=who, platform="Feishu",
                            reason=f"code {code or status}")
    raise IdentityError("profile_rejected", who=who, platform="Feishu", reason=f"code {code}: {resp.msg}")
