"""Feishu tenant tokens for any lark-oapi client, fetched asynchronously and cached per instance.

The same approach as FeishuVendor (vendor-notes §A): lark-oapi would fetch tenant tokens
synchronously (requests) and cache them process-wide by app_id, so we fetch the token ourselves
through the SDK's async `ainternal` call and hand it to each call with RequestOption; the client
is built with `enable_set_token(True)` so the SDK uses it as given. Failures are Outcome values.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from bot.core.model.outcome import Kind, Outcome
from bot.core.request.admission import outside
from bot.lark_lazy import LazyModule, preloaded, wait_preloaded
from bot.vendors.http import tls_context

# lark-oapi, module by module, imported at first use (bot/lark_lazy.py): a Feishu-configured bot starts
# without any of it, and even then loads only these instead of the whole Open API.
lark_core = LazyModule("lark_oapi.core.model")  # Config, RequestOption, BaseRequest, BaseResponse, RawRequest
lark_enum = LazyModule("lark_oapi.core.enum")  # LogLevel, HttpMethod, AccessTokenType
lark_errors = LazyModule("lark_oapi.core.exception")  # UnmarshalException
auth_v3 = LazyModule("lark_oapi.api.auth.v3")
# Every lark-oapi module hostbot imports (the vendor, the adapter, OAuth, the directory): `hostbot run` loads
# them in a worker thread at the first Feishu event or call (bot/ops/server.py), not on the event loop.
SDK_MODULES = (
    "lark_oapi.core.model", "lark_oapi.core.enum", "lark_oapi.core.exception", "lark_oapi.core.json",
    "lark_oapi.core.log", "lark_oapi.core.utils", "lark_oapi.core.utils.files", "lark_oapi.core.http",
    "lark_oapi.core.token", "lark_oapi.event.context", "lark_oapi.event.callback.model.p2_card_action_trigger",
    "lark_oapi.api.auth.v3", "lark_oapi.api.auth.service", "lark_oapi.api.authen.v1", "lark_oapi.api.authen.service",
    "lark_oapi.api.vc.v1", "lark_oapi.api.vc.service", "lark_oapi.api.im.v1", "lark_oapi.api.im.service",
    "lark_oapi.api.contact.v3", "lark_oapi.api.contact.service",
)

R = TypeVar("R")
TOKEN_INVALID = {99991661, 99991663, 99991664, 99991668}  # missing / invalid / expired tenant token


class _LendingHttpx:
    """httpx as lark-oapi's transport module sees it, except that `AsyncClient()` lends one open client.

    lark-oapi 1.7.5 opens a new `httpx.AsyncClient()` for every async call (core/http/transport.py,
    Transport.aexecute: `async with httpx.AsyncClient() as client`). Each one built an SSL context and
    loaded the CA bundle (tens of ms of CPU on the event loop per call: under load Slack acks took seconds),
    read the proxy settings from the environment, and opened a new connection: a TCP and TLS handshake with
    Feishu for every call, and closed it after. Now `async with` lends the running loop's one client
    (`_shared_client`), whose connections stay open between calls; the verification is the same (httpx's
    defaults, SSL_CERT_FILE honoured), loaded once. A call with arguments (lark-oapi makes none) gets its own.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(httpx, name)

    def AsyncClient(self, *args: Any, **kwargs: Any) -> Any:  # the name lark-oapi calls
        if args or kwargs:
            kwargs.setdefault("verify", tls_context())
            return httpx.AsyncClient(*args, **kwargs)
        return _Lent(_shared_client())


class _Lent:
    """`async with` gives the client and leaves it open."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __aenter__(self) -> httpx.AsyncClient:
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        return None


# One client per event loop: its connections belong to the loop they were opened on (tests run several).
_CLIENTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = weakref.WeakKeyDictionary()


def _shared_client() -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    client = _CLIENTS.get(loop)
    if client is None or client.is_closed:
        # an idle connection is dropped after 2 s, before a server's usual 5 s+ idle timeout closes it under
        # a request being sent (uvicorn's is 5 s: reusing one at that moment was a test's "connection reset")
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=2.0)
        client = _CLIENTS[loop] = httpx.AsyncClient(verify=tls_context(), limits=limits)
    return client


async def close_shared_client() -> None:
    """Close the running loop's lark-oapi client (at shutdown: its open connections)."""
    client = _CLIENTS.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()


def share_client() -> None:
    """Give lark-oapi's transport the httpx that lends one client per loop (once per process; a no-op afterwards)."""
    wait_preloaded()  # every import of lark-oapi waits for a preload under way (bot/lark_lazy.py)
    import lark_oapi.core.http.transport as lark_transport

    if getattr(lark_transport, "httpx", None) is httpx:
        lark_transport.httpx = _LendingHttpx()


