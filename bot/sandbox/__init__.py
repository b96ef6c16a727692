"""The sandbox: stateful loopback fakes of the vendors hostbot talks to, behind one HTTP server.

Used by `hostbot demo`, by the tests (SDKs pointed at it over 127.0.0.1) and by `hostbot sandbox`
for a real-mode bot. Each fake answers the vendor's real paths, codes and bodies, records every
request and can be told to misbehave (see faults.py). A small control API under /_sandbox/ lets a
process that did not start the sandbox inspect and steer it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.faults import Fault, FaultPlan, Recorder
from bot.sandbox.feishu import FeishuFake
from bot.sandbox.server import ThreadedServer

__all__ = ["Fault", "Sandbox"]


class Sandbox:
    def __init__(self) -> None:
        self.faults = FaultPlan()
        self.recorder = Recorder()
        self.feishu = FeishuFake(self.faults, self.recorder)
        self._server: ThreadedServer | None = None

    # ---- the ASGI app ---------------------------------------------------------------------
    def asgi(self) -> Starlette:
        routes = [
            *self.feishu.routes(),
            Route("/_sandbox/requests", self._requests, methods=["GET"]),
            Route("/_sandbox/faults", self._arm, methods=["POST", "DELETE"]),
        ]
        return Starlette(routes=routes)

    async def _requests(self, request: Request) -> Response:
        op = request.query_params.get("op")
        return JSONResponse([dataclasses.asdict(r) for r in self.recorder.all(op)])

    async def _arm(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.clear()
            return JSONResponse({"ok": True})
        try:
            spec: dict[str, Any] = await request.json()
            if "latency_all" in spec:
                self.faults.set_latency(str(spec["op"]), float(spec["latency_all"]))
            else:
                self.faults.arm(Fault(**spec))
        except (ValueError, TypeError) as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True})

    # ---- running --------------------------------------------------------------------------
    def start(self, port: int = 0) -> Sandbox:
        self._server = ThreadedServer(self.asgi(), port=port).start()
        return self

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("sandbox not started")
        return self._server.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- environment for a bot pointed here --------------------------------------------------
    def env(self) -> dict[str, str]:
        """The settings that point hostbot at this sandbox instead of the real vendors."""
        return {
            "FEISHU_APP_ID": self.feishu.app_id,
            "FEISHU_APP_SECRET": self.feishu.app_secret,
            "FEISHU_DOMAIN": self.url,
        }
