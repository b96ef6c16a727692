"""Helpers for Slack end-to-end tests: signed bodies, a bot wired to the sandbox's Slack fake."""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.devtools.demo import DemoWorld
from bot.ops.server import Runtime
from bot.sandbox import Sandbox
from bot.sandbox.slack.web import SlackChannel, SlackUser
from bot.wire import slack_headers

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def sign(body: str, ts: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    return slack_headers(secret, body, ts)


@dataclass
class SlackWorld:
    sandbox: Sandbox
    demo: DemoWorld
    runtime: Runtime
    http: httpx.AsyncClient
    users: dict[str, SlackUser]
    channel: SlackChannel

    @property
    def meeting_id(self) -> str:
        return self.demo.feishu_meeting.id

    def set_host_calls(self) -> list[Any]:
        return [r.body for r in self.sandbox.recorder.all("feishu.set_host")]

    async def post_form(self, fields: dict[str, str], headers: dict[str, str] | None = None) -> httpx.Response:
        body = urlencode(fields)
        return await self.http.post("/slack/events", content=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", **sign(body), **(headers or {})})

    async def command(self, user: str, text: str, trigger: str = "") -> httpx.Response:
        u = self.users[user]
        return await self.post_form({
            "token": "legacy", "team_id": self.sandbox.slack.team_id, "team_domain": "sandbox",
            "channel_id": self.channel.id, "channel_name": self.channel.name, "user_id": u.id,
            "user_name": u.name, "command": "/host", "text": text, "api_app_id": self.sandbox.slack.app_id,
            "is_enterprise_install": "false", "response_url": "https://hooks.slack.invalid/commands/1",
            "trigger_id": trigger or f"trig-{time.monotonic_ns()}",
        })

    async def event(self, event: dict[str, Any], event_id: str, retry: int = 0) -> httpx.Response:
        body = json.dumps({
            "token": "legacy", "team_id": self.sandbox.slack.team_id, "api_app_id": self.sandbox.slack.app_id,
            "event": event, "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
        })
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return await self.http.post("/slack/events", content=body,
                                    headers={"Content-Type": "application/json", **sign(body), **extra})

    async def click(self, user: str, message: dict[str, Any], action_id: str,
                    action_ts: str | None = None) -> httpx.Response:
        u = self.users[user]
        button = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                      if e["action_id"] == action_id)
        payload = {
            "type": "block_actions", "team": {"id": self.sandbox.slack.team_id, "domain": "sandbox"},
            "user": {"id": u.id, "username": u.name, "team_id": self.sandbox.slack.team_id},
            "api_app_id": self.sandbox.slack.app_id, "token": "legacy", "trigger_id": "t",
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": self.channel.id,
                          "is_ephemeral": False},
            "channel": {"id": self.channel.id, "name": self.channel.name},
            "message": message, "response_url": "https://hooks.slack.invalid/actions/1",
            "actions": [{"action_id": action_id, "block_id": "hostbot_choices", "text": button["text"],
                         "value": button["value"], "type": "button",
                         "action_ts": action_ts or f"{time.time():.6f}"}],
        }
        return await self.post_form({"payload": json.dumps(payload)})

    def messages(self) -> list[dict[str, Any]]:
        return list(self.channel.messages)

    def replies_in(self, thread: str) -> list[dict[str, Any]]:
        return [m for m in self.channel.messages if m.get("thread_ts") == thread and m["ts"] != thread]


async def wait_for(predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll until predicate() is truthy (bounded; the work after an ack runs in the background). A predicate
    may return an awaitable (a read of the AsyncStore): its result is what counts."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
