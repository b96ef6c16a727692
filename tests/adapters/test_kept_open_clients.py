"""The Slack and Feishu clients keep their connections open between calls (one session per event loop)
instead of a new session, and a new TCP and TLS handshake, for every call; both are closed at shutdown.
Against the sandbox over 127.0.0.1: the calls still get their answers."""

from __future__ import annotations

import asyncio

from bot.adapters.slack.adapter import build_web_client
from bot.config import settings_from_mapping
from bot.sandbox import Sandbox
from bot.vendors.feishu import auth as feishu_auth
from bot.vendors.feishu.auth import FeishuAuth, build_client


def test_slack_calls_share_one_session_per_loop_closed_at_aclose(sandbox: Sandbox) -> None:
    users = sandbox.slack.seed(("you", "alice"))
    client = build_web_client(settings_from_mapping(sandbox.env()))

    async def one_call() -> object:
        await client.auth_test()
        return client.session

    assert asyncio.run(one_call()) is None  # not a server's: slack_sdk's own session per call, nothing left open
    client.keep_open = True  # what bot/ops/server.build_runtime sets

    async def two_calls() -> object:
        info = await client.users_info(user=users["alice"].id)
        first = client.session
        assert info["user"]["id"] == users["alice"].id
        got = await client.auth_test()
        assert got["ok"] and client.session is first and first is not None and not first.closed
        return first

    one = asyncio.run(two_calls())
    other = asyncio.run(two_calls())  # another loop: its own session (the first loop's connections are its own)
    assert other is not one

    async def close() -> None:
        session = client.session
        await client.aclose()
        assert session is not None and session.closed and client.session is None

    async def close_after_call() -> None:
        await client.auth_test()
        await close()

    asyncio.run(close_after_call())
    assert sandbox.recorder.count("slack.auth.test") == 4


def test_lark_calls_share_one_httpx_client_per_loop_closed_at_shutdown(sandbox: Sandbox) -> None:
    app_id, secret = sandbox.feishu.app_id, sandbox.feishu.app_secret
    auth = FeishuAuth(build_client(app_id, secret, sandbox.url), app_id, secret)

    async def calls() -> None:
        await auth.token()
        clients = set(feishu_auth._CLIENTS.values())
        assert await auth.token(refresh=True)  # a second call through lark-oapi's transport
        assert set(feishu_auth._CLIENTS.values()) == clients and len(clients) >= 1
        shared = feishu_auth._CLIENTS[asyncio.get_running_loop()]
        assert not shared.is_closed
        await feishu_auth.close_shared_client()
        assert shared.is_closed and asyncio.get_running_loop() not in feishu_auth._CLIENTS

    asyncio.run(calls())
    assert sandbox.recorder.count("feishu.token") == 2
