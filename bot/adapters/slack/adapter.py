"""Slack adapter on slack-bolt's AsyncApp: /host, @mentions, DMs, buttons; HTTP or Socket Mode.

Every listener acks first and works after (Bolt sends the HTTP response as soon as ack() is
called). Each listener reads its payload into a core event and hands it to the adapters' pipeline
(bot/adapters/pipeline.py) with its delivery keys — Events API deliveries by event_id (a retry carries
X-Slack-Retry-Num and the same event_id), slash commands by trigger_id, clicks by message ts +
action_ts — and a SlackOutlet (port.py): replies go in thread; a slash command's answer starts a
visible thread ("@you asked: …"); after a click the buttons are replaced (chat.update) so they
cannot be pressed again.

Operations: a middleware stamps each request with the moment it arrived and a request id (every
log line of the work, vendor calls included, carries it); each listener observes its ack latency
(hostbot_ack_seconds). Long work shows progress as one thread message edited in place
(SlackProgress) that ends as the answer. The /host form (a modal) and the App Home tab are
bot/adapters/slack/surfaces.py, registered here before the /host listener.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.adapters.inflight import InFlight
from bot.adapters.limits import too_long
from bot.adapters.markup import slack_echo, slack_inbound
from bot.adapters.pipeline import Pipeline
from bot.adapters.slack.blocks import ACTION_PREFIX
from bot.adapters.slack.port import Clicked, Profile, SlackOutlet, SlackWeb, ThreadStarter
from bot.adapters.slack.profiles import SlackProfiles
from bot.adapters.slack.surfaces import SlackSurfaces
from bot.config import Settings
from bot.core.flow.dispatch import Dispatcher
from bot.core.identity.shared import Shared
from bot.core.model.errors import IdentityError
from bot.core.model.events import ButtonClick, ChatMessage, Platform, Reply
from bot.store import AsyncStore
from bot.telemetry.logs import request_scope

log = logging.getLogger(__name__)

PROFILE_TTL_S = 600.0
# The scopes this code needs; tests/adapters/test_slack_manifest.py checks manifest.yaml asks for exactly these.
BOT_SCOPES = ("app_mentions:read", "channels:history", "channels:read", "chat:write", "commands", "groups:history",
              "groups:read", "im:history", "usergroups:read", "users:read", "users:read.email")
BOT_EVENTS = ("app_home_opened", "app_mention", "message.im")
COMMAND = "/host"
# When the HTTP request arrived (set before Bolt verifies and routes it; Socket Mode has no such moment
# outside Bolt, so the middleware stamps those itself).
_ARRIVED: ContextVar[float] = ContextVar("hostbot_slack_arrived", default=0.0)


def signed_by_slack(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Slack's v0 signature over the body, stamped within 5 minutes (what Bolt's verification checks),
    answering False for anything malformed instead of raising."""
    stamp, sig = headers.get("x-slack-request-timestamp", ""), headers.get("x-slack-signature", "")
    if not stamp.isdigit() or not sig.isascii():
        return False
    try:
        return SignatureVerifier(secret).is_valid(body, stamp, sig)
    except ValueError:  # a body that is not UTF-8
        return False


class KeptOpenClient(AsyncWebClient):
    """slack_sdk's AsyncWebClient with one aiohttp session per event loop, kept open between calls.

    Given no session, slack_sdk opens a new `aiohttp.ClientSession` for every call and closes it after
    (web/async_internal_utils.py, _request_with_session): a new connection, with its TCP and TLS handshakes
    with slack.com, for each users.info and chat.postMessage. One session per loop (its connections belong to
    the loop that opened them; tests run several), made at the first call on that loop, closed by `aclose`.
    Only a server keeps it (`keep_open`, set by bot/ops/server.build_runtime, whose shutdown closes it): a
    command that calls Slack once and exits does as slack_sdk does, and leaves no session unclosed.
    """

    keep_open = False
    _session_loop: asyncio.AbstractEventLoop | None = None

    async def api_call(self, *args: Any, **kwargs: Any) -> Any:  # every Web API method goes through here
        loop = asyncio.get_running_loop() if self.keep_open else None
        if loop is not None and (self.session is None or self.session.closed or self._session_loop is not loop):
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._session_loop = loop
        return await super().api_call(*args, **kwargs)

    async def aclose(self) -> None:
        session, self.session = self.session, None
        if session is not None and not session.closed and self._session_loop is asyncio.get_running_loop():
            await session.close()


def build_web_client(settings: Settings) -> KeptOpenClient:
    """The one Slack Web API client of the app (bot/app.py): adapter, profiles and notifier share it."""
    return KeptOpenClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        # slack_sdk retries only connection errors by default; 429s need this handler.
        retry_handlers=[AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )


