"""Fake Slack Socket Mode: `apps.connections.open` (app-level xapp- token) and the WebSocket it names.

The fake greets with `hello`, sends the envelopes tests push (events_api, interactive,
slash_commands — the shapes Slack sends), and records each acknowledgement (`{"envelope_id"}`)
the client returns. Pushing is thread-safe: tests run in another thread than the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import secrets
import threading
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.sandbox.base import FakeBase

SOCKET_PATH = "/slack-socket"


class SocketModeFake(FakeBase):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.app_token = f"xapp-1-A0SANDBOX-{secrets.token_hex(10)}"
        self.acks: list[dict[str, Any]] = []
        self.connections = 0
        self._outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/api/apps.connections.open", self.endpoint("slack.apps.connections.open", self._open),
                  methods=["POST"]),
            WebSocketRoute(SOCKET_PATH, self._socket),
        ]

    # ---- what tests do ---------------------------------------------------------------------
    def push(self, kind: str, payload: dict[str, Any], retry_attempt: int = 0) -> str:
        """Queue one envelope (kind: events_api | interactive | slash_commands); returns its envelope_id."""
        envelope_id = secrets.token_hex(8)
        self._outbox.put({"envelope_id": envelope_id, "type": kind, "payload": payload,
                          "accepts_response_payload": kind != "events_api",
                          "retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt else ""})
        return envelope_id

    def acked(self, envelope_id: str) -> bool:
        with self._lock:
            return any(a.get("envelope_id") == envelope_id for a in self.acks)

    # ---- server side -------------------------------------------------------------------------
    async def _open(self, request: Request, body: Any) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if token != self.app_token:
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        return JSONResponse({"ok": True, "url": f"ws://{request.url.netloc}{SOCKET_PATH}?ticket={secrets.token_hex(4)}"})

    async def _socket(self, ws: WebSocket) -> None:
        await ws.accept()
        with self._lock:
            self.connections += 1
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "sandbox", "approximate_connection_time": 3600},
                            "connection_info": {"app_id": "A0SANDBOX"}})
        sender = asyncio.create_task(self._send_loop(ws))
        try:
            while True:
                message = await ws.receive_json()
                with self._lock:
                    self.acks.append({**message, "at": time.time()})
        except (WebSocketDisconnect, RuntimeError, ValueError):
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _send_loop(self, ws: WebSocket) -> None:
        while True:
            try:
                envelope = self._outbox.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.02)
                continue
            await ws.send_json(envelope)
