"""lark-oapi's event dispatch for the events hostbot subscribes to, without the SDK's dispatcher module.

`lark_oapi.event.dispatcher_handler` imports the event processors of 24 Open API services (~4.7 s and
~70 MB on this machine), for a webhook that receives messages and card clicks. `EventDispatch` does
what `EventDispatcherHandler.do` (lark-oapi 1.7.5) does for them, with the SDK's own parts (AESCipher,
EventContext, JSON.unmarshal into the SDK's event models): decrypt, answer url_verification, compare
the verification token, check X-Lark-Signature, unmarshal, call back. Its answers have the same
shape (200 + the callback's result, or 500 + `{"msg": ...}`; "processor not found, type: …" for an
event type nobody registered), and the long connection's client calls `_do_without_validation` on it
as it would on the SDK's handler.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from bot.lark_lazy import LazyModule
from bot.wire import lark_signature

log = logging.getLogger(__name__)

lark_core = LazyModule("lark_oapi.core.model")
lark_json = LazyModule("lark_oapi.core.json")
lark_utils = LazyModule("lark_oapi.core.utils")
lark_context = LazyModule("lark_oapi.event.context")
MESSAGE, CARD, MENU = "p2.im.message.receive_v1", "p2.card.action.trigger", "p2.application.bot.menu_v6"
# Tenant-wide meeting events (scope vc:meeting.all_meeting:readonly): the index of running meetings.
MEETING_STARTED, MEETING_ENDED = "p2.vc.meeting.all_meeting_started_v1", "p2.vc.meeting.all_meeting_ended_v1"
EVENT_MODELS = {MESSAGE: ("lark_oapi.api.im.v1.model.p2_im_message_receive_v1", "P2ImMessageReceiveV1"),
                CARD: ("lark_oapi.event.callback.model.p2_card_action_trigger", "P2CardActionTrigger"),
                MENU: ("lark_oapi.api.application.v6.model.p2_application_bot_menu_v6", "P2ApplicationBotMenuV6"),
                MEETING_STARTED: ("lark_oapi.api.vc.v1.model.p2_vc_meeting_all_meeting_started_v1",
                                  "P2VcMeetingAllMeetingStartedV1"),
                MEETING_ENDED: ("lark_oapi.api.vc.v1.model.p2_vc_meeting_all_meeting_ended_v1",
                                "P2VcMeetingAllMeetingEndedV1")}


class EventRefused(Exception):
    """A delivery that fails the SDK's checks (token, signature, missing key); its text is the answer's msg."""


class EventDispatch:
    """Message, card-click, bot-menu and meeting started/ended callbacks, called the way lark-oapi's
    EventDispatcherHandler calls them."""

    def __init__(self, encrypt_key: str, verification_token: str, on_message: Callable[[Any], None],
                 on_card: Callable[[Any], Any], on_menu: Callable[[Any], None] | None = None,
                 on_meeting: Callable[[Any], None] | None = None) -> None:
        self.encrypt_key, self.verification_token = encrypt_key, verification_token
        self.callbacks: dict[str, Callable[[Any], Any]] = {MESSAGE: on_message, CARD: on_card}
        if on_menu is not None:
            self.callbacks[MENU] = on_menu
        if on_meeting is not None:  # one callback for both: the model's header says which
            self.callbacks[MEETING_STARTED] = self.callbacks[MEETING_ENDED] = on_meeting

    def do(self, req: Any) -> Any:
        """A webhook delivery (an SDK RawRequest) -> the SDK RawResponse to send back."""
        resp = lark_core.RawResponse()
        resp.status_code = 200
        resp.set_content_type("application/json; charset=utf-8")
        try:
            if req.body is None:
                raise EventRefused("request body is null")
            plaintext = self._decrypt(req.body)
            context = _context(plaintext)
            # As the SDK does: with an encrypt key, a token is compared when the body carries one
            # (the adapter insists on it for webhooks) and always for url_verification.
            if self.verification_token and (not self.encrypt_key or context.type == "url_verification"
                                            or context.token is not None):
                _same_or_refuse(context.token, self.verification_token, "invalid verification_token")
            if context.type == "url_verification":
                resp.content = json.dumps({"challenge": context.challenge}).encode("utf-8")
                return resp
            self._verify_sign(req)
            result = self._dispatch(context, plaintext)
            resp.content = (lark_json.JSON.marshal(result) if context.key == CARD else '{"msg":"success"}').encode()
        except Exception as exc:  # the SDK's contract: any failure is a 500 whose msg says why
            if not isinstance(exc, EventRefused):
                log.debug("feishu: event failed", exc_info=True)
            resp.status_code = 500
            resp.content = json.dumps({"msg": str(exc)}).encode("utf-8")
        return resp

    def _do_without_validation(self, payload: bytes) -> Any:
        """A long-connection frame's payload (already authenticated by the session) -> the callback's result."""
        plaintext = payload.decode("utf-8")
        return self._dispatch(_context(plaintext), plaintext)

    def _dispatch(self, context: Any, plaintext: str) -> Any:
        callback = self.callbacks.get(context.key)
        if callback is None:
            raise EventRefused(f"processor not found, type: {context.type}")
        module, name = EVENT_MODELS[context.key]
        return callback(lark_json.JSON.unmarshal(plaintext, getattr(LazyModule(module), name)))

    def _decrypt(self, content: bytes) -> str:
        encrypt = json.loads(content).get("encrypt")
        if not encrypt:
            return content.decode("utf-8")
        if not self.encrypt_key:
            raise EventRefused("encrypt_key not found")
        return str(lark_utils.AESCipher(self.encrypt_key).decrypt_str(encrypt))

    def _verify_sign(self, req: Any) -> None:
        if not self.encrypt_key:
            return
        headers = req.headers
        stamp, nonce = headers.get("X-Lark-Request-Timestamp") or "", headers.get("X-Lark-Request-Nonce") or ""
        expected = lark_signature(stamp, nonce, self.encrypt_key, req.body)
        _same_or_refuse(headers.get("X-Lark-Signature"), expected, "signature verification failed")


def _context(plaintext: str) -> Any:
    """The SDK's EventContext of a delivery, with `type`, `token` and `key` ("p2.<type>") filled in."""
    context = lark_json.JSON.unmarshal(plaintext, lark_context.EventContext)
    if context.schema:  # a v2 event
        context.schema, context.type, context.token = "p2", context.header.event_type, context.header.token
    elif context.uuid:  # a v1 event
        context.schema, context.type = "p1", context.event.get("type")
    context.key = f"{context.schema}.{context.type}"
    return context


def _same_or_refuse(given: Any, expected: str, why: str) -> None:
    if not (isinstance(given, str) and given and hmac.compare_digest(given.encode(), expected.encode())):
        raise EventRefused(why)