def bolt_logger() -> logging.Logger:
    """Bolt's logger, without one false warning: AsyncApp reads SLACK_BOT_TOKEN from the environment by
    itself when no token is passed, then warns at every start that the `client` we pass (built with that
    same token) wins over it. Every other Bolt message gets through."""
    from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

    logger = logging.getLogger("slack_bolt.AsyncApp")
    noise = warning_client_prioritized_and_token_skipped()
    if not any(getattr(f, "hostbot", False) for f in logger.filters):
        def drop(record: logging.LogRecord) -> bool:
            return record.getMessage() != noise

        setattr(drop, "hostbot", True)  # noqa: B010 - a mark, so a second adapter adds no second filter
        logger.addFilter(drop)
    return logger


class SlackAdapter:
    def __init__(self, settings: Settings, dispatcher: Dispatcher, store: AsyncStore,
                 client: AsyncWebClient | None = None) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self.pipeline = Pipeline(dispatcher)  # size → delivery key → dispatch → send (bot/adapters/pipeline.py)
        self.store = store
        self.client = client or build_web_client(settings)
        self.web = SlackWeb(self.client)  # every Web API call of the adapter, its outlets and surfaces
        self.app = AsyncApp(
            name="hostbot",  # without a name Bolt takes it from inspect.stack(): 30-60 ms of start-up
            client=self.client,
            signing_secret=settings.slack_signing_secret or None,
            # Bolt skips the check for Socket Mode deliveries by itself; HTTP ones are always verified
            # (401 on a forged or stale signature), and without a secret HTTP is refused (handle_http).
            request_verification_enabled=bool(settings.slack_signing_secret),
            raise_error_for_unhandled_request=False,
            logger=bolt_logger(),
        )
        self._profiles: dict[str, tuple[float, Profile]] = {}
        self._asking: Shared[Profile] = Shared()  # profiles being asked for (bot/core/identity/shared.py)
        self.inflight = InFlight()
        self._register(dispatcher)

    # ---- HTTP entry point (mounted at POST /slack/events) ----------------------------------
    async def handle_http(self, request: Request) -> Response:
        from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

        if not self.settings.slack_signing_secret:  # never accept unverifiable requests
            return JSONResponse({"error": "SLACK_SIGNING_SECRET is not set; HTTP mode is off"}, status_code=503)
        if not signed_by_slack(self.settings.slack_signing_secret, await request.body(), request.headers):
            # Bolt checks too, but some forgeries fail inside Bolt before or while it checks (a JSON body
            # that does not parse: a 500 and a traceback; a timestamp that is not a number: an error
            # logged). Checked here first, every forged or stale request gets the same quiet 401.
            return JSONResponse({"error": "invalid request"}, status_code=401)
        arrived = _ARRIVED.set(time.monotonic())
        try:
            return await AsyncSlackRequestHandler(self.app).handle(request)
        except ValueError:  # signed, yet not what its Content-Type says (JSON that does not parse)
            return JSONResponse({"error": "invalid request body"}, status_code=400)
        finally:
            _ARRIVED.reset(arrived)  # listener tasks started meanwhile keep their copy

    def _register(self, dispatcher: Dispatcher) -> None:
        self.app.middleware(self._stamp)
        # the /host form and the Home tab (before the /host listener below)
        SlackSurfaces(self, dispatcher.services).register()
        held = self.inflight.wrap  # work after the ack: a shutdown waits for it (bot/adapters/inflight.py)
        self.app.command(COMMAND)(held(self._on_command))
        self.app.event("app_mention")(held(self._on_mention))
        self.app.event("message")(held(self._on_message))
        self.app.action(re.compile(f"^{ACTION_PREFIX}"))(held(self._on_action))

    async def _stamp(self, context: Any, next: Callable[[], Awaitable[Any]]) -> Any:  # `next`: Bolt injects by name
        """Global middleware: arrival time and request id; listeners (run as tasks) inherit the id."""
        context["hostbot_arrived"] = _ARRIVED.get() or time.monotonic()
        with request_scope("slack"):
            return await next()

    def acked(self, context: Any) -> None:
        arrived = context.get("hostbot_arrived") if context is not None else None
        if arrived:
            self.dispatcher.services.metrics.ack_latency.labels("slack").observe(time.monotonic() - arrived)

    # ---- listeners: read the payload into a core event, hand it to the pipeline ------------
    async def _on_command(self, ack: Any, command: dict[str, Any], context: Any) -> None:
        await ack()
        self.acked(context)
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        key = command.get("trigger_id") or f"{channel}:{user}:{command.get('text', '')}:{time.time()}"
        text = f"{COMMAND} {command.get('text', '')}".strip()
        profile = await self.profile(user)
        bot_user = context.get("bot_user_id") or ""
        msg = ChatMessage(platform=Platform.SLACK, user=user, text=slack_inbound(text, bot_user), channel=channel,
                          lang=profile.lang, tz=profile.tz, bot_user=bot_user,
                          user_name=command.get("user_name", ""), in_channel=True)
        outlet = ThreadStarter(self.web, channel, user, profile.lang, slack_echo(text))
        await self.pipeline.message(replace(msg, text=text) if too_long(text) else msg, outlet,
                                    keys=[f"command:{key}"])

    async def _on_mention(self, ack: Any, event: dict[str, Any], body: dict[str, Any], context: Any,
                          request: AsyncBoltRequest) -> None:
        await ack()
        self.acked(context)
        await self._handle_event(event, body, context, request)

    async def _on_message(self, ack: Any, event: dict[str, Any], body: dict[str, Any], context: Any,
                          request: AsyncBoltRequest) -> None:
        await ack()
        self.acked(context)
        # Only direct messages from people; channel messages reach us as app_mention.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await self._handle_event(event, body, context, request)

    async def _handle_event(self, event: dict[str, Any], body: dict[str, Any], context: Any,
                            request: AsyncBoltRequest) -> None:
        retry = request.headers.get("x-slack-retry-num")
        if retry:  # the same event_id again: the pipeline drops it (whichever replica got the first)
            log.info("slack: redelivery %s of %s (%s)", retry, body.get("event_id"),
                     request.headers.get("x-slack-retry-reason"))
        user, channel, ts = event.get("user", ""), event.get("channel", ""), event.get("ts", "")
        thread = event.get("thread_ts") or ts
        profile = await self.profile(user)
        text = str(event.get("text", ""))
        bot_user = context.get("bot_user_id") or ""
        long = too_long(text)  # never parsed, nor its thread read (bot/adapters/pipeline.py)
        msg = ChatMessage(
            platform=Platform.SLACK, user=user, text=text if long else slack_inbound(text, bot_user), channel=channel,
            thread=thread, message_id=f"{channel}:{ts}", event_id=str(body.get("event_id", "")), lang=profile.lang,
            tz=profile.tz, bot_user=bot_user,
            context_text=slack_inbound(await self._root_text(channel, thread)) if thread != ts and not long else "",
        )
        await self.pipeline.message(msg, SlackOutlet(self.web, channel, thread, user, profile.lang))

    async def _on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        await ack()
        self.acked(context)
        user = body.get("user", {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id", "")
        message = body.get("message") or {}
        message_ts = body.get("container", {}).get("message_ts") or message.get("ts", "")
        thread = message.get("thread_ts") or message_ts
        profile = await self.profile(user)
        click = ButtonClick(
            platform=Platform.SLACK, user=user, action=action["action_id"].removeprefix(ACTION_PREFIX),
            value=action.get("value", ""), click_id=f"{message_ts}:{action.get('action_ts', '')}",
            channel=channel, thread=thread, message_id=message_ts, lang=profile.lang,
        )
        clicked = Clicked(message_ts, str(message.get("text", "")), str((action.get("text") or {}).get("text") or ""))
        await self.pipeline.click(click, SlackOutlet(self.web, channel, thread, user, profile.lang, clicked))

    # ---- outbound ----------------------------------------------------------------------
    async def post(self, platform: str, channel: str, thread: str, replies: list[Reply]) -> None:
        """Notifier (bot/core/answer/progress.py): a reminder or report nobody's event is waiting for, in its thread."""
        await self.web.deliver(channel, thread, "", replies)

    async def _root_text(self, channel: str, thread: str) -> str:
        data = await self.web.call("conversations_replies", channel=channel, ts=thread, limit=1)
        messages = (data or {}).get("messages") or []
        return str(messages[0].get("text", "")) if messages else ""

    async def profile(self, user: str) -> Profile:
        """The user's language (Slack locale: zh* -> zh, else en) and time zone, cached for a while; asked once
        for the requests of one person arriving together (a burst of commands: one users.info, not fifty)."""
        cached = self._profiles.get(user)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        return await self._asking.get(user, lambda: self._profile(user))

    async def _profile(self, user: str) -> Profile:
        profile = Profile(lang="en", tz=self.settings.tz)
        source = self.dispatcher.services.people.sources.get("slack")
        if isinstance(source, SlackProfiles):  # the one users.info per request, shared with identity
            try:
                found = await source.profile(user, remember=True)
            except IdentityError:
                found = None
            if found is not None:
                profile = Profile(lang="zh" if found.locale.lower().startswith("zh") else "en",
                                  tz=found.tz or self.settings.tz)
        self._profiles[user] = (time.monotonic() + PROFILE_TTL_S, profile)
        return profile
