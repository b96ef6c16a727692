"""Helpers for Feishu end-to-end tests: a bot whose lark-oapi talks to the sandbox, events pushed to it
encrypted and signed as Feishu does, and the thread read back from the sandbox's IM fake."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bot.adapters.feishu.adapter import FeishuAdapter
from bot.app import build
from bot.config import settings_from_mapping
from bot.devtools.demo import DemoWorld, seed
from bot.ops.server import Runtime, build_runtime, create_asgi
from bot.sandbox import Sandbox
from bot.sandbox.feishu.im import BOT
from bot.sandbox.feishu.vc import FeishuUser

ASK = "@_user_1 make @_user_2 host of meeting 123456789"
PUBLIC_URL = "http://hostbot.test"  # HOSTBOT_PUBLIC_URL of the bots under test (the ASGI client's base URL)


@dataclass
class FeishuWorld:
    sandbox: Sandbox
    demo: DemoWorld
    runtime: Runtime
    http: httpx.AsyncClient

    @property
    def adapter(self) -> FeishuAdapter:
        assert self.runtime.feishu is not None
        return self.runtime.feishu

    def user(self, name: str) -> FeishuUser:
        return self.demo.users[name]

    def says(self, name: str, text: str, *mentions: FeishuUser | str, chat_type: str = "group",
             root_id: str = "", msg_type: str = "text", content: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.sandbox.feishu_im.user_says(self.user(name), text, chat_type=chat_type, root_id=root_id,
                                                mentions=mentions, msg_type=msg_type, content=content)

    async def push(self, envelope: dict[str, Any], **seal: Any) -> httpx.Response:
        body, headers = self.sandbox.feishu_events.seal(envelope, **seal)
        return await self.http.post("/feishu/events", content=body, headers=headers)

    async def ask(self, name: str, text: str = ASK, *mentions: FeishuUser | str,
                  **kw: Any) -> tuple[dict[str, Any], httpx.Response]:
        """`name` says `text` (mentions default: hostbot, then alice) and Feishu pushes it to the bot."""
        msg = self.says(name, text, *(mentions or (BOT, self.user("alice"))), **kw)
        return msg, await self.push(self.sandbox.feishu_events.message(msg))

    async def click(self, name: str, card: dict[str, Any], action: str,
                    event_id: str | None = None) -> tuple[httpx.Response, dict[str, Any]]:
        """`name` presses the button `action` of hostbot's `card`; the HTTP answer and its JSON."""
        button = next(b for b in self.sandbox.feishu_im.buttons(card) if b["value"]["hostbot"] == action)
        envelope = self.sandbox.feishu_events.card_click(self.user(name), card, button["value"], event_id=event_id)
        resp = await self.push(envelope)
        return resp, resp.json() if resp.status_code == 200 else {}

    def texts(self, root_id: str) -> list[str]:
        return self.sandbox.feishu_im.texts(root_id)

    def cards(self, root_id: str) -> list[dict[str, Any]]:
        return [m for m in self.sandbox.feishu_im.thread(root_id) if m["msg_type"] == "interactive"]

    def set_host_calls(self) -> list[Any]:
        return [r.body for r in self.sandbox.recorder.all("feishu.set_host")]


@contextlib.asynccontextmanager
async def feishu_world(sandbox: Sandbox, tmp_path: Path, clock: Callable[[], datetime] | None = None,
                       **env: str) -> AsyncIterator[FeishuWorld]:
    """The demo world (you host meeting 123456789 with alice and bob) and a bot serving /feishu/events
    (on `clock`, when given)."""
    demo = seed(sandbox)
    settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "feishu.db"),
                                      "HOSTBOT_PUBLIC_URL": PUBLIC_URL, **env})
    runtime = build_runtime(settings, build(settings, clock=clock))
    runtime.feishu.sleep = _instant  # backoff between send retries: no real waiting in tests
    transport = httpx.ASGITransport(app=create_asgi(runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hostbot.test") as http:
            yield FeishuWorld(sandbox, demo, runtime, http)
    finally:
        await runtime.aclose()


@contextlib.asynccontextmanager
async def feishu_replicas(sandbox: Sandbox, db: str, count: int = 2, **env: str) -> AsyncIterator[list[FeishuWorld]]:
    """`count` bot runtimes (replicas) on one database `db` (a SQLite file or a PostgreSQL URL), each serving
    its own /feishu/events, in front of one sandbox and one demo world."""
    demo = seed(sandbox)
    settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": db, "HOSTBOT_PUBLIC_URL": PUBLIC_URL, **env})
    runtimes: list[Runtime] = []
    try:
        async with contextlib.AsyncExitStack() as stack:
            worlds = []
            for _ in range(count):
                runtimes.append(build_runtime(settings, build(settings)))
                runtimes[-1].feishu.sleep = _instant
                http = await stack.enter_async_context(httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=create_asgi(runtimes[-1])), base_url="http://hostbot.test"))
                worlds.append(FeishuWorld(sandbox, demo, runtimes[-1], http))
            yield worlds
    finally:
        for runtime in runtimes:
            await runtime.aclose()


async def _instant(seconds: float) -> None:
    return None


def card_has_buttons(card: dict[str, Any]) -> bool:
    return any(el.get("tag") == "action" for el in card.get("elements", []))


def reply_bodies(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [r.body for r in sandbox.recorder.all("feishu.im.reply")]


def first_text(texts: Sequence[str], needle: str) -> str | None:
    return next((t for t in texts if needle in t), None)


def content(message: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(message["content"]))


def card_text(message: dict[str, Any]) -> str:
    return str(content(message)["elements"][0]["text"]["content"])
