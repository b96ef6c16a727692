"""Replies people read once, over signed Slack bodies: a refusal in the requester's language, times in
the reader's zone without seconds."""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from tests.support.operate import slack_world
from tests.support.slack import SlackWorld, wait_for


@pytest.fixture
async def slack(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(sandbox, tmp_path) as world:
        yield world


async def test_a_declined_approval_is_answered_in_the_requesters_language(slack: SlackWorld) -> None:
    slack.users["bob"].locale = "zh-CN"  # bob reads Chinese; you, the host who declines, read English
    await slack.command("bob", f"把 <@{slack.users['alice'].id}|alice> 设为主持人 123456789")
    ask = copy.deepcopy(await wait_for(lambda: next((m for m in slack.messages() if any(
        e.get("action_id") == "hostbot_decline" for b in m.get("blocks") or [] if b["type"] == "actions"
        for e in b["elements"])), None)))
    await slack.click("you", ask, "hostbot_decline")
    declined = await wait_for(lambda: next((m for m in slack.messages() if "拒绝" in m.get("text", "")), None))
    assert declined["text"].endswith(f"<@{slack.users['you'].id}> 拒绝了请求，没有做任何更改。")
    assert slack.set_host_calls() == []


async def test_times_are_in_the_readers_zone_to_the_minute(slack: SlackWorld) -> None:
    slack.users["you"].tz = "Asia/Shanghai"
    await slack.command("you", f"make <@{slack.users['alice'].id}|alice> host of meeting 123456789")
    done = await wait_for(lambda: next((m for m in slack.messages() if "Undo until" in m.get("text", "")), None))
    # the date too when the Undo window ends on the next day there (a run just before midnight in Shanghai)
    assert re.search(r"Undo until (?:\d{4}-\d\d-\d\d )?\d\d:\d\d \(UTC\+8\)\.$", done["text"]), done["text"]
