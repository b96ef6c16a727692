"""Feishu user authorization: the link, the code exchange, the stored and refreshed user token.

Feishu VC invite accepts only a user_access_token (vendor-notes §A): hostbot invites *as the person
who asked*, so that person authorizes hostbot once. The flow:
  1. invite finds no usable token: FeishuVendor asks `authorization(open_id)` for a link. It stores
     the OAuth `state` as a proposal (action "feishu_oauth", 15 min) holding the request to resume,
     when the chat adapter that is handling it put it in PENDING_REQUEST (the Feishu adapter does);
  2. the person opens {FEISHU_DOMAIN}/open-apis/authen/v1/authorize?app_id&redirect_uri&scope&state,
     agrees, and Feishu redirects the browser to GET /feishu/oauth/callback?code&state;
  3. `complete(code, state)`: app_access_token -> POST authen/v1/oidc/access_token (code -> user
     token + refresh token) -> GET authen/v1/user_info (whose token it is) -> stored through the
     vault (bot/store/vault.py) -> the state is claimed by that person, once -> the adapter re-runs the
     pending request, whose invite now finds the token;
  4. before each invite `refresh_if_due(open_id)` renews a token expiring within 5 minutes
     (POST authen/v1/oidc/refresh_access_token), one renewal per person at a time across replicas (a
     lease in the store). A refresh Feishu refuses drops the stored grant — only while the row still
     holds the refresh token that failed — so the next answer asks to authorize again; a 5xx or network
     failure keeps it.
The endpoints are lark-oapi 1.7.5's authen v1 OIDC pair (user token ~2 h, refresh token ~30 days).
Feishu's newer /open-apis/authen/v2/oauth/token has no client in lark-oapi 1.7.5. The error codes
of these endpoints are UNCONFIRMED here, so they are judged by HTTP status class only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextvars import ContextVar
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.core.flow.serial import LeaseBusy, held
from bot.core.model.events import ChatMessage, Platform
from bot.core.model.outcome import Kind, Outcome
from bot.lark_lazy import LazyModule
from bot.store import AsyncStore, ClaimError, UserToken
from bot.store.vault import VaultError
from bot.vendors.feishu.auth import LarkClient, auth_v3, build_client, lark_core

authen_v1 = LazyModule("lark_oapi.api.authen.v1")  # lark-oapi, imported at first use (bot/lark_lazy.py)

log = logging.getLogger(__name__)

VENDOR = "feishu"
ACTION = "feishu_oauth"  # the proposal `action` of an OAuth state
CALLBACK_PATH = "/feishu/oauth/callback"
STATE_TTL = timedelta(minutes=15)  # the link's life; Feishu's code itself lives 5 minutes
REFRESH_MARGIN = timedelta(minutes=5)
RENEWAL_LEASE = timedelta(seconds=30)  # a replica that dies mid-renewal frees the person's token after this
RENEWAL_WAIT_S = 15.0  # how long a request waits for another replica's renewal of the same token
# What the user token must allow: VC invite. The console lists `vc:meeting` for it (vendor-notes §A;
# whether `vc:meeting.participant:write` is also needed is UNCONFIRMED).
USER_SCOPE = "vc:meeting"

# The request being handled when a vendor asks for an authorization link: a chat adapter sets it
# around Dispatcher.handle_message so that the request can run again once the person authorized.
PENDING_REQUEST: ContextVar[ChatMessage | None] = ContextVar("hostbot_pending_request", default=None)


@dataclass(frozen=True)
class Grant:
    token: str
    refresh_token: str
    expires_in: int

    def __repr__(self) -> str:  # never print a token
        return f"Grant(expires_in={self.expires_in})"


@dataclass(frozen=True)
class Authorization:
    """What the OAuth callback achieved; `key` is the i18n message shown in the browser."""

    key: str
    lang: str = "zh"
    ok: bool = False
    subject: str = ""  # the open_id whose token was stored
    name: str = ""
    resume: ChatMessage | None = None  # the request to run again, now that the token is there
    meeting: str = ""  # the Feishu meeting id that request was about when the link was made (bound to it)
    reply_to: str = ""  # the chat message that request answered (Feishu: its message_id)
    state: str = ""
    detail: str = ""

    @property
    def state_known(self) -> bool:
        return self.key != "feishu_oauth_unknown_state"


def message_to_json(msg: ChatMessage) -> dict[str, Any]:
    data = asdict(msg)
    data["platform"] = str(msg.platform)
    return data


def message_from_json(data: Any) -> ChatMessage | None:
    if not isinstance(data, dict):
        return None
    try:
        # "mentions" is what messages stored before the text was neutral carried: not needed any more
        fields = {k: v for k, v in data.items() if k not in ("mentions", "platform")}
        return ChatMessage(platform=Platform(data["platform"]), **fields)
    except (KeyError, TypeError, ValueError):
        return None


class FeishuOAuth:
    """Feishu user tokens: FeishuVendor's token source (`user_token`, `refresh_if_due`,
    `authorization`) and the OAuth callback's work (`complete`)."""

    def __init__(self, app_id: str, app_secret: str, domain: str, store: AsyncStore, *, public_url: str = "",
                 scope: str = USER_SCOPE, timeout: float = 10.0, client: LarkClient | None = None) -> None:
        self.app_id, self._secret = app_id, app_secret
        self.domain = domain.rstrip("/")
        self.store = store
        self.public_url = public_url.rstrip("/")  # where Feishu sends the browser back (HOSTBOT_PUBLIC_URL)
        self.scope = scope
        self.client = client or build_client(app_id, app_secret, domain, timeout)  # the app's one client
        self._app_token = ""
        self._app_token_expires = 0.0
        self._locks: dict[str, asyncio.Lock] = {}

    def __repr__(self) -> str:
        return f"FeishuOAuth(app_id={self.app_id!r})"

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}{CALLBACK_PATH}"

    # ---- FeishuVendor's token source ---------------------------------------------------------
    async def user_token(self, vendor: str, subject: str) -> UserToken | None:
        try:
            return await self.store.user_token(vendor, subject)
        except VaultError:
            log.warning("feishu oauth: a stored user token cannot be opened; asking to authorize again")
            return None

    async def refresh_if_due(self, subject: str) -> None:
        """Renew `subject`'s token when it expires within REFRESH_MARGIN: one renewal per person at a time,
        across replicas too (a lease in the store: Feishu accepts a refresh token once, so a second renewal
        with the same one would be refused). Under the lease the grant is read again: another replica may
        have just renewed it."""
        lock = self._locks.setdefault(subject, asyncio.Lock())
        async with lock:
            if not self._due(await self.user_token(VENDOR, subject)):
                return
            try:
                async with held(self.store, [f"user_token:{VENDOR}:{subject}"], ttl=RENEWAL_LEASE,
                                wait=RENEWAL_WAIT_S):
                    await self._renew(subject)
            except LeaseBusy:  # another replica is still renewing it: its token (or none) is what we read next
                log.info("feishu oauth: another replica is renewing this token; using what it leaves")

    def _due(self, grant: UserToken | None) -> bool:
        if grant is None or not grant.refresh_token or grant.expires_at is None:
            return False
        return grant.expires_at - self.store.now() <= REFRESH_MARGIN

    async def _renew(self, subject: str) -> None:
        grant = await self.user_token(VENDOR, subject)
        if grant is None or not self._due(grant):
            return
        refreshed = await self._refresh(grant.refresh_token)
        if isinstance(refreshed, Outcome):
            if refreshed.kind is Kind.DENIED:  # the refresh token expired or was revoked
                log.info("feishu oauth: refresh refused (%s); the person must authorize again",
                         refreshed.vendor_code or refreshed.reason)
                # Only the grant whose refresh token failed: one saved meanwhile (another replica whose
                # lease outlived ours, a new authorization) stays.
                await self.store.delete_user_token(VENDOR, subject, refresh_token=grant.refresh_token)
            return
        await self._save(subject, refreshed)

    async def authorization(self, subject: str, meeting: str = "") -> tuple[str, str] | None:
        """A link for `subject` to authorize hostbot, and the remedy key that presents it.

        None when no link can be made (HOSTBOT_PUBLIC_URL unknown): the plain remedy then applies.
        """
        if not self.public_url:
            return None
        pending = PENDING_REQUEST.get()
        # Only the asker's own request resumes by itself (on Feishu the speaker is the open_id).
        resume = pending if pending is not None and pending.platform == Platform.FEISHU \
            and pending.user == subject else None
        payload: dict[str, Any] = {"subject": subject, "lang": resume.lang if resume else "zh"}
        if resume is not None:
            payload["message"] = message_to_json(resume)
            payload["reply_to"] = resume.message_id
            payload["meeting"] = meeting  # what runs after the authorization: this meeting, as shown
        state = await self.store.create_proposal(
            platform=Platform.FEISHU, requester=subject, action=ACTION, payload=payload,
            channel=resume.channel if resume else "", thread=resume.thread if resume else "", ttl=STATE_TTL)
        query = urlencode({"app_id": self.app_id, "redirect_uri": self.redirect_uri, "scope": self.scope,
                           "state": state})
        url = f"{self.domain}/open-apis/authen/v1/authorize?{query}"
        return url, "remedy_authorize_link_resume" if resume else "remedy_authorize_link"

    # ---- the callback ------------------------------------------------------------------------
    async def complete(self, code: str, state: str) -> Authorization:
        """Exchange the code, store the token, claim the state; says what to resume, if anything."""
        proposal = await self.store.get_proposal(state) if state else None
        if proposal is None or proposal.action != ACTION:
            return Authorization("feishu_oauth_unknown_state", state=state)
        lang = str(proposal.payload.get("lang") or "zh")
        if proposal.status != "pending":
            return Authorization("feishu_oauth_used", lang, state=state)
        if proposal.expires_at <= self.store.now():
            return Authorization("feishu_oauth_expired", lang, state=state)
        if not code:  # the person declined on Feishu's page
            return Authorization("feishu_oauth_declined", lang, state=state)
        grant = await self._exchange(code)
        if isinstance(grant, Outcome):
            return Authorization("feishu_oauth_failed", lang, state=state, detail=grant.detail or grant.reason)
        who = await self._whoami(grant.token)
        if isinstance(who, Outcome):
            return Authorization("feishu_oauth_failed", lang, state=state, detail=who.detail or who.reason)
        open_id, name = who
        await self._save(open_id, grant)
        try:
            await self.store.claim_proposal(state, open_id, outcome="done")
        except ClaimError as err:
            # The token is theirs and stays stored; somebody else's request is not run for them.
            key = "feishu_oauth_other_person" if err.why == "not_yours" else "feishu_oauth_used"
            return Authorization(key, lang, ok=err.why == "not_yours", subject=open_id, name=name, state=state)
        resume = message_from_json(proposal.payload.get("message"))
        if resume is not None:  # a new delivery of the same words: the old ids are spent
            resume = replace(resume, event_id="", message_id="")
        return Authorization("feishu_oauth_done_resume" if resume else "feishu_oauth_done", lang, ok=True,
                             subject=open_id, name=name, resume=resume, state=state,
                             meeting=str(proposal.payload.get("meeting") or ""),
                             reply_to=str(proposal.payload.get("reply_to") or ""))

    # ---- Feishu calls ------------------------------------------------------------------------
    async def _save(self, subject: str, grant: Grant) -> None:
        expires = self.store.now() + timedelta(seconds=max(0, grant.expires_in))
        await self.store.save_user_token(VENDOR, subject, grant.token, grant.refresh_token, expires_at=expires)

    async def _exchange(self, code: str) -> Grant | Outcome:
        body = authen_v1.CreateOidcAccessTokenRequestBody.builder().grant_type("authorization_code").code(code).build()
        req = authen_v1.CreateOidcAccessTokenRequest.builder().request_body(body).build()
        return await self._grant(self.client.authen.v1.oidc_access_token.acreate, req)

    async def _refresh(self, refresh_token: str) -> Grant | Outcome:
        body = (authen_v1.CreateOidcRefreshAccessTokenRequestBody.builder().grant_type("refresh_token")
                .refresh_token(refresh_token).build())
        req = authen_v1.CreateOidcRefreshAccessTokenRequest.builder().request_body(body).build()
        return await self._grant(self.client.authen.v1.oidc_refresh_access_token.acreate, req)

    async def _grant(self, method: Any, req: Any) -> Grant | Outcome:
        for attempt in (0, 1):
            token = await self._app_access_token(refresh=attempt == 1)
            if isinstance(token, Outcome):
                return token
            resp = await _call(method, req, lark_core.RequestOption.builder().app_access_token(token).build())
            if isinstance(resp, Outcome):
                return resp
            if resp.code in APP_TOKEN_INVALID and attempt == 0:
                continue
            data = resp.data
            if resp.code == 0 and data is not None and data.access_token:
                return Grant(str(data.access_token), str(data.refresh_token or ""), int(data.expires_in or 0))
            return _refused(resp)
        return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_feishu_credentials")

    async def _whoami(self, user_token: str) -> tuple[str, str] | Outcome:
        option = lark_core.RequestOption.builder().user_access_token(user_token).build()
        resp = await _call(self.client.authen.v1.user_info.aget, authen_v1.GetUserInfoRequest.builder().build(), option)
        if isinstance(resp, Outcome):
            return resp
        if resp.code != 0 or resp.data is None or not resp.data.open_id:
            return _refused(resp)
        return str(resp.data.open_id), str(resp.data.name or "")

    async def _app_access_token(self, refresh: bool = False) -> str | Outcome:
        if self._app_token and not refresh and time.time() < self._app_token_expires:
            return self._app_token
        req = auth_v3.InternalAppAccessTokenRequest.builder().request_body(
            auth_v3.InternalAppAccessTokenRequestBody.builder().app_id(self.app_id).app_secret(self._secret).build()
        ).build()
        resp = await _call(self.client.auth.v3.app_access_token.ainternal, req, None)
        if isinstance(resp, Outcome):
            return resp
        try:
            body = json.loads(resp.raw.content)
        except ValueError:
            return Outcome.unavailable(remedy="remedy_retry_later", detail="unparseable response")
        if body.get("code") != 0 or not body.get("app_access_token"):
            return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_feishu_credentials",
                           vendor_code=str(body.get("code", "")), detail=str(body.get("msg", "")))
        self._app_token = str(body["app_access_token"])
        # Treat it as expired 10 minutes early, as lark-oapi does with its own tokens.
        self._app_token_expires = time.time() + max(60, int(body.get("expire", 7200)) - 600)
        return self._app_token


