"""The fake's views.open / views.update / views.publish and users.conversations, driven by slack_sdk's
AsyncWebClient over 127.0.0.1: what Slack refuses, the fake refuses, with Slack's error codes."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox

MODAL: dict[str, Any] = {"type": "modal", "callback_id": "c", "title": {"type": "plain_text", "text": "Hi"},
                         "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]}


@pytest.fixture
def client(sandbox: Sandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.slack.bot_token, base_url=sandbox.env()["SLACK_API_URL"])


async def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as failed:
        await call
    return str(failed.value.response["error"])


async def test_views_open_needs_a_fresh_unused_trigger(sandbox: Sandbox, client: AsyncWebClient) -> None:
    assert await _error(client.views_open(trigger_id="123.456.made-up", view=MODAL)) == "invalid_trigger_id"
    trigger = sandbox.slack.issue_trigger()
    opened = await client.views_open(trigger_id=trigger, view=MODAL)
    assert opened["view"]["id"].startswith("V") and opened["view"]["hash"] and opened["view"]["callback_id"] == "c"
    assert await _error(client.views_open(trigger_id=trigger, view=MODAL)) == "exchanged_trigger_id"
    stale = sandbox.slack.issue_trigger(ttl=0.0)
    assert await _error(client.views_open(trigger_id=stale, view=MODAL)) == "expired_trigger_id"
    bad = AsyncWebClient(token="xoxb-not-a-token", base_url=sandbox.env()["SLACK_API_URL"])
    assert await _error(bad.views_open(trigger_id=sandbox.slack.issue_trigger(), view=MODAL)) == "invalid_auth"


@pytest.mark.parametrize("change", [
    {"blocks": [{"type": "divider"}] * 101},
    {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]},
    {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]},
    {"title": {"type": "plain_text", "text": "a title longer than 24 chars"}},
    {"title": None},
    {"type": "home"},
    {"blocks": [{"type": "input", "label": {"type": "plain_text", "text": "x"},
                 "element": {"type": "plain_text_input", "action_id": "a"}}]},  # an input needs a submit button
    {"blocks": [{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}]},
    {"blocks": [{"type": "actions", "elements": [{"type": "button", "action_id": "b", "value": "v",
                                                   "text": {"type": "plain_text", "text": "b" * 76}}]}]},
    {"private_metadata": "m" * 3001},
    {"blocks": [{"type": "table"}]},
])
async def test_views_open_refuses_what_slack_refuses(sandbox: Sandbox, client: AsyncWebClient,
                                                     change: dict[str, Any]) -> None:
    view = {k: v for k, v in {**MODAL, **change}.items() if v is not None}
    failed = await _error(client.views_open(trigger_id=sandbox.slack.issue_trigger(), view=view))
    assert failed == "invalid_arguments"
    assert sandbox.slack.views == {}


async def test_views_update_by_id_and_hash(sandbox: Sandbox, client: AsyncWebClient) -> None:
    opened = (await client.views_open(trigger_id=sandbox.slack.issue_trigger(), view=MODAL))["view"]
    assert await _error(client.views_update(view_id="V0NOPE", view=MODAL)) == "not_found"
    changed = {**MODAL, "blocks": [{"type": "divider"}]}
    updated = (await client.views_update(view_id=opened["id"], hash=opened["hash"], view=changed))["view"]
    assert updated["id"] == opened["id"] and updated["blocks"] == [{"type": "divider"}]
    assert await _error(client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)) == "hash_conflict"
    assert sandbox.slack.views[opened["id"]]["blocks"] == [{"type": "divider"}]


async def test_views_publish_is_per_user_and_home_only(sandbox: Sandbox, client: AsyncWebClient) -> None:
    users = sandbox.slack.seed(("alice",))
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]}
    assert await _error(client.views_publish(user_id="U0NOBODY", view=home)) == "user_not_found"
    assert await _error(client.views_publish(user_id=users["alice"].id, view=MODAL)) == "invalid_arguments"
    first = (await client.views_publish(user_id=users["alice"].id, view=home))["view"]
    again = (await client.views_publish(user_id=users["alice"].id, view=home, hash=first["hash"]))["view"]
    assert again["id"] == first["id"]  # one Home view per person, replaced
    assert await _error(client.views_publish(user_id=users["alice"].id, view=home,
                                             hash=first["hash"])) == "hash_conflict"


async def test_users_conversations_lists_the_members_channels(sandbox: Sandbox, client: AsyncWebClient) -> None:
    users = sandbox.slack.seed(("alice", "bob"))
    solo = sandbox.slack.add_channel("solo", [users["bob"]])
    found = await client.users_conversations(user=users["alice"].id, types="public_channel,private_channel")
    assert [c["name"] for c in found["channels"]] == ["general"]
    bobs = await client.users_conversations(user=users["bob"].id)
    assert {c["id"] for c in bobs["channels"]} == {sandbox.slack.channel_named("general").id, solo.id}
    sandbox.slack.set_scopes(["chat:write"])
    assert await _error(client.users_conversations(user=users["bob"].id)) == "missing_scope"
