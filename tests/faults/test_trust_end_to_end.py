"""Trust through the server `hostbot run` serves (the same ASGI app, signed Slack bodies, encrypted
Feishu events), in a workspace where hostbot has met nobody and the host is mapped for DingTalk only.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_ZOOM_ID
from bot.sandbox.feishu.im import BOT
from tests.support.faults import FaultWorld, fault_world, mutations
from tests.support.feishu import card_text
from tests.support.slack import wait_for


@pytest.fixture
async def world(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FaultWorld]:
    async with fault_world(sandbox, tmp_path, mapped=False) as w:
        yield w


async def test_a_host_mapped_for_dingtalk_only_changes_feishu_and_zoom_hosts_from_slack(world: FaultWorld) -> None:
    you = world.slack.users["you"].id
    await world.bot.services.store.set_mapping("slack", you, "dingtalk_union_id",
                                         world.demo.vendors.dingtalk_users["you"].union_id)
    assert (await world.ask_slack("you", f"make {world.mention('alice')} host of meeting 123456789")).startswith("✅")
    assert (await world.ask_slack("you", f"make {world.mention('alice')} host of meeting {DEMO_ZOOM_ID}")
            ).startswith("✅")
    assert [r.op for r in mutations(world.sandbox)] == ["feishu.set_host", "zoom.update_meeting"]


async def test_a_host_never_seen_is_asked_in_slack_and_only_their_click_acts(world: FaultWorld) -> None:
    ask = await world.ask_slack("bob", "make me host of meeting 123456789")
    assert f"<@{world.slack.users['you'].id}>" in ask and "can approve" in ask
    # a copy: the sandbox updates its message (buttons replaced) after the click, and Slack's retry
    # resends the payload of the click it retries
    approval = copy.deepcopy(next(m for m in world.slack.messages()
                                  if "can approve" in m.get("text", "") and m.get("blocks")))
    await world.slack.click("bob", approval, "hostbot_approve", action_ts="1.1")  # the requester's own click
    await wait_for(lambda: world.sandbox.slack.channel_named("general").ephemeral)
    assert mutations(world.sandbox) == []
    await world.slack.click("you", approval, "hostbot_approve", action_ts="1.2")
    await wait_for(lambda: mutations(world.sandbox))
    await world.slack.click("you", approval, "hostbot_approve", action_ts="1.2")  # Slack retries the click
    calls = mutations(world.sandbox)
    assert len(calls) == 1 and calls[0].op == "feishu.set_host"
    assert calls[0].body["old_host_user"]["id"] == world.demo.users["you"].open_id  # CAS against the host asked
    assert calls[0].body["host_user"]["id"] == world.demo.users["bob"].open_id


async def test_the_host_is_asked_in_feishu_with_an_at_and_only_their_click_acts(world: FaultWorld) -> None:
    msg, resp = await world.feishu.ask("bob", "@_user_1 make me host of meeting 123456789", BOT)
    assert resp.status_code == 200
    await world.settle()
    card = await wait_for(lambda: next((c for c in world.feishu.cards(msg["message_id"])
                                        if "can approve" in card_text(c)), None))
    assert world.demo.users["you"].open_id in str(card)  # the host is @-mentioned
    _, own = await world.feishu.click("bob", card, "approve")
    assert own["toast"]["type"] == "error" and mutations(world.sandbox) == []
    await world.feishu.click("you", card, "approve")
    await world.settle()
    calls = await wait_for(lambda: mutations(world.sandbox))
    assert len(calls) == 1 and calls[0].body["old_host_user"]["id"] == world.demo.users["you"].open_id