APP_TOKEN_INVALID = {99991661, 99991663, 99991664, 99991668}


async def _call(method: Any, req: Any, option: Any) -> Any:
    """One SDK call; transport trouble and unparseable bodies become UNAVAILABLE Outcomes."""
    try:
        return await method(req, option) if option is not None else await method(req)
    except httpx.TimeoutException:
        return Outcome.unavailable("vendor_timeout", remedy="remedy_retry_later")
    except (httpx.HTTPError, OSError):
        return Outcome.unavailable(remedy="remedy_retry_later")
    except ValueError:  # an HTML error page or truncated JSON
        return Outcome.unavailable(remedy="remedy_retry_later", detail="unparseable response")


def _refused(resp: Any) -> Outcome:
    """A non-zero answer: a 5xx may pass (UNAVAILABLE); anything else is Feishu saying no (DENIED)."""
    status = int(getattr(resp.raw, "status_code", 0) or 0)
    detail = f"code {resp.code}: {resp.msg}" if resp.code else f"HTTP {status}"
    if status >= 500 or status == 429:
        return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=str(resp.code or ""), detail=detail)
    return Outcome(Kind.DENIED, reason="feishu_user_token_expired", remedy="remedy_authorize_hostbot",
                   vendor_code=str(resp.code or ""), detail=detail)
