"""Fake Feishu long connection: the endpoint lark.ws.Client asks for, and the WebSocket it opens.

    POST /callback/ws/endpoint   {"AppID","AppSecret"} -> {"code":0,"data":{"URL","ClientConfig"}}
    WS   /feishu-ws              protobuf `Frame`s (lark_oapi.ws.pb.pbbp2_pb2), as the SDK speaks them:
                                 CONTROL ping -> pong; DATA frames carry events (headers type=event,
                                 message_id, trace_id, sum=1, seq=0; payload = the event JSON, plain:
                                 the connection is authenticated, nothing is encrypted or signed) and
                                 the client's answer comes back on the same message_id
                                 ({"code":200,"data":<base64 JSON>} — a card callback's answer).
Tests push events (`push`), read answers (`answer`), drop the connection (`drop`: the client must
reconnect) or make it go silent (`go_silent`: no pongs, no events — the watchdog must notice).
ClientConfig is fast by default (reconnect at once, ping every second) so tests do not wait.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import queue
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lark_oapi.ws.pb.pbbp2_pb2 import Frame
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.sandbox.base import FakeBase

if TYPE_CHECKING:
    from bot.sandbox.feishu.vc import FeishuFake

WS_PATH = "/feishu-ws"
CONTROL, DATA = 0, 1
SERVICE_ID = 7


@dataclass
class _Connection:
    number: int
    silent: bool = False
    dropped: bool = False


class FeishuWsFake(FakeBase):
    def __init__(self, feishu: FeishuFake, *args: Any) -> None:
        super().__init__(*args)
        self.feishu = feishu
        self.ping_interval = 1
        self.reconnect_interval = 1
        self.reconnect_nonce = 0
        self.connections = 0
        self.pings = 0
        self._answers: dict[str, dict[str, Any]] = {}
        self._outbox: queue.Queue[bytes] = queue.Queue()
        self._current: _Connection | None = None
        self._lock = threading.Lock()

    # ---- what tests do ---------------------------------------------------------------------
    def push(self, envelope: dict[str, Any]) -> str:
        """Send one event (an envelope as Feishu builds it) to the connected client; its message_id."""
        message_id = secrets.token_hex(8)
        frame = Frame(SeqID=0, LogID=0, service=SERVICE_ID, method=DATA)
        for key, value in (("type", "event"), ("message_id", message_id), ("trace_id", secrets.token_hex(8)),
                           ("sum", "1"), ("seq", "0")):
            header = frame.headers.add()
            header.key, header.value = key, value
        frame.payload = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        self._outbox.put(frame.SerializeToString())
        return message_id

    def answer(self, message_id: str) -> dict[str, Any] | None:
        """The client's answer to a pushed event ({"code": 200, "data": {...}} decoded), once it came."""
        with self._lock:
            raw = self._answers.get(message_id)
        if raw is None:
            return None
        data = raw.get("data")
        decoded = json.loads(base64.b64decode(data)) if isinstance(data, str) and data else None
        return {"code": raw.get("code"), "data": decoded}

    def drop(self) -> None:
        """Close the current connection from the server side (the client should reconnect)."""
        with self._lock:
            if self._current is not None:
                self._current.dropped = True

    def go_silent(self) -> None:
        """The current connection stays open but nothing comes through it any more (half-open TCP)."""
        with self._lock:
            if self._current is not None:
                self._current.silent = True

    # ---- server side -------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/callback/ws/endpoint", self.endpoint("feishu.ws.endpoint", self._endpoint), methods=["POST"]),
            WebSocketRoute(WS_PATH, self._socket),
        ]

    async def _endpoint(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict) or body.get("AppID") != self.feishu.app_id \
                or body.get("AppSecret") != self.feishu.app_secret:
            return JSONResponse({"code": 514, "msg": "auth failed"})
        url = f"ws://{request.url.netloc}{WS_PATH}?device_id={secrets.token_hex(6)}&service_id={SERVICE_ID}"
        return JSONResponse({"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": {
            "ReconnectCount": -1, "ReconnectInterval": self.reconnect_interval,
            "ReconnectNonce": self.reconnect_nonce, "PingInterval": self.ping_interval}}})

    async def _socket(self, ws: WebSocket) -> None:
        await ws.accept()
        with self._lock:
            self.connections += 1
            conn = self._current = _Connection(self.connections)
        sender = asyncio.create_task(self._send_loop(ws, conn))
        try:
            while not conn.dropped:
                frame = Frame()
                frame.ParseFromString(await ws.receive_bytes())
                headers = {h.key: h.value for h in frame.headers}
                if frame.method == CONTROL and headers.get("type") == "ping":
                    with self._lock:
                        self.pings += 1
                    if not conn.silent:
                        pong = Frame(SeqID=0, LogID=0, service=frame.service, method=CONTROL)
                        header = pong.headers.add()
                        header.key, header.value = "type", "pong"
                        await ws.send_bytes(pong.SerializeToString())
                elif frame.method == DATA and "message_id" in headers:
                    with self._lock:
                        self._answers[headers["message_id"]] = json.loads(frame.payload or b"{}")
        except (WebSocketDisconnect, RuntimeError, KeyError, ValueError):
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _send_loop(self, ws: WebSocket, conn: _Connection) -> None:
        while True:
            if conn.dropped:
                with contextlib.suppress(RuntimeError):
                    await ws.close()
                return
            if conn.silent or conn is not self._current:
                await asyncio.sleep(0.02)
                continue
            try:
                frame = self._outbox.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.02)
                continue
            await ws.send_bytes(frame)
