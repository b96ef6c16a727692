"""The Slack Web API fake, driven by slack_sdk's AsyncWebClient over 127.0.0.1 (the shapes the adapter relies on)."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox


@pytest.fixture
def client(sandbox: Sandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.slack.bot_token, base_url=sandbox.env()["SLACK_API_URL"])


async def test_auth_and_users(sandbox: Sandbox, client: AsyncWebClient) -> None:
    users = sandbox.slack.seed(("alice",))
    auth = await client.auth_test()
    assert (auth["ok"], auth["user_id"], auth["bot_id"]) == (True, sandbox.slack.bot_user.id, "B0HOSTBOT")
    info = await client.users_info(user=users["alice"].id, include_locale=True)
    assert info["user"]["profile"]["email"] == "alice@example.com"
    assert (info["user"]["tz"], info["user"]["locale"]) == ("Europe/Berlin", "en-US")
    assert "locale" not in (await client.users_info(user=users["alice"].id))["user"]
    assert (await client.users_lookupByEmail(email="ALICE@example.com"))["user"]["id"] == users["alice"].id
    with pytest.raises(SlackApiError) as missing:
        await client.users_lookupByEmail(email="nobody@example.com")
    assert missing.value.response["error"] == "users_not_found"


async def test_threads_updates_and_ephemeral(sandbox: Sandbox, client: AsyncWebClient) -> None:
    users = sandbox.slack.seed(("alice",))
    channel = sandbox.slack.channel_named("general").id
    root = await client.chat_postMessage(channel=channel, text="root")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    reply = await client.chat_postMessage(channel=channel, thread_ts=root["ts"], text="hi", blocks=blocks)
    assert reply["message"]["thread_ts"] == root["ts"] and reply["message"]["blocks"] == blocks
    await client.chat_update(channel=channel, ts=reply["ts"], text="edited")
    thread = await client.conversations_replies(channel=channel, ts=root["ts"])
    assert [m["text"] for m in thread["messages"]] == ["root", "edited"]
    eph = await client.chat_postEphemeral(channel=channel, user=users["alice"].id, text="only you")
    assert eph["message_ts"]
    assert sandbox.slack.channels[channel].ephemeral[-1]["text"] == "only you"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument:UserWarning")
@pytest.mark.parametrize(("call", "error"), [
    ("post_unknown_channel", "channel_not_found"),
    ("post_nothing", "no_text"),
    ("update_missing", "message_not_found"),
    ("replies_missing", "thread_not_found"),
    ("bad_token", "invalid_auth"),
    ("no_user", "user_not_found"),
])
async def test_errors_are_ok_false(sandbox: Sandbox, client: AsyncWebClient, call: str, error: str) -> None:
    sandbox.slack.seed(("alice",))
    channel = sandbox.slack.channel_named("general").id
    calls = {
        "post_unknown_channel": lambda: client.chat_postMessage(channel="C404", text="x"),
        "post_nothing": lambda: client.chat_postMessage(channel=channel, text=""),
        "update_missing": lambda: client.chat_update(channel=channel, ts="1.000001", text="x"),
        "replies_missing": lambda: client.conversations_replies(channel=channel, ts="1.000001"),
        "bad_token": lambda: AsyncWebClient(token="xoxb-nope", base_url=client.base_url).auth_test(),
        "no_user": lambda: client.users_info(user="U404"),
    }
    with pytest.raises(SlackApiError) as err:
        await calls[call]()
    assert err.value.response.status_code == 200 and err.value.response["error"] == error


async def test_missing_scope_and_rate_limit(sandbox: Sandbox, client: AsyncWebClient) -> None:
    users = sandbox.slack.seed(("alice",))
    sandbox.slack.set_scopes(["users:read"])
    with pytest.raises(SlackApiError) as scope:
        await client.chat_postMessage(channel=sandbox.slack.channel_named("general").id, text="x")
    assert (scope.value.response["error"], scope.value.response["needed"]) == ("missing_scope", "chat:write")
    info = await client.users_info(user=users["alice"].id)
    assert "email" not in info["user"]["profile"]  # no users:read.email: hidden, not an error
    assert info.headers["x-oauth-scopes"] == "users:read"
    sandbox.slack.ratelimit("users.info", retry_after=4)
    with pytest.raises(SlackApiError) as limited:
        await client.users_info(user=users["alice"].id)
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["retry-after"] == "4"
    assert limited.value.response["error"] == "ratelimited"
