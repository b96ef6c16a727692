"""Slack end to end: signed requests to POST /slack/events on the ASGI app; the Web API client and
lark-oapi talk to the sandbox over 127.0.0.1; assertions on the thread and the vendor fake."""

from __future__ import annotations

import copy
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import build
from bot.config import settings_from_mapping
from bot.devtools.demo import seed
from bot.ops.server import build_runtime, create_asgi
from bot.sandbox import Sandbox
from tests.support.slack import SIGNING_SECRET, SlackWorld, sign, wait_for

ASK = "make <@{alice}|alice> host of meeting 123456789"


@pytest.fixture
async def slack(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    demo = seed(sandbox)
    users = sandbox.slack.seed(("you", "alice", "bob", "carol"))
    channel = sandbox.slack.channel_named("general")
    settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "h.db"),
                                      "SLACK_SIGNING_SECRET": SIGNING_SECRET})
    bot = build(settings)
    for name, user in users.items():  # an admin's explicit mapping: Slack user -> Feishu account
        feishu = demo.users[name]
        await bot.services.store.upsert_person("slack", user.id, name=name, email=user.email,
                                         feishu_open_id=feishu.open_id)
    runtime = build_runtime(settings, bot)
    transport = httpx.ASGITransport(app=create_asgi(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://hostbot.test") as http:
        yield SlackWorld(sandbox, demo, runtime, http, users, channel)
    await runtime.aclose()


def _thread_text(world: SlackWorld, thread: str) -> str:
    return "\n".join(m.get("text", "") for m in world.replies_in(thread))


async def test_slash_command_changes_host_and_answers_in_a_thread(slack: SlackWorld) -> None:
    resp = await slack.command("you", ASK.format(alice=slack.users["alice"].id))
    assert resp.status_code == 200
    root = await wait_for(lambda: next((m for m in slack.messages() if "asked" in m.get("text", "")), None))
    assert root["text"].startswith(f"<@{slack.users['you'].id}> asked: /host make")
    done = await wait_for(lambda: "is now host" in _thread_text(slack, root["ts"]))
    assert done
    assert "is now host of Feishu meeting 123 456 789" in _thread_text(slack, root["ts"])
    assert slack.set_host_calls() == [{"host_user": {"id": slack.demo.users["alice"].open_id, "user_type": 1},
                                       "old_host_user": {"id": slack.demo.users["you"].open_id, "user_type": 1}}]


async def test_ack_comes_before_the_slow_vendor_answers(slack: SlackWorld) -> None:
    slack.sandbox.faults.set_latency("feishu.set_host", 2.0)
    started = time.monotonic()
    resp = await slack.command("you", ASK.format(alice=slack.users["alice"].id))
    acked_after = time.monotonic() - started
    assert resp.status_code == 200
    # acknowledged while the vendor was still working: nothing recorded, no answer yet
    assert slack.sandbox.recorder.count("feishu.set_host") == 0
    assert not any("is now host" in m.get("text", "") for m in slack.messages())
    await wait_for(lambda: any("is now host" in m.get("text", "") for m in slack.messages()))
    print(f"slash command acked after {acked_after * 1000:.0f} ms while the vendor took 2 s")


@pytest.mark.parametrize("how", ["forged", "stale"])
async def test_forged_or_stale_signature_is_rejected(slack: SlackWorld, how: str) -> None:
    body = "command=%2Fhost&text=make+me+host+of+123456789&user_id=" + slack.users["bob"].id
    headers = sign(body, secret="not-the-secret") if how == "forged" else sign(body, ts=int(time.time()) - 600)
    resp = await slack.http.post("/slack/events", content=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
    assert resp.status_code == 401
    assert slack.sandbox.recorder.all("feishu.set_host") == []
    assert slack.sandbox.recorder.all("slack.chat.postMessage") == []


async def test_event_delivered_three_times_acts_once(slack: SlackWorld) -> None:
    bot_id = slack.sandbox.slack.bot_user.id
    event = {"type": "app_mention", "user": slack.users["you"].id, "channel": slack.channel.id,
             "text": f"<@{bot_id}> make <@{slack.users['alice'].id}> host of meeting 123456789",
             "ts": "1700000000.000100", "event_ts": "1700000000.000100"}
    for retry in range(3):
        assert (await slack.event(event, "Ev0001", retry=retry)).status_code == 200
    await wait_for(lambda: "is now host" in _thread_text(slack, event["ts"]))
    assert len(slack.set_host_calls()) == 1
    assert len([m for m in slack.replies_in(event["ts"]) if "is now host" in m["text"]]) == 1


async def test_mention_in_a_thread_uses_the_meeting_named_in_the_root(slack: SlackWorld) -> None:
    root = {"type": "message", "user": slack.users["bob"].id, "ts": "1699999999.000001",
            "text": "standup now: https://vc.feishu.cn/j/123456789"}
    slack.channel.messages.append(root)  # a person's message, posted before hostbot was asked
    bot_id = slack.sandbox.slack.bot_user.id
    event = {"type": "app_mention", "user": slack.users["you"].id, "channel": slack.channel.id,
             "text": f"<@{bot_id}> make <@{slack.users['alice'].id}> host of this meeting",
             "ts": "1700000001.000200", "thread_ts": root["ts"], "event_ts": "1700000001.000200"}
    await slack.event(event, "Ev0002")
    await wait_for(lambda: "is now host" in _thread_text(slack, root["ts"]))


async def test_double_click_on_retry_calls_the_vendor_once(slack: SlackWorld) -> None:
    store = slack.runtime.bot.services.store
    await store.upsert_person("slack", slack.users["you"].id, name="you", email=slack.users["you"].email,
                        feishu_open_id=slack.demo.users["you"].open_id)
    slack.sandbox.feishu.race_host_change(slack.meeting_id, slack.demo.users["bob"].open_id)
    await slack.command("you", ASK.format(alice=slack.users["alice"].id))
    # A copy, as a person's two clicks both carry the message they saw (the fake updates its own in place).
    conflict = copy.deepcopy(await wait_for(lambda: next((m for m in slack.messages() if m.get("blocks") and any(
        b["type"] == "actions" for b in m["blocks"])), None)))
    assert f"it is now <@{slack.users['bob'].id}>" in conflict["text"]
    # bob is host now; he retries on our behalf? No: only the asker may press Retry.
    foreign = await slack.click("bob", conflict, "hostbot_retry")
    assert foreign.status_code == 200
    await wait_for(lambda: slack.channel.ephemeral)
    assert f"Only <@{slack.users['you'].id}> can use this button." in slack.channel.ephemeral[-1]["text"]
    # the asker double-clicks Retry -> approval request to bob (the host now), once
    await slack.click("you", conflict, "hostbot_retry", action_ts="1.1")
    await slack.click("you", conflict, "hostbot_retry", action_ts="1.2")
    approval = copy.deepcopy(await wait_for(lambda: next((m for m in slack.messages() if "can approve" in m.get(
        "text", "") and m.get("blocks")), None)))
    await wait_for(lambda: any("already answered" in m.get("text", "") for m in slack.messages()))
    updated = conflict_after = next(m for m in slack.messages() if m["ts"] == conflict["ts"])
    assert not any(b["type"] == "actions" for b in conflict_after["blocks"]), updated
    # bob approves, twice
    await slack.click("bob", approval, "hostbot_approve", action_ts="2.1")
    await slack.click("bob", approval, "hostbot_approve", action_ts="2.2")
    await wait_for(lambda: any("is now host" in m.get("text", "") for m in slack.messages()))
    assert len(slack.set_host_calls()) == 2  # the conflicting first call + exactly one after approval


async def test_chinese_locale_gets_chinese_replies(slack: SlackWorld) -> None:
    slack.users["you"].locale = "zh-CN"
    await slack.command("you", ASK.format(alice=slack.users["alice"].id))
    await wait_for(lambda: any("主持人" in m.get("text", "") for m in slack.messages()))
    root = next(m for m in slack.messages() if "请求" in m.get("text", ""))
    assert "飞书会议 123 456 789" in _thread_text(slack, root["ts"])


async def test_healthz_and_metrics(slack: SlackWorld) -> None:
    health = await slack.http.get("/healthz")
    assert health.status_code == 200 and health.json()["checks"]["store"] == "ok"
    metrics = await slack.http.get("/metrics")
    assert metrics.status_code == 200 and "hostbot_requests" in metrics.text


async def test_socket_mode_delivers_events_without_http(sandbox: Sandbox, tmp_path: Path) -> None:
    from bot.ops.server import start_socket_mode

    demo = seed(sandbox)
    users = sandbox.slack.seed(("you", "alice"))
    channel = sandbox.slack.channel_named("general")
    app_token = sandbox.slack_socket.app_token
    settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "s.db"),
                                      "SLACK_APP_TOKEN": app_token})
    bot = build(settings)
    for name, user in users.items():
        await bot.services.store.upsert_person("slack", user.id, name=name, feishu_open_id=demo.users[name].open_id)
    runtime = build_runtime(settings, bot)
    await start_socket_mode(runtime, app_token)
    try:
        await wait_for(lambda: sandbox.slack_socket.connections == 1)  # the server counts after its accept()
        bot_id = sandbox.slack.bot_user.id
        event = {"type": "app_mention", "user": users["you"].id, "channel": channel.id, "ts": "1700000002.000300",
                 "text": f"<@{bot_id}> make <@{users['alice'].id}> host of meeting 123456789"}
        body = {"token": "legacy", "team_id": sandbox.slack.team_id, "api_app_id": sandbox.slack.app_id,
                "event": event, "type": "event_callback", "event_id": "EvSock1", "event_time": int(time.time())}
        first = sandbox.slack_socket.push("events_api", body)
        again = sandbox.slack_socket.push("events_api", body, retry_attempt=1)  # Slack redelivers
        await wait_for(lambda: sandbox.slack_socket.acked(first) and sandbox.slack_socket.acked(again))
        await wait_for(lambda: any("is now host" in m.get("text", "") for m in channel.messages))
        assert sandbox.recorder.count("feishu.set_host") == 1
        # the HTTP endpoint still refuses unsigned requests (no signing secret configured)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_asgi(runtime)),
                                     base_url="http://h") as http:
            assert (await http.post("/slack/events", content="command=/host")).status_code == 503
            assert (await http.get("/healthz")).json()["checks"]["slack_socket_mode"] == "ok"
    finally:
        await runtime.aclose()


async def test_slack_429_is_waited_out_and_the_answer_still_lands(slack: SlackWorld) -> None:
    slack.sandbox.slack.ratelimit("chat.postMessage", retry_after=1, times=1)  # the thread starter is refused once
    await slack.command("you", ASK.format(alice=slack.users["alice"].id))
    await wait_for(lambda: any("is now host" in m.get("text", "") for m in slack.messages()))
    statuses = [r.status for r in slack.sandbox.recorder.all("slack.chat.postMessage")]
    assert statuses[0] == 429 and statuses[1] == 200  # slack_sdk's RateLimitErrorRetryHandler retried
    assert sum("asked" in m.get("text", "") for m in slack.messages()) == 1
