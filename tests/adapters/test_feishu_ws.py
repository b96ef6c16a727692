"""Feishu long connection (FEISHU_MODE=ws) without the network: lark.ws.Client, in its own thread and
loop, connects to the sandbox's endpoint and WebSocket on 127.0.0.1; the events it receives reach the
dispatcher on the main loop; it reconnects, and the watchdog restarts a connection gone silent."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import lark_oapi.ws.client as ws_client
import pytest

from bot.core.answer.progress import ProgressSink
from bot.core.model.events import ChatMessage, Reply
from bot.ops.server import start_feishu_ws
from bot.sandbox import Sandbox
from bot.sandbox.feishu.im import BOT
from tests.support.feishu import ASK, FeishuWorld, card_has_buttons, feishu_world, first_text
from tests.support.slack import wait_for


@pytest.fixture
async def feishu(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FeishuWorld]:
    async with feishu_world(sandbox, tmp_path, FEISHU_MODE="ws") as world:
        yield world


async def _connect(feishu: FeishuWorld, **options: Any) -> None:
    await start_feishu_ws(feishu.runtime, **options)
    await wait_for(lambda: feishu.runtime.feishu_ws.connected)


def _push_message(feishu: FeishuWorld, text: str = ASK) -> dict[str, Any]:
    msg = feishu.says("you", text, BOT, feishu.user("alice"))
    feishu.sandbox.feishu_ws.push(feishu.sandbox.feishu_events.message(msg))
    return msg


async def test_events_arrive_in_the_clients_own_loop_and_reach_the_dispatcher_on_the_main_loop(
        feishu: FeishuWorld) -> None:
    main_thread, main_loop = threading.get_ident(), asyncio.get_running_loop()
    seen: list[tuple[int, asyncio.AbstractEventLoop]] = []
    dispatcher = feishu.runtime.bot.dispatcher
    handle = dispatcher.handle_message

    async def noting(msg: ChatMessage, progress: ProgressSink | None = None) -> list[Reply]:  # noting where it runs
        seen.append((threading.get_ident(), asyncio.get_running_loop()))
        return await handle(msg, progress)

    dispatcher.handle_message = noting  # type: ignore[method-assign]
    await _connect(feishu)
    conn = feishu.runtime.feishu_ws
    assert conn._thread is not None and conn._thread.ident != main_thread
    assert ws_client.loop is not main_loop  # the SDK's module-level loop is the client thread's own

    msg = _push_message(feishu)
    assert await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "is now host"))
    assert seen == [(main_thread, main_loop)]
    assert len(feishu.set_host_calls()) == 1
    assert feishu.sandbox.feishu_ws.connections == 1
    health = await feishu.http.get("/healthz")
    assert health.json()["checks"]["feishu_long_connection"] == "ok"


async def test_a_card_click_over_the_connection_is_answered_in_the_frame(sandbox: Sandbox, tmp_path: Path) -> None:
    async with feishu_world(sandbox, tmp_path, FEISHU_MODE="ws", HOSTBOT_CONFIRM="set_host=always") as feishu:
        await _connect(feishu)
        msg = _push_message(feishu)
        card = await wait_for(lambda: next(iter(feishu.cards(msg["message_id"])), None))
        button = next(b for b in sandbox.feishu_im.buttons(card) if b["value"]["hostbot"] == "confirm")
        frame = sandbox.feishu_ws.push(sandbox.feishu_events.card_click(feishu.user("you"), card, button["value"]))
        answer = await wait_for(lambda: sandbox.feishu_ws.answer(frame))
        assert answer["code"] == 200 and answer["data"]["toast"]["type"] in ("success", "info")
        assert not card_has_buttons(answer["data"]["card"]["data"])
        assert await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "is now host"))


async def test_the_client_reconnects_when_the_server_drops_the_connection(feishu: FeishuWorld) -> None:
    await _connect(feishu)
    feishu.sandbox.feishu_ws.drop()
    await wait_for(lambda: feishu.sandbox.feishu_ws.connections == 2, timeout=20)
    msg = _push_message(feishu)
    assert await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "is now host"))
    assert feishu.runtime.feishu_ws.restarts == 0  # the SDK's own reconnect did it


async def test_the_watchdog_restarts_a_connection_gone_silent(feishu: FeishuWorld) -> None:
    await _connect(feishu, silence_s=3.0, check_s=0.2)
    await wait_for(lambda: feishu.sandbox.feishu_ws.pings >= 1)  # pings are answered: it stays up
    feishu.sandbox.feishu_ws.go_silent()  # open, but nothing comes through any more
    msg = _push_message(feishu)  # waits in the server's queue while the connection is silent
    await wait_for(lambda: feishu.runtime.feishu_ws.restarts >= 1, timeout=20)
    await wait_for(lambda: feishu.sandbox.feishu_ws.connections == 2)
    assert await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "is now host"))
    assert len(feishu.set_host_calls()) == 1


async def test_a_client_whose_credentials_are_refused_is_retried_by_the_watchdog(feishu: FeishuWorld) -> None:
    real = feishu.sandbox.feishu.app_secret
    feishu.sandbox.feishu.app_secret = "rotated"  # the endpoint refuses us: the client thread ends
    await start_feishu_ws(feishu.runtime, check_s=0.2)
    conn = feishu.runtime.feishu_ws
    await wait_for(lambda: conn._thread is not None and not conn._thread.is_alive())
    health = await feishu.http.get("/healthz")
    assert health.status_code == 503 and health.json()["checks"]["feishu_long_connection"] == "disconnected"
    feishu.sandbox.feishu.app_secret = real  # fixed: the watchdog's next try connects
    await wait_for(lambda: conn.connected, timeout=20)
    assert conn.restarts >= 1
