"""Feishu (Lark) adapter on lark-oapi: messages, @mentions, card clicks, replies in thread.

Two ways in, one event path (vendor-notes §A):
- webhook: POST /feishu/events is authenticated first on the raw bytes (bot/adapters/feishu/transport/webhook.py:
  both keys configured, timestamp within 5 minutes, nonce, X-Lark-Signature), then goes through
  EventDispatch (bot/adapters/feishu/transport/events.py, lark-oapi's dispatch for our two events), which
  decrypts the body, answers url_verification and checks the verification token (header lookup is
  case-sensitive, so the canonical X-Lark-* names are passed). Refusals are 401. hostbot's public URL
  is HOSTBOT_PUBLIC_URL, never a request's Host.
- long connection (FEISHU_MODE=ws, bot/adapters/feishu/transport/ws.py): lark.ws.Client in its own thread.
Either way the SDK calls our callbacks in a thread that is not the main loop's (`do` runs in a
worker thread), and they hand the work to the main loop (transport/handoff.py): a message
is acknowledged at once and handled after; a card click waits up to CARD_ANSWER_S for the
dispatcher, so that Feishu gets its answer (toast + the card without live buttons) well within 3 s
while any slower vendor work continues and reports in the thread.

On the loop, each callback reads its payload into a core event and hands it to the adapters' pipeline
(bot/adapters/pipeline.py), which admits a delivery once: Feishu re-pushes an unanswered event, even
under a new event_id, so a message is keyed by event_id and message_id, a click by its event_id (its
proposal then claimed atomically). Replies go in thread with a `uuid` derived from what they answer: a
retried send is not posted twice. Sending lives in outbound.py (FeishuOutlet; progress: one card
PATCHed into the answer); a bot menu click (menu.py) is answered like the line its key stands for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
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
from bot.adapters.feishu.inbound import BotIdentity, feishu_lang, mention_from_event, reply_uuid
from bot.adapters.feishu.meetings import meeting_events
from bot.adapters.feishu.menu import MenuEvent, menu_message
from bot.adapters.feishu.outbound import DirectOutlet, FeishuOutlet, FeishuProgress, Sender, send_in_thread
from bot.adapters.feishu.people.oauth import PENDING_REQUEST, Authorization, FeishuOAuth
from bot.adapters.feishu.transport.events import EventDispatch
from bot.adapters.feishu.transport.handoff import HandOff
from bot.adapters.feishu.transport.webhook import CANONICAL_HEADERS, refusal, sdk_message
from bot.adapters.limits import too_long
from bot.adapters.markup import feishu_inbound
from bot.adapters.pipeline import Pipeline
from bot.config import Settings
from bot.core.flow.dispatch import Dispatcher
from bot.core.model.events import ButtonClick, ChatMessage, Platform, Reply, neutral_mention
from bot.core.model.outcome import Outcome
from bot.core.model.vendor import MeetingRef
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
        self.pipeline = Pipeline(dispatcher)  # size → delivery key → dispatch → send (bot/adapters/pipeline.py)
        self.store = store
        self.oauth = oauth
        self.clock = clock
        # The app's one Feishu client and tenant-token cache (bot/app.py), shared with the vendor.
        self.auth = auth or FeishuAuth(build_client(settings.feishu_app_id, settings.feishu_app_secret,
                                                    settings.feishu_domain, timeout),
                                       settings.feishu_app_id, settings.feishu_app_secret)
        self.client = self.auth.client
        self.handoff = HandOff()  # SDK threads -> the main loop, and a bounded drain (transport/handoff.py)
        self.handler = self.event_handler(settings.feishu_encrypt_key, settings.feishu_verification_token)
        adopt_sdk_logger(SDK_OWN_HANDLERS)  # lark-oapi's stdout handler -> hostbot's format and scrubbing
        self.sleep: Callable[[float], Coroutine[Any, Any, None]] = asyncio.sleep
        self.sender = Sender(self.auth, lambda: self.sleep)
        self.bot_identity = BotIdentity(self.auth, lambda: self.client)

    def event_handler(self, encrypt_key: str, verification_token: str) -> EventDispatch:
        """The SDK's dispatch with our callbacks (the long connection builds one with no keys)."""
        return EventDispatch(encrypt_key, verification_token, self._message_from_sdk, self._card_from_sdk,
                             self._menu_from_sdk, meeting_events(self._check_token, self.handoff.submit, self.store))

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
        self.handoff.bind()

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
        self.handoff.submit(self.on_message(data))  # acknowledged now; handled on the main loop

    def _menu_from_sdk(self, data: MenuEvent) -> None:
        self._check_token(data.header.token if data.header else None)
        self.handoff.submit(self.on_menu(data))

    def _card_from_sdk(self, data: P2CardActionTrigger) -> Any:
        self._check_token((data.header.token if data.header else None) or getattr(data.event, "token", None))
        future = self.handoff.submit(self.on_card(data))
        try:
            answer = future.result(timeout=CARD_ANSWER_S + 1.0)
        except concurrent.futures.TimeoutError:
            answer = card_answer(t("zh", "feishu_click_working"))
        except Exception:
            log.exception("feishu: card click failed")
            answer = card_answer(t("zh", "internal_error"), "error")
        return card_model.P2CardActionTriggerResponse(answer)

    # ---- on the main loop: read the payload into a core event, hand it to the pipeline ---------
    async def on_message(self, data: P2ImMessageReceiveV1) -> None:
        event = data.event
        msg = event.message if event else None
        sender = event.sender if event else None
        if msg is None or sender is None or not msg.message_id:
            return
        if (sender.sender_type or "user") != "user":  # other apps and bots, our own replies included
            return
        bot = await self.bot_open_id()
        mentions = tuple(mention_from_event(m, bot) for m in msg.mentions or [])
        if msg.chat_type != "p2p" and not any(m.is_bot for m in mentions):
            return  # a group message not addressed to hostbot
        text = message_text(msg.message_type or "", msg.content or "")
        lang = feishu_lang(text)
        readable = msg.message_type in ("text", "post") and not too_long(text)  # else never parsed
        in_thread = readable and bool(msg.root_id) and msg.root_id != msg.message_id
        chat = ChatMessage(
            platform=Platform.FEISHU, user=sender.sender_id.open_id or "" if sender.sender_id else "",
            text=feishu_inbound(text, mentions, bot) if readable else text, channel=msg.chat_id or "",
            thread=msg.root_id or msg.message_id, message_id=msg.message_id,
            event_id=str(data.header.event_id or "") if data.header else "", lang=lang, tz=self.settings.tz,
            bot_user=bot, context_text=feishu_inbound(await self._root_text(msg.root_id), ()) if in_thread else "",
        )
        names = {str(m.key): str(m.name or "") for m in msg.mentions or [] if m.key}  # @_user_N -> who
        outlet = FeishuOutlet(self.sender, msg.message_id, lang, msg.message_id, names,
                              FeishuProgress(self.sender, msg.message_id, msg.message_id))
        text_only = None if msg.message_type in ("text", "post") else Reply(t(lang, "feishu_text_only"))
        token = PENDING_REQUEST.set(chat)  # noted for a possible OAuth resume (people/oauth.py)
        try:
            await self.pipeline.message(chat, outlet, refusal=text_only)
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
        await self.pipeline.message(chat, DirectOutlet(self.sender, chat.user, chat.lang, f"menu:{event_id}"))

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
        outlet = FeishuOutlet(self.sender, message_id or "", lang, key, progress=progress)
        # Feishu's "update" of the clicked card is this callback's answer, due within 3 s: the click is
        # admitted and dispatched here, and its replies sent now or, for slow vendor work, when it ends.
        work = asyncio.ensure_future(self.pipeline.click_replies(click, outlet.progress))
        done, _ = await asyncio.wait({work}, timeout=CARD_ANSWER_S)
        note = t(lang, "feishu_answered", label=str(value.get("label") or click.action),
                 user=neutral_mention(user or ""))
        answered = answered_card(str(value.get("text") or ""), note)
        if work not in done:  # vendor work under way: answer now, report in the thread when it ends
            self.handoff.track(self._send_later(work, outlet))
            return card_answer(t(lang, "feishu_click_working"), "info", answered)
        replies = work.result()
        if not replies:
            return card_answer(t(lang, "feishu_click_duplicate"), "info")  # a redelivered click
        if replies[0].ephemeral:  # e.g. somebody else's button: only the clicker sees why, card unchanged
            outlet.sink = None
            self.handoff.track(outlet.send([r for r in replies[1:] if not r.ephemeral]))
            return card_answer(plain(replies[0].text), "error")
        self.handoff.track(outlet.send(replies))
        return card_answer(t(lang, "feishu_click_done"), "success", answered)

    @staticmethod
    async def _send_later(work: asyncio.Future[list[Reply]], outlet: FeishuOutlet) -> None:
        await outlet.send(await work)

    # ---- OAuth: GET /feishu/oauth/callback ---------------------------------------------------
    async def handle_oauth_callback(self, request: Request) -> Response:
        if self.oauth is None:
            return HTMLResponse(oauth_page("zh", "feishu_oauth_unknown_state"), status_code=503)
        q = request.query_params
        result = await self.oauth.complete(q.get("code", ""), q.get("state", ""))
        if result.resume is not None:
            self.handoff.track(self._resume(result))
        lang = result.lang if result.state_known else browser_lang(request.headers.get("accept-language", ""))
        return HTMLResponse(oauth_page(lang, result.key, detail=result.detail), status_code=200 if result.ok else 400)

    async def _resume(self, result: Authorization) -> None:
        """The request that asked for the authorization runs again (a new delivery: its old ids are spent),
        on the meeting it was about, answering in its thread after a note that the person authorized."""
        chat = result.resume
        assert chat is not None
        note = Reply(t(chat.lang or "zh", "feishu_authorized_note", user=neutral_mention(result.subject)))
        outlet = FeishuOutlet(self.sender, result.reply_to or chat.thread, chat.lang or "zh", f"oauth:{result.state}",
                              lead=[note])
        token = PENDING_REQUEST.set(chat)
        try:
            await self.pipeline.message(chat, outlet,
                                        bound=MeetingRef("feishu", result.meeting) if result.meeting else None)
        finally:
            PENDING_REQUEST.reset(token)

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
        """Each reply in the thread of message `reply_to` (outbound.send_in_thread)."""
        await send_in_thread(self.sender, reply_to, replies, lang, key, names, progress)

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

    # ---- shutdown ----------------------------------------------------------------------------
    async def drain(self, timeout: float = 15.0) -> None:
        """Wait (bounded) until every event handed over so far and every reply it started are done."""
        await self.handoff.drain(timeout)

    async def aclose(self, timeout: float = 5.0) -> None:
        """Let work under way finish (bounded), then cancel what is left."""
        await self.handoff.aclose(timeout)