class LarkClient:
    """The part of `lark.Client` hostbot uses: the vc, im, contact, auth and authen services, and `arequest`.

    `lark.Client.builder().build()` constructs all ~60 services of the Open API, so importing
    `lark_oapi.client` imports every one of them (seconds and ~150 MB). This builds the same SDK
    `Config` and the same service objects, each at its first use; the calls are the SDK's own.
    """

    def __init__(self, app_id: str, app_secret: str, domain: str, timeout: float = 10.0) -> None:
        self._settings = (app_id, app_secret, domain.rstrip("/"), timeout)

    @functools.cached_property
    def config(self) -> Any:
        wait_preloaded()
        from lark_oapi.core.log import logger

        share_client()
        app_id, app_secret, domain, timeout = self._settings
        config = lark_core.Config()
        config.app_id, config.app_secret, config.domain, config.timeout = app_id, app_secret, domain, timeout
        config.enable_set_token = True  # tokens are ours (FeishuAuth), handed to each call with RequestOption
        logger.setLevel(int(lark_enum.LogLevel.ERROR.value))  # as ClientBuilder.log_level does
        return config

    @functools.cached_property
    def vc(self) -> Any:
        return LazyModule("lark_oapi.api.vc.service").VcService(self.config)

    @functools.cached_property
    def im(self) -> Any:
        return LazyModule("lark_oapi.api.im.service").ImService(self.config)

    @functools.cached_property
    def contact(self) -> Any:
        return LazyModule("lark_oapi.api.contact.service").ContactService(self.config)

    @functools.cached_property
    def auth(self) -> Any:
        return LazyModule("lark_oapi.api.auth.service").AuthService(self.config)

    @functools.cached_property
    def authen(self) -> Any:
        return LazyModule("lark_oapi.api.authen.service").AuthenService(self.config)

    async def arequest(self, request: Any, option: Any = None) -> Any:
        """lark.Client.arequest: a raw Open API call, the body parsed as a BaseResponse when it is JSON."""
        await preloaded()
        from lark_oapi.core.http import Transport
        from lark_oapi.core.json import JSON
        from lark_oapi.core.token import verify
        from lark_oapi.core.utils.files import Files

        option = option or lark_core.RequestOption()
        verify(self.config, request, option)
        request.files = Files.extract_files(request.body)
        raw = await Transport.aexecute(self.config, request, option)
        resp = lark_core.BaseResponse()
        if (raw.headers.get("Content-Type") or "").startswith("application/json"):
            resp = JSON.unmarshal(str(raw.content, "utf-8"), lark_core.BaseResponse)
        elif 200 <= raw.status_code < 300:
            resp.code = 0
        resp.raw = raw
        return resp


def build_client(app_id: str, app_secret: str, domain: str, timeout: float = 10.0) -> LarkClient:
    return LarkClient(app_id, app_secret, domain, timeout)


class FeishuAuth:
    """One app's tenant access token, and `call` to run an SDK method with it."""

    def __init__(self, client: LarkClient, app_id: str, app_secret: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.client, self.app_id, self._secret, self.clock = client, app_id, app_secret, clock
        self._token = ""
        self._expires = 0.0
        self._lock = asyncio.Lock()  # one fetch at a time: a burst of first calls makes one token call

    async def token(self, refresh: bool = False) -> str | Outcome:
        if self._token and not refresh and self.clock() < self._expires:
            return self._token
        stale = self._token
        async with self._lock:
            if self._token and self.clock() < self._expires and (not refresh or self._token != stale):
                return self._token  # fetched (or refreshed) by somebody else while we waited
            return await self._fetch()

    async def _fetch(self) -> str | Outcome:
        req = auth_v3.InternalTenantAccessTokenRequest.builder().request_body(
            auth_v3.InternalTenantAccessTokenRequestBody.builder().app_id(self.app_id).app_secret(self._secret).build()
        ).build()
        try:
            resp = await self.client.auth.v3.tenant_access_token.ainternal(req)
            body = json.loads(resp.raw.content)
        except httpx.TimeoutException:
            return Outcome.unavailable("vendor_timeout", remedy="remedy_retry_later")
        except (httpx.HTTPError, ValueError, OSError):
            return Outcome.unavailable(remedy="remedy_retry_later")
        if body.get("code") != 0 or not body.get("tenant_access_token"):
            if resp.raw.status_code >= 500:
                return Outcome.unavailable(remedy="remedy_retry_later")
            return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_feishu_credentials",
                           vendor_code=str(body.get("code", "")), detail=str(body.get("msg", "")))
        self._token = body["tenant_access_token"]
        # Treat it as expired 10 minutes early, as lark-oapi itself does.
        self._expires = self.clock() + max(60, int(body.get("expire", 7200)) - 600)
        return self._token

    async def call(self, method: Callable[..., Awaitable[R]], req: Any) -> R | Outcome:
        """Run one SDK call with the tenant token; refresh it once if Feishu rejects it.

        Returns the SDK response whatever its `code` (callers read it), or an Outcome when no
        answer could be had (network, unparseable body, credentials).
        """
        for attempt in (0, 1):
            token = await self.token(refresh=attempt == 1)
            if isinstance(token, Outcome):
                return token
            option = lark_core.RequestOption.builder().tenant_access_token(token).build()
            try:
                async with outside():  # a request's turn is lent while Feishu answers (bot/core/request/admission.py)
                    resp: Any = await method(req, option)
            except httpx.TimeoutException:
                return Outcome.unavailable("vendor_timeout", remedy="remedy_retry_later")
            except (httpx.HTTPError, OSError):
                return Outcome.unavailable(remedy="remedy_retry_later")
            except (ValueError, TypeError, AttributeError, lark_errors.UnmarshalException):
                # An HTML error page or truncated JSON (ValueError), fields of the wrong shape
                # (UnmarshalException), a body that is no JSON object (AttributeError).
                return Outcome.unavailable(remedy="remedy_retry_later", detail="unparseable response")
            if resp.code in TOKEN_INVALID and attempt == 0:
                continue
            return resp
        return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_feishu_credentials")
