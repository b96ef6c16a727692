"""Slack profiles: users.info through the one AsyncWebClient (email, name, tz, locale).

Slack leaves `profile.email` out, without an error, when the token lacks `users:read.email`;
the `X-OAuth-Scopes` response header tells us whether that is why.
"""

from __future__ import annotations

import time
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.identity.profiles import SLACK_EMAIL_SCOPE, Profile
from bot.core.model.errors import IdentityError
from bot.core.request.admission import outside

MEMO_S = 60.0  # long enough for one request, short enough that a changed email shows soon
MEMO_MAX = 10_000


class SlackProfiles:
    platform = "slack"

    def __init__(self, client: AsyncWebClient, memo_s: float = MEMO_S) -> None:
        self.client = client  # the one Slack Web API client (bot/app.py builds it)
        self.memo_s = memo_s
        self._memo: dict[str, tuple[float, Profile]] = {}

    async def profile(self, user_id: str, *, remember: bool = False) -> Profile:
        """users.info. The adapter asks first (language, zone) with remember=True; identity's own
        question about the same speaker in that request takes the remembered answer, once, so
        Slack is asked once per person per request."""
        remembered = self._memo.pop(user_id, None)
        if remembered is not None and remembered[0] > time.monotonic() and not remember:
            return remembered[1]
        profile = await self._users_info(user_id)
        if remember:
            if len(self._memo) > MEMO_MAX:
                self._memo.clear()
            self._memo[user_id] = (time.monotonic() + self.memo_s, profile)
        return profile

    async def _users_info(self, user_id: str) -> Profile:
        who = f"@{user_id}"
        try:
            async with outside():  # the request's turn is lent while Slack answers (bot/core/request/admission.py)
                resp = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as err:
            raise _slack_error(err, who) from None
        except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError) as err:
            raise IdentityError.later("profile_unavailable", who=who, platform="Slack",
                                reason=type(err).__name__) from None
        return _profile(resp, user_id)

    async def by_email(self, email: str) -> Profile | None:
        """users.lookupByEmail (scope users:read.email): how a host hostbot never met is found."""
        try:
            async with outside():
                resp = await self.client.users_lookupByEmail(email=email)
        except SlackApiError as err:
            data: Any = err.response.data if err.response is not None else {}
            if isinstance(data, dict) and data.get("error") == "users_not_found":
                return None
            raise _slack_error(err, email) from None
        except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError) as err:
            raise IdentityError.later("profile_unavailable", who=email, platform="Slack",
                                      reason=type(err).__name__) from None
        user_id = str((resp.get("user") or {}).get("id") or "")
        return _profile(resp, user_id) if user_id else None


def _profile(resp: Any, user_id: str) -> Profile:
    """A Profile from a users.info / users.lookupByEmail answer."""
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
