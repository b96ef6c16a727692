"""Small pieces of the Feishu adapter: the reader's language, reply uuids, mentions from an event, and
hostbot's own open_id."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from bot.adapters.markup import Mention
from bot.core.model.outcome import Outcome
from bot.vendors.feishu.auth import FeishuAuth, lark_core, lark_enum

log = logging.getLogger(__name__)

_NOT_WORDS = re.compile(r"@_user_\d+|@_all|https?://\S+|\d+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_UUID_NS = uuid.UUID("6f1c1a52-2b7e-4c55-9a55-5f0d1f3e8a11")


def feishu_lang(text: str) -> str:
    """Feishu users get Chinese by default, English when they wrote English words (and no Chinese)."""
    words = _NOT_WORDS.sub(" ", text)
    if _CJK.search(words):
        return "zh"
    return "en" if _LATIN_WORD.search(words) else "zh"


def reply_uuid(key: str, index: int) -> str:
    """A stable id (≤ 50 chars, as Feishu requires) for the index-th reply to `key`."""
    return str(uuid.uuid5(_UUID_NS, f"{key}:{index}"))


def mention_from_event(m: Any, bot_open_id: str) -> Mention:
    ids = m.id
    open_id = str((ids.open_id if ids else "") or "")
    # Ours when it is our open_id; if that could not be read, Feishu's mentioned_type says "bot"
    # (the field's values are UNCONFIRMED beyond "user"/"bot").
    is_bot = open_id == bot_open_id if bot_open_id else (m.mentioned_type or "") == "bot"
    return Mention(chat_user=open_id, name=str(m.key or ""), open_id=open_id,
                   union_id=str((ids.union_id if ids else "") or ""), is_bot=is_bot, shown=str(m.name or ""))



class BotIdentity:
    """hostbot's own open_id (GET /open-apis/bot/v3/info), read once. A burst of events arriving before the
    first answer makes one request, not one each (a lock around the read)."""

    def __init__(self, auth: FeishuAuth, client: Callable[[], Any]) -> None:
        self.auth, self.client = auth, client  # the client is built lazily by the adapter
        self._open_id = ""
        self._lock: asyncio.Lock | None = None

    async def open_id(self) -> str:
        if not self._open_id:
            self._lock = self._lock or asyncio.Lock()
            async with self._lock:
                if not self._open_id:
                    self._open_id = await self._read()
        return self._open_id

    async def _read(self) -> str:
        req = (lark_core.BaseRequest.builder().http_method(lark_enum.HttpMethod.GET).uri("/open-apis/bot/v3/info")
               .token_types({lark_enum.AccessTokenType.TENANT}).build())
        resp = await self.auth.call(self.client().arequest, req)
        if isinstance(resp, Outcome) or not resp.success():
            log.warning("feishu: could not read the bot's own open_id; relying on mentioned_type")
            return ""
        try:
            body = json.loads(resp.raw.content)
        except ValueError:
            return ""
        info = body.get("bot") or (body.get("data") or {}).get("bot") or {}
        return str(info.get("open_id") or "")
