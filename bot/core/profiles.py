"""Where identity looks people up: the chat platform's profile and the vendors' directories.

    SlackProfiles     users.info through slack_sdk's AsyncWebClient (email, name, tz, locale)
    FeishuDirectory   contact v3 `users/{open_id}` (open_id, union_id, email) and
                      `users/batch_get_id` (email -> open_id) through lark-oapi

Each answers a Profile or raises IdentityError (`transient` when trying again later may help).
Platform quirks:
- Slack leaves `profile.email` out, without an error, when the token lacks `users:read.email`;
  the `X-OAuth-Scopes` response header tells us whether that is why.
- Feishu leaves `email` out when the app lacks `contact:user.email:readonly`; nothing tells us why,
  so a missing email is reported with that scope named.
- Feishu open_id is per app: the open_ids we get (events, contact, batch_get_id) are those of our
  app (FEISHU_APP_ID), which is also the app that calls VC, so they are valid for set_host. An
  open_id from another app would not be; union_id (per developer) is stored as the bridge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import IdentityError
from bot.core.outcome import Kind, Outcome

SLACK_EMAIL_SCOPE = "users:read.email"
FEISHU_EMAIL_SCOPE = "contact:user.email:readonly"
PLATFORM_NAMES = {"slack": "Slack", "feishu": "Feishu", "console": "console"}


@dataclass(frozen=True)
class Profile:
    chat_user: str
    name: str = ""
    email: str = ""
    ids: dict[str, str] = field(default_factory=dict)  # vendor key (VENDOR_ID_COLUMNS) -> id
    email_scope: str = ""  # the scope whose absence hid the email; '' when it was visible
    tz: str = ""
    locale: str = ""


class SlackProfiles:
    platform = "slack"

    def __init__(self, token: str, base_url: str, timeout: int = 10) -> None:
        self.client = AsyncWebClient(token=token, base_url=base_url, timeout=timeout)

    async def profile(self, user_id: str) -> Profile:
        who = f"@{user_id}"
        try:
            resp = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as err:
            raise _slack_error(err, who) from None
        except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError) as err:
            raise IdentityError.later("profile_unavailable", who=who, platform="Slack",
                                reason=type(err).__name__) from None
        user: dict[str, Any] = resp.get("user") or {}
        profile: dict[str, Any] = user.get("profile") or {}
        email = str(profile.get("email") or "")
        scopes = _header(resp.headers, "x-oauth-scopes")
        hidden = ""
        if not email and not user.get("is_bot") and (scopes is None or SLACK_EMAIL_SCOPE not in scopes.split(",")):
            hidden = SLACK_EMAIL_SCOPE
        return Profile(chat_user=user_id, name=str(user.get("name") or profile.get("display_name") or ""),
                       email=email, email_scope=hidden, tz=str(user.get("tz") or ""),
                       locale=str(user.get("locale") or ""))


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None


def _slack_error(err: SlackApiError, who: str) -> IdentityError:
    data: Any = err.response.data if err.response is not None else {}
    code = str(data.get("error", "")) if isinstance(data, dict) else ""
    status = err.response.status_code if err.response is not None else 0
    if status == 429 or code == "ratelimited":
        retry = _header(err.response.headers, "retry-after") or "?"
        return IdentityError.later("profile_unavailable", who=who, platform="Slack",
                             reason=f"rate-limited, retry in {retry} s")
    if code in ("user_not_found", "user_not_visible", "users_not_found"):
        return IdentityError("unknown_user", who=who)
    if code == "missing_scope":
        return IdentityError("profile_scope_missing", who=who, platform="Slack", scope=str(data.get("needed", "?")))
    if status >= 500 or code in ("internal_error", "fatal_error", "service_unavailable", "request_timeout"):
        return IdentityError.later("profile_unavailable", who=who, platform="Slack",
                                   reason=code or str(status))
    return IdentityError("profile_rejected", who=who, platform="Slack", reason=code or str(status))


# ---- Feishu ----------------------------------------------------------------------------------
FEISHU_NO_SCOPE = 99991672  # "Access denied. One of the following scopes is required: [...]"
FEISHU_NO_USER = 41050  # the user is outside the app's contact range (also how an unknown id looks)
FEISHU_RATE_LIMIT = 99991400


class FeishuDirectory:
    platform = "feishu"

    def __init__(self, app_id: str, app_secret: str, domain: str, timeout: float = 10.0) -> None:
        from bot.vendors.feishu_auth import FeishuAuth, build_client  # lark-oapi is slow to import

        self.auth = FeishuAuth(build_client(app_id, app_secret, domain, timeout), app_id, app_secret)

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
