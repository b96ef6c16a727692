"""Real `hostbot run` processes for end-to-end tests: start, wait for /healthz, send signed Slack bodies, kill."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

from bot.sandbox import Sandbox
from tests.support.slack import SIGNING_SECRET, sign

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def until(what: str, condition: Callable[[], T], timeout: float, poll: float = 0.01) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)


def bot_env(box: Sandbox, **extra: str) -> dict[str, str]:
    """This environment without hostbot's own settings, plus the sandbox's and `extra`."""
    return {**_inherited(), **box.env(), "SLACK_SIGNING_SECRET": SIGNING_SECRET, "HOSTBOT_PORT": str(free_port()),
            "HOSTBOT_TZ": "UTC", "PYTHONUNBUFFERED": "1", **extra}


class Bot:
    """One `hostbot run` process (`wait=False`: call `ready()` later, to start several at once)."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path, *, wait: bool = True) -> None:
        self.port = int(env["HOSTBOT_PORT"])
        self.log = log
        with log.open("a") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--host", "127.0.0.1"],
                                         env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        # Idle connections are dropped before uvicorn's 5 s keep-alive runs out: with httpx's default (also 5 s)
        # a request could go out on a connection the server was closing that instant ("Connection reset by
        # peer", seen once in test_cluster between its bursts).
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10,
                                 limits=httpx.Limits(keepalive_expiry=1.0))
        if wait:
            self.ready()

    def ready(self, timeout: float = 60) -> Bot:
        until("the bot's /healthz", self._healthy, timeout)
        return self

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"the bot exited: {self.log.read_text()[-3000:]}")
        try:
            body = self.http.get("/healthz").json()
        except httpx.HTTPError:
            return False
        return bool(body.get("ok")) and body["checks"].get("scheduler") == "ok"

    def post(self, body: str, content_type: str, **headers: str) -> httpx.Response:
        resp = self.http.post("/slack/events", content=body,
                              headers={"Content-Type": content_type, **sign(body), **headers})
        assert resp.status_code == 200, resp.text
        return resp

    def mention(self, box: Sandbox, channel: str, user: str, text: str, n: int, retry: int = 0) -> None:
        event = {"type": "app_mention", "user": user, "channel": channel, "ts": f"1700000000.{n:06d}",
                 "text": f"<@{box.slack.bot_user.id}> {text}"}
        body = json.dumps({"token": "legacy", "team_id": box.slack.team_id, "api_app_id": box.slack.app_id,
                           "event": event, "type": "event_callback", "event_id": f"EvHandover{n}",
                           "event_time": int(time.time())})
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        self.post(body, "application/json", **extra)

    def kill(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.http.close()

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.http.close()


class SandboxProcess:
    """`hostbot sandbox` as a process of its own (what a newcomer runs in a terminal), and the variables it
    printed: `env` is what `hostbot run` and `hostbot say` get, on top of this environment minus hostbot's."""

    def __init__(self, cwd: Path, bot_port: int, timeout: float = 60, args: tuple[str, ...] = ()) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--port", "0", "--bot-port",
                                      str(bot_port), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env={**_inherited(), "PYTHONUNBUFFERED": "1"})
        self.printed: list[str] = []
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while not self.printed or not self.printed[-1].startswith("# Feishu open_ids"):
            line = self.proc.stdout.readline()
            if not line or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("hostbot sandbox printed no variables: " + "".join(self.printed)[-2000:])
            self.printed.append(line.rstrip("\n"))
        exports = [line.removeprefix("export ").split("=", 1) for line in self.printed if line.startswith("export ")]
        self.exported = {k: shlex.split(v)[0] if v else "" for k, v in exports}
        self.env = {**_inherited(), **self.exported, "PYTHONUNBUFFERED": "1"}
        self.url = self.exported["FEISHU_DOMAIN"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # as Ctrl-C in its terminal
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _inherited() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("HOSTBOT_", "SLACK_", "FEISHU_", "DINGTALK_", "WEBEX_", "ZOOM_"))}
