"""The one HTTP server of `hostbot run`: Slack and Feishu endpoints, /healthz and /metrics.

    POST /slack/events          slash commands, events, interactivity (slack-bolt)
    POST /feishu/events         Feishu events and card callbacks (lark-oapi; bot/adapters/feishu/adapter.py)
    GET  /feishu/oauth/callback where Feishu sends people back after they authorized hostbot
    GET  /healthz               store, handover scheduler (and connections, when used) -> 200 or 503
    GET  /metrics               Prometheus text format
Socket Mode (SLACK_APP_TOKEN) runs beside the server on the same event loop; the Feishu long
connection (FEISHU_MODE=ws) in its own thread, handing events to this loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import intents, lark_lazy
from bot.adapters.slack.adapter import KeptOpenClient, SlackAdapter
from bot.app import HostBot, build
from bot.config import ConfigError, Settings
from bot.lark_lazy import preloaded
from bot.ops import heap
from bot.ops.limits import BodyLimit
from bot.telemetry.metrics import Metrics

log = logging.getLogger(__name__)

HEALTH_MAX_AGE_S = 0.5  # /healthz may report the database's answer of at most this long ago (and asks again)


@dataclass
class Runtime:
    """Everything `hostbot run` serves, built from settings."""

    bot: HostBot
    slack: SlackAdapter | None = None
    socket_mode: Any = None  # AsyncSocketModeHandler when SLACK_APP_TOKEN is set
    feishu: Any = None  # FeishuAdapter when Feishu is configured (lark-oapi is imported only then)
    feishu_ws: Any = None  # FeishuLongConnection when FEISHU_MODE=ws
    closed: bool = False

    @property
    def metrics(self) -> Metrics:
        return self.bot.services.metrics  # built with the bot (bot/app.py): adapters and vendors count into it

    async def aclose(self) -> None:
        """Shut down in order, safe to call twice (lifespan shutdown, then serve's finally): stop taking
        events (Socket Mode, the long connection; uvicorn has already closed its socket), let the work
        already acknowledged finish — its vendor call, audit row and reply — for at most
        HOSTBOT_SHUTDOWN_GRACE_S, and only then stop the timer and close the store."""
        if self.closed:
            return
        self.closed = True
        if self.feishu_ws is not None:
            await self.feishu_ws.stop()
        if self.socket_mode is not None:
            await self.socket_mode.close_async()
        grace = self.bot.services.settings.shutdown_grace_s
        started = time.monotonic()
        if self.slack is not None:
            left = await self.slack.inflight.drain(grace)
            if left:
                log.warning("shutdown: %d Slack request(s) still running after %.0f s; stopping anyway", left, grace)
        if self.feishu is not None:
            await self.feishu.aclose(timeout=max(0.0, grace - (time.monotonic() - started)))
        await self.bot.aclose()


def build_runtime(settings: Settings, bot: HostBot | None = None) -> Runtime:
    bot = bot or build(settings)
    slack = None
    if settings.slack_bot_token:
        slack = SlackAdapter(settings, bot.dispatcher, bot.services.store, client=bot.clients.slack)
        if isinstance(slack.client, KeptOpenClient):  # a server: one Slack session kept open, closed by bot.aclose
            slack.client.keep_open = True
        bot.scheduler.attach("slack", slack)  # scheduled handovers post their reminders and reports here
    feishu = None
    if settings.feishu_configured:
        from bot.adapters.feishu.adapter import FeishuAdapter

        # The user tokens the Feishu vendor acts with, built by bot/app.py: the OAuth callback completes them.
        feishu = FeishuAdapter(settings, bot.dispatcher, bot.services.store, oauth=bot.clients.feishu_oauth,
                               auth=bot.clients.feishu)
        bot.scheduler.attach("feishu", feishu)
    return Runtime(bot=bot, slack=slack, feishu=feishu)


def create_asgi(runtime: Runtime, close_on_shutdown: bool = False) -> Starlette:
    """The ASGI app. With close_on_shutdown, the runtime closes in the lifespan shutdown: uvicorn
    re-raises SIGTERM/SIGINT after its own shutdown, so code after `server.serve()` never runs then."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if close_on_shutdown:
            await runtime.aclose()

    async def slack_events(request: Request) -> Response:
        if runtime.slack is None:
            return JSONResponse({"error": "Slack is not configured (SLACK_BOT_TOKEN)"}, status_code=503)
        return await runtime.slack.handle_http(request)

    async def feishu_events(request: Request) -> Response:
        if runtime.feishu is None:
            return JSONResponse({"msg": "Feishu is not configured (FEISHU_APP_ID, FEISHU_APP_SECRET)"}, status_code=503)
        await preloaded()  # lark-oapi's modules, when a preload runs (load_feishu_sdk; bot/lark_lazy.py)
        return await runtime.feishu.handle_http(request)

    async def feishu_oauth(request: Request) -> Response:
        if runtime.feishu is None:
            return JSONResponse({"msg": "Feishu is not configured (FEISHU_APP_ID, FEISHU_APP_SECRET)"}, status_code=503)
        await preloaded()
        prepare = getattr(runtime.bot.services.store.vault, "prepare", None)
        if prepare is not None:  # the callback seals the person's token: its scrypt key, off the loop (once)
            await asyncio.to_thread(prepare)
        return await runtime.feishu.handle_oauth_callback(request)

    async def healthz(request: Request) -> Response:
        checks = await health_checks(runtime)
        healthy = all(v == "ok" for v in checks.values())
        store = runtime.bot.services.store
        return JSONResponse({"ok": healthy, "checks": checks, "store": {"kind": store.kind, "at": store.describe()}},
                            status_code=200 if healthy else 503)

    async def metrics(request: Request) -> Response:
        await runtime.metrics.refresh()
        return Response(runtime.metrics.render(), media_type=runtime.metrics.content_type)

    return Starlette(lifespan=lifespan, middleware=[Middleware(BodyLimit)], routes=[
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/feishu/events", feishu_events, methods=["POST"]),
        Route("/feishu/oauth/callback", feishu_oauth, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ])


async def health_checks(runtime: Runtime) -> dict[str, str]:
    """What GET /healthz reports: {"store": "ok" | "error: …", "scheduler": …, connections in use: …}."""
    checks: dict[str, str] = {}
    try:
        # the load balancer's check: a replica that cannot reach the database is out. An answer the database
        # gave at most HEALTH_MAX_AGE_S ago will do (PostgreSQL: bot/store/postgres/ping.py; issue 27)
        await runtime.bot.services.store.ping(max_age=HEALTH_MAX_AGE_S)
        checks["store"] = "ok"
    except Exception as err:
        checks["store"] = f"error: {type(err).__name__}"
    if runtime.bot.scheduler.started:
        checks["scheduler"] = "ok" if runtime.bot.scheduler.running else "stopped"
    if runtime.socket_mode is not None:
        checks["slack_socket_mode"] = "ok" if await runtime.socket_mode.client.is_connected() else "disconnected"
    if runtime.feishu_ws is not None:
        checks["feishu_long_connection"] = "ok" if runtime.feishu_ws.connected else "disconnected"
    return checks


async def start_socket_mode(runtime: Runtime, app_token: str) -> None:
    """Connect Slack Socket Mode (aiohttp client on this loop); events then flow without a public URL."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    if runtime.slack is None:
        raise RuntimeError("SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not")
    runtime.socket_mode = AsyncSocketModeHandler(runtime.slack.app, app_token,
                                                 web_client=runtime.slack.client)
    await runtime.socket_mode.connect_async()
    log.info("slack: socket mode connected")


async def start_feishu_ws(runtime: Runtime, **options: Any) -> None:
    """Open the Feishu long connection (its own thread and loop); events then reach this loop."""
    from bot.adapters.feishu.transport.ws import FeishuLongConnection

    if runtime.feishu is None:
        raise RuntimeError("FEISHU_MODE=ws needs FEISHU_APP_ID and FEISHU_APP_SECRET")
    runtime.feishu_ws = FeishuLongConnection(runtime.feishu, **options)
    await runtime.feishu_ws.start()
    log.info("feishu: long connection started")


def inbound_ways(s: Settings) -> list[str]:
    """How chat events can reach this process with these settings (empty: it would serve nothing)."""
    ways = []
    if s.slack_bot_token and s.slack_signing_secret:
        ways.append("Slack HTTP")
    if s.slack_bot_token and s.slack_app_token:
        ways.append("Slack Socket Mode")
    if s.feishu_configured and s.feishu_mode == "webhook" and s.feishu_encrypt_key and s.feishu_verification_token:
        ways.append("Feishu webhook")
    if s.feishu_configured and s.feishu_mode == "ws":
        ways.append("Feishu long connection")
    return ways


async def announce(server: uvicorn.Server, ways: list[str]) -> None:
    """One line once the socket is bound: where hostbot listens and what arrives there."""
    while not server.started:
        await asyncio.sleep(0.05)
    for listener in server.servers:
        for sock in listener.sockets or ():
            host, port = sock.getsockname()[:2]
            shown = f"[{host}]" if ":" in str(host) else host
            log.info("listening on http://%s:%s (%s; /healthz, /metrics)", shown, port, ", ".join(ways))


class Listening(uvicorn.Server):
    """uvicorn's server that, once its socket listens, resumes the garbage collector `hostbot run` paused for
    start-up (what start-up built is frozen: bot/ops/heap.py), and loads in threads what requests need and
    readiness does not: the intent grammar (bot.intents.preload; the dispatcher awaits bot.intents.ready;
    frozen too once loaded) and the vendors' TLS context (bot/vendors/http.tls_context, mostly outside the
    GIL). /healthz answers meanwhile."""

    def __init__(self, config: uvicorn.Config, runtime: Runtime) -> None:
        super().__init__(config)
        self.runtime = runtime

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if not self.started:
            return
        heap.settle()
        loading = intents.preload()
        loop = asyncio.get_running_loop()
        if loading is not None:
            loop.run_in_executor(None, _settle_after, loading)
        if self.runtime.bot.services.vendors:  # a vendor's first call would otherwise load it on the event loop
            from bot.vendors.http import tls_context

            loop.run_in_executor(None, tls_context)


def _settle_after(loading: threading.Thread) -> None:
    loading.join()
    heap.settle()  # the grammar lives as long as the process too


async def serve(settings: Settings, host: str = "0.0.0.0") -> None:
    """`hostbot run`: build everything, start Socket Mode if configured, serve HTTP until stopped."""
    ways = inbound_ways(settings)
    if not ways:
        raise ConfigError("no chat platform is configured, so nothing would reach hostbot: set SLACK_BOT_TOKEN with "
                          "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or FEISHU_APP_ID and FEISHU_APP_SECRET with "
                          "FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN (or FEISHU_MODE=ws); see .env.example")
    runtime = await asyncio.to_thread(build_runtime, settings)  # opening the store is blocking work
    await runtime.bot.start()
    if settings.slack_app_token:
        await start_socket_mode(runtime, settings.slack_app_token)
    if settings.feishu_mode == "ws":
        await start_feishu_ws(runtime)
    config = uvicorn.Config(create_asgi(runtime, close_on_shutdown=True), host=host, port=settings.port,
                            log_level="warning", access_log=False)
    server = Listening(config, runtime)
    told = asyncio.create_task(announce(server, ways))
    loaded = asyncio.create_task(load_feishu_sdk(server, runtime)) if runtime.feishu is not None else None
    try:
        await server.serve()
    finally:
        told.cancel()
        if loaded is not None:
            loaded.cancel()
        await runtime.aclose()


def feishu_warm_up(runtime: Runtime) -> tuple[str, ...]:
    """What the Feishu side needs before its first request (bot/lark_lazy.py), and after it the token vault's
    scrypt key (~0.1 s of CPU, bot/store/vault.py), all in one worker thread: only Feishu stores user tokens."""
    from bot.vendors.feishu.auth import SDK_MODULES

    prepare = getattr(runtime.bot.services.store.vault, "prepare", None)
    steps = (prepare,) if prepare is not None else ()
    lark_lazy.on_first_need(SDK_MODULES, (*steps, heap.settle, lambda: log.info("lark-oapi modules loaded")))
    return SDK_MODULES


async def load_feishu_sdk(server: uvicorn.Server, runtime: Runtime) -> None:
    """lark-oapi's modules: imported in a worker thread at the first Feishu event or call (webhook mode: a bot
    without Feishu traffic never holds them), or once the server listens with the long connection (its events
    come through lark-oapi's own client). Meanwhile every Feishu path waits for it rather than import lark-oapi
    beside it: two threads in its circular imports can leave one with a partially initialized module."""
    feishu_warm_up(runtime)
    if runtime.feishu_ws is not None:
        while not server.started:
            await asyncio.sleep(0.05)
        await lark_lazy.preloaded()


def run(settings: Settings, host: str = "0.0.0.0") -> None:
    asyncio.run(serve(settings, host))
