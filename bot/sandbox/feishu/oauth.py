"""Fake Feishu user authorization (OAuth / OIDC), beside feishu.py: the endpoints that
bot/adapters/feishu/people/oauth.py uses.

    GET  /open-apis/authen/v1/authorize?app_id&redirect_uri&scope&state
         the person signed in here (`sign_in`) agrees: 302 to redirect_uri?code&state (a code lives
         5 minutes and works once); `decline()` makes them refuse (redirect with error, no code);
         nobody signed in: a 200 login page, as a browser would see
    POST /open-apis/auth/v3/app_access_token/internal    {"app_access_token","expire"} (app id + secret)
    POST /open-apis/authen/v1/oidc/access_token          code -> user token + refresh token (app token)
    POST /open-apis/authen/v1/oidc/refresh_access_token  refresh token (single use) -> a new pair
    GET  /open-apis/authen/v1/user_info                  whose user token this is
User tokens issued here are FeishuFake user tokens, so VC invite accepts them. Error codes
(UNCONFIRMED: the OIDC pages list none we could read): 20003 invalid/used/expired code, 20026
invalid or used refresh token, 20037 expired refresh token, 99991663 invalid app/user token.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.sandbox.base import FakeBase, error_json

if TYPE_CHECKING:
    from bot.sandbox.feishu.vc import FeishuFake

CODE_TTL_S = 300
BAD_CODE, BAD_REFRESH, REFRESH_EXPIRED = 20003, 20026, 20037


class FeishuOAuthFake(FakeBase):
    def __init__(self, feishu: FeishuFake, *args: Any) -> None:
        super().__init__(*args)
        self.feishu = feishu
        self.signed_in: str | None = None  # open_id of who uses the browser
        self.declines = False
        self.expires_in = 7200  # lifetime of the user tokens issued from now on (seconds)
        self.refresh_expires_in = 30 * 24 * 3600
        self.allowed_redirects: list[str] | None = None  # None: any (the console's redirect URL list)
        self.app_tokens: set[str] = set()
        self.codes: dict[str, tuple[str, str, float]] = {}  # code -> (open_id, redirect_uri, expires)
        self.refresh_tokens: dict[str, tuple[str, float]] = {}  # refresh -> (open_id, expires)

    # ---- what tests do ---------------------------------------------------------------------
    def sign_in(self, open_id: str) -> None:
        self.signed_in, self.declines = open_id, False

    def decline(self) -> None:
        self.declines = True

    # ---- routes ------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route("/open-apis/authen/v1/authorize", self.endpoint("feishu.oauth.authorize", self._authorize),
                  methods=["GET"]),
            Route("/open-apis/auth/v3/app_access_token/internal", self.endpoint("feishu.app_token", self._app_token),
                  methods=["POST"]),
            Route("/open-apis/authen/v1/oidc/access_token", self.endpoint("feishu.oauth.token", self._token),
                  methods=["POST"]),
            Route("/open-apis/authen/v1/oidc/refresh_access_token",
                  self.endpoint("feishu.oauth.refresh", self._refresh), methods=["POST"]),
            Route("/open-apis/authen/v1/user_info", self.endpoint("feishu.user_info", self._user_info),
                  methods=["GET"]),
        ]

    async def _authorize(self, request: Request, body: Any) -> Response:
        q = request.query_params
        redirect, state = q.get("redirect_uri", ""), q.get("state", "")
        if q.get("app_id") != self.feishu.app_id or not redirect:
            return HTMLResponse("<p>invalid app_id or redirect_uri (20029)</p>", status_code=400)
        if self.allowed_redirects is not None and redirect not in self.allowed_redirects:
            return HTMLResponse("<p>redirect_uri is not in the app's redirect URL list (20029)</p>", status_code=400)
        if self.signed_in is None:
            return HTMLResponse("<p>Sign in to Feishu to continue.</p>")
        sep = "&" if "?" in redirect else "?"
        if self.declines:
            return RedirectResponse(f"{redirect}{sep}{urlencode({'error': 'access_denied', 'state': state})}",
                                    status_code=302)
        code = secrets.token_hex(16)
        with self.feishu.lock:
            self.codes[code] = (self.signed_in, redirect, time.time() + CODE_TTL_S)
        return RedirectResponse(f"{redirect}{sep}{urlencode({'code': code, 'state': state})}", status_code=302)

    async def _app_token(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict) or body.get("app_id") != self.feishu.app_id \
                or body.get("app_secret") != self.feishu.app_secret:
            return error_json(400, {"code": 10014, "msg": "app secret invalid"})
        token = f"a-{secrets.token_urlsafe(24)}"
        with self.feishu.lock:
            self.app_tokens.add(token)
        return JSONResponse({"code": 0, "msg": "ok", "app_access_token": token, "expire": 7200,
                             "tenant_access_token": token})

    def _app_refused(self, request: Request) -> Response | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with self.feishu.lock:
            if token in self.app_tokens:
                return None
        return error_json(400, {"code": 99991663, "msg": "Invalid access token for authorization."})

    def _issue(self, open_id: str) -> dict[str, Any]:
        token = self.feishu.issue_user_token(open_id)
        refresh = f"ur-{secrets.token_urlsafe(24)}"
        with self.feishu.lock:
            self.refresh_tokens[refresh] = (open_id, time.time() + self.refresh_expires_in)
        return {"code": 0, "msg": "success", "data": {
            "access_token": token, "refresh_token": refresh, "token_type": "Bearer", "expires_in": self.expires_in,
            "refresh_expires_in": self.refresh_expires_in, "scope": "vc:meeting"}}

    async def _token(self, request: Request, body: Any) -> Response:
        refused = self._app_refused(request)
        if refused is not None:
            return refused
        if not isinstance(body, dict) or body.get("grant_type") != "authorization_code":
            return error_json(400, {"code": 99992402, "msg": "field validation failed: grant_type"})
        with self.feishu.lock:
            found = self.codes.pop(str(body.get("code") or ""), None)  # a code works once
        if found is None or found[2] < time.time():
            return error_json(400, {"code": BAD_CODE, "msg": "invalid code"})
        return JSONResponse(self._issue(found[0]))

    async def _refresh(self, request: Request, body: Any) -> Response:
        refused = self._app_refused(request)
        if refused is not None:
            return refused
        if not isinstance(body, dict) or body.get("grant_type") != "refresh_token":
            return error_json(400, {"code": 99992402, "msg": "field validation failed: grant_type"})
        with self.feishu.lock:
            found = self.refresh_tokens.pop(str(body.get("refresh_token") or ""), None)  # single use
        if found is None:
            return error_json(400, {"code": BAD_REFRESH, "msg": "invalid refresh_token"})
        if found[1] < time.time():
            return error_json(400, {"code": REFRESH_EXPIRED, "msg": "refresh_token expired"})
        return JSONResponse(self._issue(found[0]))

    async def _user_info(self, request: Request, body: Any) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with self.feishu.lock:
            open_id = self.feishu.user_tokens.get(token)
            user = self.feishu.users.get(open_id or "")
        if user is None or token in self.feishu.expired_user_tokens:
            return error_json(400, {"code": 99991663, "msg": "Invalid access token for authorization."})
        return JSONResponse({"code": 0, "msg": "success", "data": {
            "name": user.name, "en_name": user.name, "open_id": user.open_id, "union_id": user.union_id,
            "user_id": user.user_id, "email": user.email, "tenant_key": "sandbox_tenant"}})
