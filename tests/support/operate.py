"""Helpers for the operations tests (metrics, logs, progress): a Slack-fronted bot on the sandbox."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from bot.app import build
from bot.config import settings_from_mapping
from bot.ops.demo import seed
from bot.ops.server import build_runtime, create_asgi
from bot.sandbox import Sandbox
from tests.support.slack import SIGNING_SECRET, SlackWorld


@contextlib.asynccontextmanager
async def slack_world(sandbox: Sandbox, tmp_path: Path, names: tuple[str, ...] = ("you", "alice", "bob", "carol"),
                      admin: str = "", **env: str) -> AsyncIterator[SlackWorld]:
    """The demo world with Slack users `names` mapped to their vendor accounts; `admin` names an admin."""
    demo = seed(sandbox)
    users = sandbox.slack.seed(names)
    channel = sandbox.slack.channel_named("general")
    extra = {"HOSTBOT_ADMINS": users[admin].id} if admin else {}
    settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "slack.db"),
                                      "SLACK_SIGNING_SECRET": SIGNING_SECRET, **extra, **env})
    bot = build(settings)
    dingtalk = demo.vendors.dingtalk_users
    for name, user in users.items():  # an admin's explicit mapping: Slack user -> vendor accounts
        feishu = demo.users.get(name)
        bot.services.store.upsert_person("slack", user.id, name=name, email=user.email,
                                         feishu_open_id=feishu.open_id if feishu else "",
                                         dingtalk_union_id=dingtalk[name].union_id if name in dingtalk else "",
                                         webex_email=user.email, zoom_email=user.email)
    you = demo.users["you"].open_id  # `you` authorized hostbot in Feishu (invite needs it)
    bot.services.store.save_user_token("feishu", you, sandbox.feishu.issue_user_token(you))
    runtime = build_runtime(settings, bot)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_asgi(runtime)),
                                     base_url="http://hostbot.test") as http:
            yield SlackWorld(sandbox, demo, runtime, http, users, channel)
    finally:
        await runtime.aclose()


class InstantSleep:
    """A sleep that returns at once (rate-limit waits in tests), remembering what it was asked."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(round(seconds, 3))
