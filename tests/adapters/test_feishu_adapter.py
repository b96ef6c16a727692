"""Feishu end to end: encrypted, signed events and card callbacks POSTed to /feishu/events on the ASGI
app; lark-oapi talks to the sandbox over 127.0.0.1; assertions on the thread, the toast, the vendor fake."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.model.events import Reply
from bot.sandbox import Fault, Sandbox
from bot.sandbox.feishu.im import BOT
from tests.support.feishu import (
    ASK,
    FeishuWorld,
    card_has_buttons,
    card_text,
    content,
    feishu_world,
    first_text,
    reply_bodies,
)
from tests.support.slack import wait_for
from tests.support.undo import without_undo


@pytest.fixture
async def feishu(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FeishuWorld]:
    async with feishu_world(sandbox, tmp_path) as world:
        yield world


async def test_group_mention_sets_host_and_the_reply_lands_in_the_thread(feishu: FeishuWorld) -> None:
    msg, resp = await feishu.ask("you")
    assert resp.status_code == 200 and resp.json() == {"msg": "success"}
    done = await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "is now host"))
    assert without_undo(done) == "✅ @alice is now host of Feishu meeting 123 456 789."
    assert feishu.set_host_calls() == [{"host_user": {"id": feishu.user("alice").open_id, "user_type": 1},
                                        "old_host_user": {"id": feishu.user("you").open_id, "user_type": 1}}]
    reply = reply_bodies(feishu.sandbox)[-1]
    # a card: its Undo button (tests/adapters/test_undo_chat.py)
    assert reply["reply_in_thread"] is True and reply["msg_type"] == "interactive" and 0 < len(reply["uuid"]) <= 50
    assert all(m["thread_id"] for m in feishu.sandbox.feishu_im.thread(msg["message_id"]))


async def test_the_ack_comes_before_the_slow_vendor_answers(feishu: FeishuWorld) -> None:
    feishu.sandbox.faults.set_latency("feishu.set_host", 2.0)
    started = time.monotonic()
    msg, resp = await feishu.ask("you")
    acked_after = time.monotonic() - started
    assert resp.status_code == 200
    assert feishu.sandbox.recorder.count("feishu.set_host") == 0  # acknowledged while still working
    await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "is now host"))
    print(f"feishu event acked after {acked_after * 1000:.0f} ms while the vendor took 2 s")


async def test_chinese_by_default_english_when_the_text_is_english(feishu: FeishuWorld) -> None:
    zh, _ = await feishu.ask("you", "@_user_1 把 @_user_2 设为主持人 123456789")
    assert await wait_for(lambda: first_text(feishu.texts(zh["message_id"]), "主持人"))
    assert first_text(feishu.texts(zh["message_id"]), "飞书会议 123 456 789")
    bare, _ = await feishu.ask("you", "@_user_1 123456789", BOT)  # no words at all: Chinese
    not_understood = await wait_for(lambda: feishu.texts(bare["message_id"]))
    assert not_understood[0].startswith("抱歉，我没看懂")
    en, _ = await feishu.ask("you", "@_user_1 who is host of meeting 123456789?", BOT)
    answer = await wait_for(lambda: feishu.texts(en["message_id"]))
    assert "host" in answer[0] and not any("\u4e00" <= ch <= "\u9fff" for ch in answer[0])


async def test_group_message_without_hostbots_mention_is_ignored_p2p_is_answered(feishu: FeishuWorld) -> None:
    other, resp = await feishu.ask("you", "make @_user_1 host of meeting 123456789", feishu.user("alice"))
    assert resp.status_code == 200
    await feishu.adapter.drain()
    assert feishu.texts(other["message_id"]) == [] and feishu.set_host_calls() == []
    direct, _ = await feishu.ask("you", "make @_user_1 host of meeting 123456789", feishu.user("alice"),
                                 chat_type="p2p")
    assert await wait_for(lambda: first_text(feishu.texts(direct["message_id"]), "is now host"))
    assert len(feishu.set_host_calls()) == 1


async def test_url_verification_challenge_is_answered(feishu: FeishuWorld) -> None:
    challenge = feishu.sandbox.feishu_events.challenge()
    resp = await feishu.push(challenge)
    assert resp.status_code == 200 and resp.json() == {"challenge": challenge["challenge"]}
    wrong = await feishu.push(feishu.sandbox.feishu_events.challenge(token="not-our-token"))
    assert wrong.status_code == 401


@pytest.mark.parametrize("how", ["bad signature", "stale timestamp", "future timestamp", "wrong token",
                                 "no token", "wrong encrypt key", "unsigned"])
async def test_forged_or_replayed_requests_are_rejected(feishu: FeishuWorld, how: str) -> None:
    events = feishu.sandbox.feishu_events
    msg = feishu.says("you", ASK, BOT, feishu.user("alice"))
    envelope = events.message(msg, token="not-our-token" if how == "wrong token" else None)
    if how == "no token":  # lark-oapi checks the token only when present: the adapter must not accept this
        envelope["header"].pop("token")
    stamp = {"stale timestamp": int(time.time()) - 600, "future timestamp": int(time.time()) + 600}.get(how)
    body, headers = events.seal(envelope, timestamp=stamp,
                                encrypt_key="another-key-entirely" if how == "wrong encrypt key" else None)
    if how == "bad signature":
        headers["X-Lark-Signature"] = "0" * 64
    if how == "unsigned":
        headers = {"Content-Type": "application/json"}
    resp = await feishu.http.post("/feishu/events", content=body, headers=headers)
    assert resp.status_code == 401
    await feishu.adapter.drain()
    assert feishu.set_host_calls() == []
    assert feishu.sandbox.recorder.all("feishu.im.reply") == []


async def test_the_same_message_pushed_three_times_with_new_event_ids_acts_once(feishu: FeishuWorld) -> None:
    msg = feishu.says("you", ASK, BOT, feishu.user("alice"))
    for _ in range(3):  # Feishu re-pushes an unanswered message, each time under a new event_id
        assert (await feishu.push(feishu.sandbox.feishu_events.message(msg))).status_code == 200
    again = feishu.sandbox.feishu_events.message(msg, event_id="ev-same")
    assert (await feishu.push(again)).status_code == 200
    assert (await feishu.push(again)).status_code == 200  # and the same event_id twice
    await feishu.adapter.drain()
    assert len(feishu.set_host_calls()) == 1
    assert len([t for t in feishu.texts(msg["message_id"]) if "is now host" in t]) == 1


async def test_a_thread_reply_uses_the_meeting_linked_in_the_root_message(feishu: FeishuWorld) -> None:
    root = feishu.says("bob", "standup now: https://vc.feishu.cn/j/123456789")  # not addressed to hostbot
    msg, _ = await feishu.ask("you", "@_user_1 make @_user_2 host of this meeting", BOT, feishu.user("alice"),
                              root_id=root["message_id"])
    assert await wait_for(lambda: first_text(feishu.texts(root["message_id"]), "is now host"))
    assert msg["root_id"] == root["message_id"]
    assert feishu.sandbox.recorder.count("feishu.im.get") == 1


async def test_rich_text_is_read_and_other_messages_get_a_clear_reply(feishu: FeishuWorld) -> None:
    post = {"title": "", "content": [[{"tag": "at", "user_id": "@_user_1", "user_name": "hostbot"},
                                      {"tag": "text", "text": " make "},
                                      {"tag": "at", "user_id": "@_user_2", "user_name": "alice"},
                                      {"tag": "text", "text": " host of meeting 123456789"}]]}
    rich, _ = await feishu.ask("you", "", BOT, feishu.user("alice"), msg_type="post", content=post)
    assert await wait_for(lambda: first_text(feishu.texts(rich["message_id"]), "is now host"))
    image, _ = await feishu.ask("you", "", BOT, msg_type="image", content={"image_key": "img_v2_x"})
    assert await wait_for(lambda: feishu.texts(image["message_id"])) == [
        "我只能读取文字消息。试试：“把 @alice 设为主持人 123456789”。"]


async def test_conflict_card_retry_and_approval_double_clicks_call_the_vendor_once(feishu: FeishuWorld) -> None:
    feishu.sandbox.feishu.race_host_change(feishu.demo.feishu_meeting.id, feishu.user("bob").open_id)
    msg, _ = await feishu.ask("you")
    root = msg["message_id"]
    card = await wait_for(lambda: next(iter(feishu.cards(root)), None))
    assert "it is now @bob" in feishu.texts(root)[0] and card_has_buttons(content(card))

    # somebody else presses Retry: only they see why (a toast), and the card keeps its buttons
    resp, answer = await feishu.click("alice", card, "retry")
    assert resp.status_code == 200
    assert answer == {"toast": {"type": "error", "content": "Only @you can use this button."}}

    # the asker double-clicks Retry: answered at once, buttons gone; the second press changes nothing
    _, first = await feishu.click("you", card, "retry")
    _, second = await feishu.click("you", card, "retry")
    assert first["toast"]["type"] == "success" and not card_has_buttons(first["card"]["data"])
    assert first["card"]["data"]["elements"][1]["elements"][0]["content"] == \
        f"Retry — chosen by <at id={feishu.user('you').open_id}></at>"
    assert not card_has_buttons(second["card"]["data"])
    approval = await wait_for(lambda: next((c for c in feishu.cards(root) if "can approve" in card_text(c)), None))
    await wait_for(lambda: first_text(feishu.texts(root), "already answered"))

    # bob, the host now, approves twice; set_host runs once more (the first call met the conflict)
    await feishu.click("bob", approval, "approve")
    await feishu.click("bob", approval, "approve")
    assert await wait_for(lambda: first_text(feishu.texts(root), "is now host"))
    await feishu.adapter.drain()
    assert len(feishu.set_host_calls()) == 2


async def test_a_click_is_answered_within_3s_while_the_vendor_work_continues(sandbox: Sandbox,
                                                                              tmp_path: Path) -> None:
    async with feishu_world(sandbox, tmp_path, HOSTBOT_CONFIRM="set_host=always") as feishu:
        msg, _ = await feishu.ask("you")
        card = await wait_for(lambda: next(iter(feishu.cards(msg["message_id"])), None))
        assert [b["text"]["content"] for b in feishu.sandbox.feishu_im.buttons(card)] == ["Confirm", "Cancel"]
        feishu.sandbox.faults.set_latency("feishu.set_host", 2.5)
        started = time.monotonic()
        resp, answer = await feishu.click("you", card, "confirm")
        answered_after = time.monotonic() - started
        assert resp.status_code == 200
        assert answer["toast"] == {"type": "info", "content": "Working on it…"}
        assert not card_has_buttons(answer["card"]["data"])
        assert feishu.sandbox.recorder.count("feishu.set_host") == 0  # the vendor work is still under way
        assert await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "is now host"))
        print(f"card click answered after {answered_after * 1000:.0f} ms while set_host took 2.5 s")


async def test_a_send_retried_after_a_5xx_is_posted_once(feishu: FeishuWorld) -> None:
    feishu.sandbox.faults.arm(Fault("feishu.im.reply", status=500, body={"code": 1, "msg": "internal"}))
    msg, _ = await feishu.ask("you")
    assert await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "is now host"))
    # the fake records a request after answering it: wait for the second attempt's record too
    await wait_for(lambda: len(reply_bodies(feishu.sandbox)) >= 2)
    attempts = reply_bodies(feishu.sandbox)
    assert len(attempts) == 2 and attempts[0]["uuid"] == attempts[1]["uuid"]
    assert len(feishu.texts(msg["message_id"])) == 1


async def test_the_im_fake_runs_one_uuid_once(feishu: FeishuWorld) -> None:
    msg = feishu.says("you", "hello")
    adapter = feishu.adapter
    await adapter.deliver(msg["message_id"], [Reply("once")], "en", key="same-key")
    await adapter.deliver(msg["message_id"], [Reply("once")], "en", key="same-key")  # a retried send
    assert feishu.texts(msg["message_id"]) == ["once"]
    assert feishu.sandbox.recorder.count("feishu.im.reply") == 2


async def test_a_scheduled_handover_reminds_and_reports_in_the_feishu_thread(feishu: FeishuWorld) -> None:
    msg, _ = await feishu.ask("you", "@_user_1 in 20 minutes make @_user_2 host of meeting 123456789")
    root = msg["message_id"]
    await wait_for(lambda: feishu.texts(root))
    scheduler = feishu.runtime.bot.scheduler
    assert scheduler.notifiers["feishu"] is feishu.adapter
    now = feishu.runtime.bot.services.clock()
    await scheduler.run_due(now + timedelta(minutes=11))  # the reminder is due (10 minutes before)
    await scheduler.run_due(now + timedelta(minutes=21))  # and the handover itself
    assert await wait_for(lambda: first_text(feishu.texts(root), "is now host"))
    scheduled, reminded, done = feishu.texts(root)  # all three in the thread of the request
    assert scheduled.startswith("⏰ Handover #1 scheduled") and reminded.startswith("⏰ Reminder, @you and @alice")
    assert without_undo(done).endswith("✅ @alice is now host of Feishu meeting 123 456 789.")
    assert len(feishu.set_host_calls()) == 1
    # with no thread to answer in, a notice is a new message in the chat
    await feishu.adapter.post("feishu", msg["chat_id"], "", [Reply("no thread")])
    assert [m for m in feishu.sandbox.feishu_im.messages.values() if "no thread" in m["content"]]


async def test_webhook_mode_is_off_without_keys(sandbox: Sandbox, tmp_path: Path) -> None:
    async with feishu_world(sandbox, tmp_path, FEISHU_ENCRYPT_KEY=" ", FEISHU_VERIFICATION_TOKEN=" ") as world:
        resp = await world.http.post("/feishu/events", content=b"{}")
        assert resp.status_code == 503
        assert "FEISHU_ENCRYPT_KEY" in resp.json()["msg"]
