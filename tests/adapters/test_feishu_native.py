"""Feishu feels native: the help card (typed, or from the bot menu), reminders as cards whose buttons
work through encrypted card callbacks, and the IM fake's strict card PATCH."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.adapters.feishu.cards import progress_card
from bot.core.model.events import Reply
from bot.sandbox import Sandbox
from bot.sandbox.feishu.im import BOT
from tests.support.feishu import FeishuWorld, card_has_buttons, content, feishu_world, first_text
from tests.support.slack import wait_for


@pytest.fixture
async def feishu(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FeishuWorld]:
    async with feishu_world(sandbox, tmp_path) as world:
        yield world


def _help_lines(card: dict[str, object]) -> str:
    return str(card["elements"][0]["text"]["content"])  # type: ignore[index]


@pytest.mark.parametrize(("said", "title", "example"), [
    ("/help", "hostbot · what to say", "“make @alice host of meeting 123456789”"),
    ("帮助", "hostbot · 可以这样说", "“把 @alice 设为主持人 123456789”"),
])
async def test_help_is_a_card_with_examples_in_the_readers_language(
        feishu: FeishuWorld, said: str, title: str, example: str) -> None:
    msg, _ = await feishu.ask("you", f"@_user_1 {said}", BOT)
    card_msg = await wait_for(lambda: next(iter(feishu.cards(msg["message_id"])), None))
    card = content(card_msg)
    assert card["header"]["title"] == {"tag": "plain_text", "content": title}
    assert example in _help_lines(card)
    assert not card_has_buttons(card)


async def test_the_bot_menu_help_item_answers_the_same_card_in_the_direct_chat(feishu: FeishuWorld) -> None:
    you = feishu.user("you")
    envelope = feishu.sandbox.feishu_events.bot_menu(you, "help")
    resp = await feishu.push(envelope)
    assert resp.status_code == 200
    im = feishu.sandbox.feishu_im

    def to_you() -> list[dict[str, object]]:
        return [m for m in list(im.messages.values()) if m.get("receive_id") == you.open_id]

    sent = await wait_for(to_you)
    card = content(sent[0])  # type: ignore[arg-type]
    assert sent[0]["msg_type"] == "interactive" and sent[0]["chat_type"] == "p2p"
    assert card["header"]["title"]["content"] == "hostbot · 可以这样说"
    assert "“把 @alice 设为主持人 123456789”" in _help_lines(card)
    await feishu.push(envelope)  # Feishu re-pushes the same event: answered once
    await feishu.push(feishu.sandbox.feishu_events.bot_menu(you, "no-such-item"))  # a key hostbot has no use for
    await feishu.adapter.drain()
    assert len(to_you()) == 1
    await feishu.push(feishu.sandbox.feishu_events.bot_menu(you, "list_handovers"))  # the other item
    listed = await wait_for(lambda: to_you()[1:])
    assert listed[0]["msg_type"] == "text" and content(listed[0]) == {"text": "你没有定时交接。"}  # type: ignore[arg-type]


async def test_a_reminder_is_a_card_with_slacks_buttons_and_hand_over_now_works(feishu: FeishuWorld) -> None:
    msg, _ = await feishu.ask("you", "@_user_1 in 20 minutes make @_user_2 host of meeting 123456789")
    root = msg["message_id"]
    await wait_for(lambda: feishu.texts(root))
    now = feishu.runtime.bot.services.clock()
    await feishu.runtime.bot.scheduler.run_due(now + timedelta(minutes=11))
    reminder = await wait_for(lambda: next((m for m in feishu.cards(root) if "Reminder" in m["content"]), None))
    buttons = feishu.sandbox.feishu_im.buttons(reminder)
    assert [(b["value"]["hostbot"], b["text"]["content"], b["type"]) for b in buttons] == [
        ("handover_now", "Hand over now", "primary"), ("handover_snooze", "Snooze 5 min", "default"),
        ("handover_cancel", "Cancel", "danger")]
    resp, answer = await feishu.click("you", reminder, "handover_now")  # an encrypted, signed card callback
    assert resp.status_code == 200 and answer["toast"]["type"] in ("success", "info")
    assert "Hand over now" in json.dumps(answer["card"]["data"], ensure_ascii=False)  # who chose what
    assert await wait_for(lambda: first_text(feishu.texts(root), "is now host"))
    assert feishu.set_host_calls()[0]["host_user"]["id"] == feishu.user("alice").open_id


async def test_the_im_fake_patches_only_the_apps_own_shared_cards(feishu: FeishuWorld) -> None:
    msg = feishu.says("you", "hello")
    adapter = feishu.adapter
    await adapter.deliver(msg["message_id"], [Reply("plain text")], "en", key="k1")
    text_id = feishu.sandbox.feishu_im.thread(msg["message_id"])[0]["message_id"]
    base = feishu.sandbox.url
    sender = adapter.sender
    card = progress_card("⏳ 1/2")
    assert not await sender.patch(text_id, card)  # a text message cannot be patched
    assert not await sender.patch(msg["message_id"], card)  # nor a person's message
    assert not await sender.patch("om_nope", card)  # nor one that does not exist
    progress_id = await sender.reply(msg["message_id"], "interactive", json.dumps(card), "u-1")
    assert not await sender.patch(progress_id, {"elements": []})  # the new content must be a card
    assert await sender.patch(progress_id, progress_card("⏳ 2/2"))
    statuses = [r.status for r in feishu.sandbox.recorder.all("feishu.im.patch")]
    assert statuses == [400, 400, 400, 400, 200]
    assert feishu.texts(msg["message_id"]) == ["plain text", "⏳ 2/2"]
    async with httpx.AsyncClient() as http:  # without a tenant token the fake refuses before anything
        resp = await http.patch(f"{base}/open-apis/im/v1/messages/{progress_id}",
                                json={"content": json.dumps(progress_card("forged"))})
    assert resp.status_code != 200 and feishu.texts(msg["message_id"])[-1] == "⏳ 2/2"
