"""What the Feishu adapter sends: replies in thread, new messages, card updates, and progress of long work.

    Sender.reply / create / patch    one im.v1 call each, repeated (same uuid) after a timeout, a 5xx
                                     or a 429, so a retried send is never posted twice
    FeishuProgress                   long work's progress as ONE card: sent at the first update, then
                                     PATCHed (im/v1/messages/{id}) at each update and, at the end,
                                     into the answer itself — the thread shows one message throughout

Only cards can be updated (Feishu's "update an app-sent message card": text messages cannot be
edited by PATCH), which is why progress is a card from its first update on and why the answer
that replaces it is rendered as a card too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from bot.adapters.feishu.cards import progress_card, reply_card
from bot.adapters.feishu.inbound import reply_uuid
from bot.core.model.events import Reply
from bot.core.model.outcome import Kind, Outcome
from bot.lark_lazy import LazyModule
from bot.vendors.feishu.auth import FeishuAuth

log = logging.getLogger(__name__)
im = LazyModule("lark_oapi.api.im.v1")  # lark-oapi, imported at first use (bot/lark_lazy.py)

SEND_ATTEMPTS = 3
Sleep = Callable[[float], Coroutine[Any, Any, None]]


class Sender:
    """The adapter's three ways to say something; each returns the message id Feishu gave ('' on failure)."""

    def __init__(self, auth: FeishuAuth, sleep: Callable[[], Sleep]) -> None:
        self.auth = auth
        self.sleep = sleep  # read at each wait: tests swap the adapter's sleep for an instant one

    async def reply(self, reply_to: str, msg_type: str, content: str, uuid: str) -> str:
        body = (im.ReplyMessageRequestBody.builder().content(content).msg_type(msg_type).reply_in_thread(True)
                .uuid(uuid).build())
        req = im.ReplyMessageRequest.builder().message_id(reply_to).request_body(body).build()
        return await self._send(self.auth.client.im.v1.message.areply, req, "reply")

    async def create(self, receive_id: str, id_type: str, msg_type: str, content: str, uuid: str) -> str:
        body = (im.CreateMessageRequestBody.builder().receive_id(receive_id).msg_type(msg_type).content(content)
                .uuid(uuid).build())
        req = im.CreateMessageRequest.builder().receive_id_type(id_type).request_body(body).build()
        return await self._send(self.auth.client.im.v1.message.acreate, req, "create")

    async def patch(self, message_id: str, card: dict[str, Any]) -> bool:
        """Replace the card `message_id` (one of ours) with `card`. A PATCH sets the whole content, so
        sending it again after a lost answer is harmless."""
        body = im.PatchMessageRequestBody.builder().content(json.dumps(card, ensure_ascii=False)).build()
        req = im.PatchMessageRequest.builder().message_id(message_id).request_body(body).build()
        return bool(await self._send(self.auth.client.im.v1.message.apatch, req, "patch", message_id))

    async def _send(self, method: Any, req: Any, what: str, known_id: str = "") -> str:
        for attempt in range(SEND_ATTEMPTS):
            resp = await self.auth.call(method, req)
            if isinstance(resp, Outcome):
                retry, why = resp.kind is Kind.UNAVAILABLE, resp.reason
            elif resp.success():
                return known_id or str(getattr(resp.data, "message_id", "") or "") or "sent"
            else:
                status = int(getattr(resp.raw, "status_code", 0) or 0)
                retry, why = status >= 500 or status == 429, f"code {resp.code}: {resp.msg}"
            if not retry or attempt == SEND_ATTEMPTS - 1:
                log.warning("feishu: message %s failed: %s", what, why)
                return ""
            await self.sleep()(0.5 * 2**attempt)
        return ""


class FeishuProgress:
    """Progress of long work in the thread of `reply_to` (bot/core/answer/progress.py's ProgressSink)."""

    def __init__(self, sender: Sender, reply_to: str, key: str) -> None:
        self.sender = sender
        self.reply_to = reply_to
        self.key = key  # the uuid of the progress card derives from it: a redelivery posts no second card
        self.message_id = ""  # the progress card, once sent

    async def show(self, text: str) -> None:
        card = progress_card(text)
        if self.message_id:
            await self.sender.patch(self.message_id, card)
            return
        content = json.dumps(card, ensure_ascii=False)
        self.message_id = await self.sender.reply(self.reply_to, "interactive", content,
                                                  reply_uuid(f"progress:{self.key}", 0))

    async def finish(self, reply: Reply, lang: str, names: Mapping[str, str] | None = None) -> bool:
        """The progress card becomes `reply` (with its buttons, if any); False when nothing was shown."""
        if not self.message_id:
            return False
        return await self.sender.patch(self.message_id, reply_card(reply, lang, names))
