"""The Sandbox: every vendor fake behind one HTTP server on 127.0.0.1 (see the package's docstring).

Imported on first use of `bot.sandbox.Sandbox` (the package's __getattr__), so that importing the package,
or one fake, does not import every fake.
"""


from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.control import control_routes
from bot.sandbox.dingtalk import DingTalkFake
from bot.sandbox.faults import Fault, FaultPlan, Recorder
from bot.sandbox.feishu.events import FeishuEvents
from bot.sandbox.feishu.groups import FeishuGroupsFake
from bot.sandbox.feishu.im import FeishuIMFake
from bot.sandbox.feishu.oauth import FeishuOAuthFake
from bot.sandbox.feishu.vc import FeishuFake
from bot.sandbox.feishu.ws import FeishuWsFake
from bot.sandbox.server import ThreadedServer
from bot.sandbox.slack.socket import SocketModeFake
from bot.sandbox.slack.web import SlackFake
from bot.sandbox.webex import WebexFake
from bot.sandbox.zoom import ZoomFake


class Sandbox:
    def __init__(self) -> None:
        self.faults = FaultPlan()
        self.recorder = Recorder()
        self.feishu = FeishuFake(self.faults, self.recorder)
        self.feishu_im = FeishuIMFake(self.feishu, self.faults, self.recorder)  # chat: replies in thread, bot info
        self.feishu_oauth = FeishuOAuthFake(self.feishu, self.faults, self.recorder)  # user authorization
        self.feishu_groups = FeishuGroupsFake(self.feishu, self.faults, self.recorder)  # chat members, departments
        self.feishu_ws = FeishuWsFake(self.feishu, self.faults, self.recorder)  # long connection
        self.feishu_events = FeishuEvents(self.feishu_im, self.feishu.app_id)  # pushes, encrypted and signed
        self.secret_key = secrets.token_urlsafe(24)  # HOSTBOT_SECRET_KEY for a bot pointed here
        self.dingtalk = DingTalkFake(self.faults, self.recorder)  # under /dingtalk
        self.webex = WebexFake(self.faults, self.recorder)  # under /webex/v1
        self.zoom = ZoomFake(self.faults, self.recorder)  # under /zoom/v2 and /zoom/oauth/token
        self.slack = SlackFake(self.faults, self.recorder)
        self.slack_socket = SocketModeFake(self.faults, self.recorder)
        self._server: ThreadedServer | None = None

    # ---- the ASGI app ---------------------------------------------------------------------
    def asgi(self) -> Starlette:
        routes = [
            *self.feishu_groups.routes(),  # before users/{user_id}: users/find_by_department is its own path
            *self.feishu.routes(),
            *self.feishu_im.routes(),
            *self.feishu_oauth.routes(),
            *self.feishu_ws.routes(),
            *self.dingtalk.routes(),
            *self.webex.routes(),
            *self.zoom.routes(),
            *self.slack_socket.routes(),  # before the Slack catch-all /api/{method}
            *self.slack.routes(),  # the Slack Web API under /api/
            Route("/_sandbox/requests", self._requests, methods=["GET"]),
            Route("/_sandbox/faults", self._arm, methods=["POST", "DELETE"]),
            *control_routes(self),  # people, their messages and clicks, for `hostbot say` (control.py)
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
            "FEISHU_ENCRYPT_KEY": self.feishu_events.encrypt_key,
            "FEISHU_VERIFICATION_TOKEN": self.feishu_events.verification_token,
            "HOSTBOT_SECRET_KEY": self.secret_key,
            "SLACK_BOT_TOKEN": self.slack.bot_token,
            "SLACK_API_URL": f"{self.url}/api/",
            "DINGTALK_APP_KEY": self.dingtalk.app_key,
            "DINGTALK_APP_SECRET": self.dingtalk.app_secret,
            "DINGTALK_API_BASE": f"{self.url}/dingtalk",
            "WEBEX_TOKEN": self.webex.token,
            "WEBEX_SITE_URL": self.webex.site,
            "WEBEX_API_BASE": f"{self.url}/webex/v1",
            "ZOOM_ACCOUNT_ID": self.zoom.account_id,
            "ZOOM_CLIENT_ID": self.zoom.client_id,
            "ZOOM_CLIENT_SECRET": self.zoom.client_secret,
            "ZOOM_API_BASE": f"{self.url}/zoom/v2",
            "ZOOM_OAUTH_URL": f"{self.url}/zoom/oauth/token",
        }
