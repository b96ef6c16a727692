"""Feishu (Lark) adapter on lark-oapi: messages, @mentions, card clicks, replies in thread.

Two ways in, one event path (vendor-notes §A):
- webhook: POST /feishu/events is authenticated first on the raw bytes (bot/adapters/feishu/webhook.py:
  both keys configured, timestamp within 5 minutes, nonce, X-Lark-Signature), then goes through
  EventDispatch (bot/adapters/feishu/events.py, lark-oapi's dispatch for our two events), which
  decrypts the body, answers url_verification and checks the verification token (header lookup is
  case-sensitive, so the canonical X-Lark-* names are passed). Refusals are 401. hostbot's public URL
  is HOSTBOT_PUBLIC_URL, never a request's Host.
- long connection (FEISHU_MODE=ws, bot/adapters/feishu/ws.py): lark.ws.Client in its own thread.
Either way the SDK calls our callbacks in a thread that is not the main loop's (`do` runs in a
worker thread), and they hand the work to the main loop with run_coroutine_threadsafe: a message
is acknowledged at once and handled after; a card click waits up to CARD_ANSWER_S for the
dispatcher, so that Feishu gets its answer (toast + the card without live buttons) well within 3 s
while any slower vendor work continues and reports in the thread.

Exactly once: Feishu re-pushes an unanswered event, even under a new event_id, so the dispatcher records
event_id and message_id before any vendor call; a click, its event_id (its proposal claimed atomically).
Replies go in thread with a `uuid` derived from what they answer: a retried send is not posted twice.
Sending lives in outbound.py (progress: one card PATCHed into the answer); a bot menu click (menu.py)
is answered like the line its key stands for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import threading
import time
import uuid
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.adapters.feishu.cards import (
    VALUE_KEY,
    answered_card,
    browser_lang,
    card_answer,
    message_body,
    message_text,
    oauth_page,
    plain,
)
from bot.adapters.feishu.events import EventDispatch
from bot.adapters.feishu.inbound import BotIdentity, feishu_lang, mention_from_event, reply_uuid
from bot.adapters.feishu.meetings import meeting_events
from bot.adapters.feishu.menu import MenuEvent, menu_message
from bot.adapters.feishu.oauth import PENDING_REQUEST, Authorization, FeishuOAuth
from bot.adapters.feishu.outbound import FeishuProgress, Sender
from bot.adapters.feishu.webhook import CANONICAL_HEADERS, refusal, sdk_message
from bot.adapters.limits import too_long, too_long_reply
from bot.adapters.markup import feishu_inbound
from bot.config import Settings
from bot.core.flow.dispatch import Dispatcher
from bot.core.model.events import ButtonClick, ChatMessage, Platform, Reply, neutral_mention
from bot.core.model.outcome import Outcome
from bot.i18n import detect_lang, t
from bot.lark_lazy import LazyModule
from bot.store import AsyncStore
from bot.telemetry.logs import SDK_OWN_HANDLERS, adopt_sdk_logger, sdk_quiet
from bot.vendors.feishu.auth import FeishuAuth, build_client, lark_core

if TYPE_CHECKING:
    from lark_oapi.api.im.v1 import P2ImMessageReceiveV1
    from lark_oapi.event.callback.model.p2_card_action_trigger import P2CardActionTrigger

log = logging.getLogger(__name__)
im = LazyModule("lark_oapi.api.im.v1")  # lark-oapi, imported at first use (bot/lark_lazy.py)
card_model = LazyModule("lark_oapi.event.callback.model.p2_card_action_trigger")

CARD_ANSWER_S = 1.0  # how long a click waits for the dispatcher before answering "working on it"
# Set while a webhook request is handled: only those must carry the verification token (the long
# connection is authenticated by its own session and its events carry none).
WEBHOOK_DELIVERY: ContextVar[bool] = ContextVar("hostbot_feishu_webhook", default=False)
class FeishuAdapter:
    def __init__(self, settings: Settings, dispatcher: Dispatcher, store: AsyncStore, oauth: FeishuOAuth | None = None,
                 *, clock: Callable[[], float] = time.time, timeout: float = 10.0,
                 auth: FeishuAuth | None = None) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self.store = store
        self.oauth = oauth
        self.clock = clock
        # The app's one Feishu client and tenant-token cache (bot/app.py), shared with the vendor.
        self.auth = auth or FeishuAuth(build_client(settings.feishu_app_id, settings.feishu_app_secret,
                                                    settings.feishu_domain, timeout),
                                       settings.feishu_app_id, settings.feishu_app_secret)
        self.client = self.auth.client
        self.handler = self.event_handler(settings.feishu_encrypt_key, settings.feishu_verification_token)
        adopt_sdk_logger(SDK_OWN_HANDLERS)  # lark-oapi's stdout handler -> hostbot's format and scrubbing
        self.loop: asyncio.AbstractEventLoop | None = None  # the main loop, where all the work runs
        self._loop_thread = 0
        self.sleep: Callable[[float], Coroutine[Any, Any, None]] = asyncio.sleep
        self.sender = Sender(self.auth, lambda: self.sleep)
        self.bot_identity = BotIdentity(self.auth, lambda: self.client)
        self._tasks: set[asyncio.Future[Any]] = set()  # replies under way (main loop)
        self._handed: set[concurrent.futures.Future[Any]] = set()  # events handed over by SDK threads
        self._handed_lock = threading.Lock()

    def event_handler(self, encrypt_key: str, verification_token: str) -> EventDispatch:
        """The SDK's dispatch with our callbacks (the long connection builds one with no keys)."""
        return EventDispatch(encrypt_key, verification_token, self._message_from_sdk, self._card_from_sdk,
                             self._menu_from_sdk, meeting_events(self._check_token, self._submit, self.store))

    # ---- webhook: POST /feishu/events ------------------------------------------------------
    async def handle_http(self, request: Request) -> Response:
        key, token = self.settings.feishu_encrypt_key, self.settings.feishu_verification_token
        if not (key and token):  # start-up refuses one without the other (bot/config.py); neither: off
            return JSONResponse({"msg": "FEISHU_ENCRYPT_KEY / FEISHU_VERIFICATION_TOKEN are not set; webhook mode "
                                        "is off"}, status_code=503)
        body = await request.body()  # at most MAX_BODY bytes (bot/ops/limits.py)
        why = refusal(key, body, request.headers, self.clock())
        if why:  # checked on the raw bytes: nothing of a forged request is decrypted or parsed
            log.warning("feishu: refused a webhook request: %s", why)
            return JSONResponse({"msg": "rejected"}, status_code=401)
        raw = lark_core.RawRequest()
        raw.uri = request.url.path
        raw.body = body
        raw.headers = {CANONICAL_HEADERS.get(k.lower(), k): v for k, v in request.headers.items()}
        self.bind_loop()
        # `do` calls our callbacks synchronously; in a worker thread they can wait for the main loop.
        # (to_thread copies the context, so the callbacks see WEBHOOK_DELIVERY set.)
        marker = WEBHOOK_DELIVERY.set(True)
        try:
            with sdk_quiet():  # the SDK logs a traceback for what it refuses; the line below says it once
                resp = await asyncio.to_thread(self.handler.do, raw)
        finally:
            WEBHOOK_DELIVERY.reset(marker)
        content = resp.content or b"{}"
        if resp.status_code != 200:
            msg = sdk_message(content)
            if msg.startswith("processor not found"):  # an event type hostbot does not subscribe to
                return JSONResponse({"msg": "ignored"})
            log.warning("feishu: refused a webhook request: %s", msg[:200])
            return JSONResponse({"msg": "rejected"}, status_code=401)
        return Response(content, media_type="application/json")

    def bind_loop(self) -> None:
        """Remember the running loop as the one every event is handed to (call it on that loop)."""
        self.loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()

    # ---- SDK callbacks: called in the SDK's thread, never on the main loop -------------------
    def _check_token(self, token: str | None) -> None:
        """A webhook delivery must carry our verification token. lark-oapi compares it only when the
        body has one, so an encrypted, signed body without a token would pass: refuse it here (the
        SDK turns the exception into an error status, which handle_http answers with 401)."""
        expected = self.settings.feishu_verification_token
        if WEBHOOK_DELIVERY.get() and expected and token != expected:
            raise PermissionError("feishu: verification token missing or wrong")

    def _message_from_sdk(self, data: P2ImMessageReceiveV1) -> None:
        self._check_token(data.header.token if data.header else None)
        self._submit(self.on_message(data))  # acknowledged now; handled on the main loop

    def _menu_from_sdk(self, data: MenuEvent) -> None:
        self._check_token(data.header.token if data.header else None)
        self._submit(self.on_menu(data))

    def _card_from_sdk(self, data: P2CardActionTrigger) -> Any:
        self._check_token((data.header.token if data.header else None) or getattr(data.event, "token", None))
        future = self._submit(self.on_card(data))
        try:
            answer = future.result(timeout=CARD_ANSWER_S + 1.0)
        except concurrent.futures.TimeoutError:
            answer = card_answer(t("zh", "feishu_click_working"))
        except Exception:
            log.exception("feishu: card click failed")
            answer = card_answer(t("zh", "internal_error"), "error")
        return card_model.P2CardActionTriggerResponse(answer)

    def _submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        loop = self.loop
        if loop is None or loop.is_closed():
            coro.close()
            raise RuntimeError("feishu: no main loop to hand the event to")
        if self._loop_thread == threading.get_ident():
            coro.close()
            raise RuntimeError("feishu: an SDK callback ran on the main loop; it must run in a thread")
        # A fresh context: the work on the main loop must not inherit this thread's (the SDK's logs muted
        # while it authenticates, bot/telemetry/logs.py sdk_quiet).
        future = contextvars.Context().run(asyncio.run_coroutine_threadsafe, coro, loop)
        with self._handed_lock:
            self._handed.add(future)
        future.add_done_callback(self._handed_done)
        return future

    def _handed_done(self, future: concurrent.futures.Future[Any]) -> None:
        with self._handed_lock:
            self._handed.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("feishu: handling an event failed", exc_info=future.exception())

    # ---- on the main loop --------------------------------------------------------------------
    async def on_message(self, data: P2ImMessageReceiveV1) -> None:
        event = data.event
        msg = event.message if event else None
        sender = event.sender if event else None
        if msg is None or sender is None or not msg.message_id:
            return
        if (sender.sender_type or "user") != "user":  # other apps and bots, our own replies included
            return
        user = sender.sender_id.open_id if sender.sender_id else ""
        bot = await self.bot_open_id()
        mentions = tuple(mention_from_event(m, bot) for m in msg.mentions or [])
        if msg.chat_type != "p2p" and not any(m.is_bot for m in mentions):
            return  # a group message not addressed to hostbot
        event_id = str(data.header.event_id or "") if data.header else ""
        text = message_text(msg.message_type or "", msg.content or "")
        if msg.message_type not in ("text", "post"):
            if await self.store.first_delivery("feishu", f"message:{msg.message_id}"):
                await self.deliver(msg.message_id, [Reply(t(feishu_lang(text), "feishu_text_only"))],
                                   "zh", key=msg.message_id)
            return
        lang = feishu_lang(text)
        if too_long(text):  # never parsed (bot/adapters/limits.py)
            if await self.store.first_delivery("feishu", f"message:{msg.message_id}"):
                await self.deliver(msg.message_id, [too_long_reply(text, lang)], lang, key=msg.message_id)
            return
        in_thread = bool(msg.root_id) and msg.root_id != msg.message_id
        chat = ChatMessage(
            platform=Platform.FEISHU, user=user, text=feishu_inbound(text, mentions, bot), channel=msg.chat_id or "",
            thread=msg.root_id or msg.message_id, message_id=msg.message_id, event_id=event_id,
            lang=lang, tz=self.settings.tz, bot_user=bot,
            context_text=feishu_inbound(await self._root_text(msg.root_id or ""), ()) if in_thread else "",
        )
        progress = FeishuProgress(self.sender, msg.message_id, msg.message_id)
        replies = await self.dispatch(chat, progress)
        names = {str(m.key): str(m.name or "") for m in msg.mentions or [] if m.key}  # @_user_N -> who
        await self.deliver(msg.message_id, replies, lang, key=msg.message_id, names=names, progress=progress)

    async def dispatch(self, chat: ChatMessage, progress: FeishuProgress | None = None,
                       meeting: str = "") -> list[Reply]:
        """The dispatcher, with the request noted for a possible OAuth resume (oauth.py): that runs on `meeting`."""
        token = PENDING_REQUEST.set(chat)
        try:
            if meeting:
                return await self.dispatcher.handle_bound(chat, "feishu", meeting, progress)
            return await self.dispatcher.handle_message(chat, progress)
        finally:
            PENDING_REQUEST.reset(token)

    async def on_menu(self, data: MenuEvent) -> None:
        """A bot menu item (application.bot.menu_v6): answered as if its key had been typed, in the
        person's direct chat with hostbot (the event names no chat or message to reply to)."""
        event_id = str(data.header.event_id or "") if data.header else ""
        chat = menu_message(data, event_id, self.settings.tz, await self.bot_open_id())
        if chat is None:
            log.info("feishu: a bot menu key hostbot has no meaning for was ignored")
            return
        for i, reply in enumerate(await self.dispatcher.handle_message(chat)):
            msg_type, content = message_body(reply, chat.lang)
            await self.sender.create(chat.user, "open_id", msg_type, content, reply_uuid(f"menu:{event_id}", i))

    async def on_card(self, data: P2CardActionTrigger) -> dict[str, Any]:
        """A button press: the card.action.trigger answer (toast, updated card); replies go in thread."""
        event = data.event
        value = event.action.value if event and event.action else None
        if not isinstance(value, dict) or VALUE_KEY not in value:
            return {}  # not one of hostbot's buttons
        lang = str(value.get("lang") or "zh")
        user = event.operator.open_id if event.operator else ""
        message_id = event.context.open_message_id if event.context else ""
        click = ButtonClick(
            platform=Platform.FEISHU, user=user or "", action=str(value[VALUE_KEY]),
            value=str(value.get("proposal") or ""), click_id=str(data.header.event_id or "") if data.header else "",
            channel=(event.context.open_chat_id or "") if event.context else "",
            message_id=message_id or "",  # no lang: Feishu tells no clicker's locale (dispatch uses the button's)
        )
        key = f"click:{click.click_id or uuid.uuid4()}"
        progress = FeishuProgress(self.sender, message_id or "", key)
        work = asyncio.ensure_future(self.dispatcher.handle_click(click, progress))
        done, _ = await asyncio.wait({work}, timeout=CARD_ANSWER_S)
        label = str(value.get("label") or click.action)
        note = t(lang, "feishu_answered", label=label, user=neutral_mention(user or ""))
        answered = answered_card(str(value.get("text") or ""), note)
        if work not in done:  # vendor work under way: answer now, report in the thread when it ends
            self._track(self._deliver_later(work, message_id or "", lang, key, progress))
            return card_answer(t(lang, "feishu_click_working"), "info", answered)
        replies = work.result()
        if not replies:
            return card_answer(t(lang, "feishu_click_duplicate"), "info")  # a redelivered click
        if replies[0].ephemeral:  # e.g. somebody else's button: only the clicker sees why, card unchanged
            self._track(self.deliver(message_id or "", [r for r in replies[1:] if not r.ephemeral], lang, key))
            return card_answer(plain(replies[0].text), "error")
        self._track(self.deliver(message_id or "", replies, lang, key, progress=progress))
        return card_answer(t(lang, "feishu_click_done"), "success", answered)

    async def _deliver_later(self, work: asyncio.Future[list[Reply]], reply_to: str, lang: str, key: str,
                             progress: FeishuProgress) -> None:
        await self.deliver(reply_to, await work, lang, key, progress=progress)

    # ---- OAuth: GET /feishu/oauth/callback ---------------------------------------------------
    async def handle_oauth_callback(self, request: Request) -> Response:
        if self.oauth is None:
            return HTMLResponse(oauth_page("zh", "feishu_oauth_unknown_state"), status_code=503)
        q = request.query_params
        result = await self.oauth.complete(q.get("code", ""), q.get("state", ""))
        if result.resume is not None:
            self._track(self._resume(result))
        lang = result.lang if result.state_known else browser_lang(request.headers.get("accept-language", ""))
        return HTMLResponse(oauth_page(lang, result.key, detail=result.detail), status_code=200 if result.ok else 400)

    async def _resume(self, result: Authorization) -> None:
        """The request that asked for the authorization runs again, answering in its thread."""
        chat = result.resume
        assert chat is not None
        note = Reply(t(chat.lang or "zh", "feishu_authorized_note", user=neutral_mention(result.subject)))
        replies = await self.dispatch(chat, meeting=result.meeting)
        await self.deliver(result.reply_to or chat.thread, [note, *replies], chat.lang or "zh",
                           key=f"oauth:{result.state}")

    # ---- outbound ----------------------------------------------------------------------------
    async def post(self, platform: str, channel: str, thread: str, replies: list[Reply]) -> None:
        """Notifier (bot/core/answer/progress.py): reminders and reports nobody's event is waiting for."""
        key = f"post:{uuid.uuid4()}"
        lang = detect_lang(" ".join(r.text for r in replies))
        if thread:
            await self.deliver(thread, replies, lang, key)
            return
        for i, reply in enumerate(replies):  # no thread: a new message in the chat
            msg_type, content = message_body(reply, lang)
            await self.sender.create(channel, "chat_id", msg_type, content, reply_uuid(key, i))

    async def deliver(self, reply_to: str, replies: list[Reply], lang: str, key: str,
                      names: dict[str, str] | None = None, progress: FeishuProgress | None = None) -> None:
        """Each reply in the thread of message `reply_to`; `key` + position make its uuid; `names`: who
        the `@_user_N` placeholders of `reply_to` stand for (an echo shows them as names). When long work
        showed its progress, that card becomes the first reply instead of a new message."""
        done = 0
        if progress is not None and replies and not replies[0].ephemeral:
            done = int(await progress.finish(replies[0], lang, names))
        for i, reply in enumerate(replies[done:], start=done):
            msg_type, content = message_body(reply, lang, names)
            await self.sender.reply(reply_to, msg_type, content, reply_uuid(key, i))

    async def bot_open_id(self) -> str:
        """hostbot's own open_id, to tell its @mention from people's (read once: inbound.BotIdentity)."""
        return await self.bot_identity.open_id()

    async def _root_text(self, root_id: str) -> str:
        """The thread's first message, for "this meeting" (it often holds the meeting link)."""
        if not root_id:
            return ""
        resp = await self.auth.call(self.client.im.v1.message.aget, im.GetMessageRequest.builder().message_id(root_id)
                                    .build())
        if isinstance(resp, Outcome) or not resp.success() or not resp.data or not resp.data.items:
            return ""
        item = resp.data.items[0]
        return message_text(item.msg_type or "", item.body.content if item.body else "")

    # ---- background work ---------------------------------------------------------------------
    def _track(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("feishu: background work failed", exc_info=task.exception())

    async def drain(self, timeout: float = 15.0) -> None:
        """Wait (bounded) until every event handed over so far and every reply it started are done."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            with self._handed_lock:
                pending: list[asyncio.Future[Any]] = [asyncio.wrap_future(f) for f in self._handed]
            pending += [task for task in self._tasks if not task.done()]
            if not pending:
                return
            await asyncio.wait(pending, timeout=remaining)

    async def aclose(self, timeout: float = 5.0) -> None:
        """Let work under way finish (bounded), then cancel what is left."""
        await self.drain(timeout)
        for task in list(self._tasks):
            task.cancel()

