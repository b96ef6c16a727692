"""Helpers for the operations tests (metrics, logs, progress): a Slack-fronted bot on the sandbox."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from bot.app import HostBot, build
from bot.config import settings_from_mapping
from bot.devtools.demo import DemoWorld, seed
from bot.ops.server import Runtime, build_runtime, create_asgi
from bot.sandbox import Sandbox
from bot.sandbox.slack.web import SlackUser
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
    await map_people(bot, demo, users)
    runtime = build_runtime(settings, bot)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_asgi(runtime)),
                                     base_url="http://hostbot.test") as http:
            yield SlackWorld(sandbox, demo, runtime, http, users, channel)
    finally:
        await runtime.aclose()


async def map_people(bot: HostBot, demo: DemoWorld, users: dict[str, SlackUser]) -> None:
    """An admin's explicit mapping: Slack user -> vendor accounts; `you` authorized hostbot in Feishu."""
    dingtalk = demo.vendors.dingtalk_users
    for name, user in users.items():
        feishu = demo.users.get(name)
        await bot.services.store.upsert_person("slack", user.id, name=name, email=user.email,
                                         feishu_open_id=feishu.open_id if feishu else "",
                                         dingtalk_union_id=dingtalk[name].union_id if name in dingtalk else "",
                                         webex_email=user.email, zoom_email=user.email)
    you = demo.users["you"].open_id  # invite needs it
    await bot.services.store.save_user_token("feishu", you, demo.sandbox.feishu.issue_user_token(you))


@contextlib.asynccontextmanager
async def slack_replicas(sandbox: Sandbox, db: str, count: int = 2,
                         names: tuple[str, ...] = ("you", "alice", "bob", "carol"),
                         **env: str) -> AsyncIterator[list[SlackWorld]]:
    """`count` bot runtimes (replicas) on one database `db` (a PostgreSQL URL), each serving its own
    /slack/events, in front of one sandbox and one demo world: what a load balancer spreads requests over."""
    demo = seed(sandbox)
    users = sandbox.slack.seed(names)
    channel = sandbox.slack.channel_named("general")
    settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": db, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                      **env})
    runtimes: list[Runtime] = []
    try:
        async with contextlib.AsyncExitStack() as stack:
            worlds = []
            for _ in range(count):
                bot = build(settings)
                runtimes.append(build_runtime(settings, bot))
                http = await stack.enter_async_context(httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=create_asgi(runtimes[-1])), base_url="http://hostbot.test"))
                worlds.append(SlackWorld(sandbox, demo, runtimes[-1], http, users, channel))
            await map_people(runtimes[0].bot, demo, users)
            yield worlds
    finally:
        for runtime in runtimes:
            await runtime.aclose()


class InstantSleep:
    """A sleep that returns at once (rate-limit waits in tests), remembering what it was asked."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(round(seconds, 3))
