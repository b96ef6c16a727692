"""Helpers for the fault suite: one bot serving Slack and Feishu (and the console) on the sandbox.

The bot is the real thing: `create_asgi` behind httpx's ASGI transport, Slack's Web API client
and lark-oapi talking to the sandbox over 127.0.0.1. Vendor waits (rate limits, Retry-After,
backoff) return at once, so that no fault test sleeps; nothing here measures time.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.adapters.console import ConsoleAdapter
from bot.app import HostBot, build
from bot.config import settings_from_mapping
from bot.devtools.demo import DemoWorld, link_people, seed
from bot.i18n import t
from bot.ops.server import Runtime, build_runtime, create_asgi
from bot.sandbox import Sandbox
from bot.sandbox.faults import RecordedRequest
from tests.support.feishu import PUBLIC_URL, FeishuWorld
from tests.support.slack import SIGNING_SECRET, SlackWorld, wait_for

PEOPLE = ("you", "alice", "bob", "carol", "dave")
# Requests that change something at a vendor (the others look things up).
MUTATIONS = ("feishu.set_host", "feishu.invite", "dingtalk.cohosts", "webex.reassign", "zoom.update_meeting")
INTERNAL_ERROR = {t("en", "internal_error"), t("zh", "internal_error")}


class NoWait:
    """A sleep that returns at once."""

    async def __call__(self, seconds: float) -> None:
        return None


def instant_vendor_waits(bot: HostBot) -> None:
    """Every vendor's rate-limit, Retry-After and backoff waits return at once."""
    for vendor in bot.services.vendors.values():
        for holder in (vendor, getattr(vendor, "http", None)):
            if getattr(holder, "limiter", None) is not None:
                holder.limiter.sleep = NoWait()  # type: ignore[union-attr]
        if getattr(vendor, "http", None) is not None:
            vendor.http.sleep = NoWait()  # type: ignore[attr-defined]


def mutations(sandbox: Sandbox) -> list[RecordedRequest]:
    return [r for r in sandbox.recorder.all() if r.op in MUTATIONS]


@dataclass
class FaultWorld:
    sandbox: Sandbox
    demo: DemoWorld
    runtime: Runtime
    slack: SlackWorld
    feishu: FeishuWorld

    @property
    def bot(self) -> HostBot:
        return self.runtime.bot

    def console(self, user: str) -> ConsoleAdapter:
        return ConsoleAdapter(self.bot.dispatcher, user=user)

    def mention(self, name: str) -> str:
        return f"<@{self.slack.users[name].id}>"

    async def ask_slack(self, user: str, text: str) -> str:
        """`/host TEXT` from `user`; the first answer in the thread it opens (waited for, bounded)."""
        resp = await self.slack.command(user, text)
        assert resp.status_code == 200, resp.text
        wanted = f"/host {text}"
        root = await wait_for(lambda: next((m for m in self.slack.messages()
                                            if wanted in m.get("text", "") and m.get("thread_ts") in (None, m["ts"])),
                                           None))
        replies = await wait_for(lambda: self.slack.replies_in(root["ts"]))
        return str(replies[0]["text"])

    async def settle(self) -> None:
        """Let the Feishu adapter finish what it was handed (Slack work is awaited through replies)."""
        await self.feishu.adapter.drain()


@contextlib.asynccontextmanager
async def fault_world(sandbox: Sandbox, tmp_path: Path, *, mapped: bool = True, **env: str
                      ) -> AsyncIterator[FaultWorld]:
    """The demo world; Slack users you, alice, bob, carol, dave mapped to their vendor accounts (the Feishu and
    console ones too; with mapped=False nobody is: hostbot has never met them), `you` authorized in Feishu;
    a bot serving POST /slack/events and POST /feishu/events."""
    demo = seed(sandbox)
    users = sandbox.slack.seed(PEOPLE)
    channel = sandbox.slack.channel_named("general")
    settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "faults.db"),
                                      "SLACK_SIGNING_SECRET": SIGNING_SECRET, "HOSTBOT_PUBLIC_URL": PUBLIC_URL,
                                      **env})
    bot = build(settings)
    dingtalk = demo.vendors.dingtalk_users
    for name, user in users.items() if mapped else ():  # an admin's explicit mapping: Slack user -> accounts
        await bot.services.store.upsert_person("slack", user.id, name=name, email=user.email,
                                         feishu_open_id=demo.users[name].open_id,
                                         dingtalk_union_id=dingtalk[name].union_id,
                                         webex_email=user.email, zoom_email=user.email)
    for name, person in demo.users.items() if mapped else ():  # and the Feishu chat users to their accounts
        await bot.services.store.upsert_person("feishu", person.open_id, name=name, email=person.email,
                                         feishu_open_id=person.open_id, dingtalk_union_id=dingtalk[name].union_id,
                                         webex_email=person.email, zoom_email=person.email)
    await link_people(bot, demo)  # the console's people, and `you`'s Feishu user token
    instant_vendor_waits(bot)
    runtime = build_runtime(settings, bot)
    assert runtime.feishu is not None and runtime.slack is not None
    runtime.feishu.sleep = NoWait()  # backoff between Feishu send retries
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_asgi(runtime)),
                                     base_url="http://hostbot.test") as http:
            yield FaultWorld(sandbox, demo, runtime, SlackWorld(sandbox, demo, runtime, http, users, channel),
                             FeishuWorld(sandbox, demo, runtime, http))
    finally:
        await runtime.aclose()
