"""Undo over the real chat paths: signed Slack bodies (Block Kit button) and encrypted Feishu card
callbacks; assertions on the thread, the ephemeral refusal or toast, and the vendor fake."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from tests.support.feishu import FeishuWorld, card_has_buttons, card_text, content, feishu_world, first_text
from tests.support.operate import slack_world
from tests.support.slack import SlackWorld, wait_for

ASK = "make <@{alice}|alice> host of meeting 123456789"


@pytest.fixture
async def slack(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(sandbox, tmp_path) as world:
        yield world


@pytest.fixture
async def feishu(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FeishuWorld]:
    async with feishu_world(sandbox, tmp_path) as world:
        yield world


def _undo_button(message: dict[str, object]) -> bool:
    return any(e.get("action_id") == "hostbot_undo" for b in message.get("blocks") or []  # type: ignore[attr-defined]
               if b["type"] == "actions" for e in b["elements"])


async def test_slack_undo_button_puts_the_host_back_once_and_refuses_a_stranger(slack: SlackWorld) -> None:
    await slack.command("you", ASK.format(alice=slack.users["alice"].id))
    done = copy.deepcopy(await wait_for(lambda: next((m for m in slack.messages() if _undo_button(m)), None)))
    alice_id = slack.users["alice"].id
    assert done["text"].startswith(f"✅ <@{alice_id}> is now host of Feishu meeting 123 456 789.\nChanged by mistake? "
                                   "Undo until ")
    assert done["text"].endswith(" (UTC+1).")  # the requester's Slack profile zone (Europe/Berlin), to the minute
    await slack.click("carol", done, "hostbot_undo", action_ts="1.1")
    await wait_for(lambda: slack.channel.ephemeral)
    assert slack.channel.ephemeral[-1]["text"] == (f"Only <@{slack.users['you'].id}>"
                                                  " (or an admin) can undo this; nothing was changed.")
    assert len(slack.set_host_calls()) == 1
    # the requester double-clicks; Slack also retries one of the presses: the host goes back once
    await slack.click("you", done, "hostbot_undo", action_ts="2.1")
    await slack.click("you", done, "hostbot_undo", action_ts="2.2")
    await slack.click("you", done, "hostbot_undo", action_ts="2.1")
    await wait_for(lambda: any("Undone" in m.get("text", "") for m in slack.messages()))
    await wait_for(lambda: any("already used" in m.get("text", "") for m in slack.messages()))
    you, alice = slack.demo.users["you"].open_id, slack.demo.users["alice"].open_id
    assert slack.set_host_calls()[1:] == [{"host_user": {"id": you, "user_type": 1},
                                           "old_host_user": {"id": alice, "user_type": 1}}]
    assert [m["text"] for m in slack.messages() if "Undone" in m.get("text", "")] == [
        f"↩️ Undone: <@{slack.users['you'].id}> is host of Feishu meeting 123 456 789 again."]
    pressed = next(m for m in slack.messages() if m["ts"] == done["ts"])
    assert not _undo_button(pressed)  # the answered message lost its button


async def test_feishu_undo_card_button_over_an_encrypted_callback(feishu: FeishuWorld) -> None:
    msg, _ = await feishu.ask("you")
    root = msg["message_id"]
    card = await wait_for(lambda: next((c for c in feishu.cards(root) if "is now host" in card_text(c)), None))
    assert "Changed by mistake? Undo until " in card_text(card) and card_has_buttons(content(card))
    resp, answer = await feishu.click("carol", card, "undo")
    assert resp.status_code == 200
    assert answer == {"toast": {"type": "error", "content": "Only @you (or an admin) can undo this; "
                                                            "nothing was changed."}}
    _, first = await feishu.click("you", card, "undo")
    _, second = await feishu.click("you", card, "undo")
    assert first["toast"]["type"] == "success" and not card_has_buttons(first["card"]["data"])
    assert await wait_for(lambda: first_text(feishu.texts(root), "Undone")) == \
        "↩️ Undone: @you is host of Feishu meeting 123 456 789 again."
    await wait_for(lambda: first_text(feishu.texts(root), "already used"))
    await feishu.adapter.drain()
    assert feishu.set_host_calls()[1:] == [{"host_user": {"id": feishu.user("you").open_id, "user_type": 1},
                                            "old_host_user": {"id": feishu.user("alice").open_id, "user_type": 1}}]
    assert second["toast"]["type"] == "success"
