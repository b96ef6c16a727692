"""GET /metrics after a few Slack requests, parsed with prometheus-client's own text parser: the
counters say what was done. GET /healthz turns 503 when the store or the scheduler is down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.sandbox import Fault, Sandbox
from tests.support.operate import InstantSleep, slack_world
from tests.support.slack import SlackWorld, wait_for

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(slack: SlackWorld) -> Samples:
    resp = await slack.http.get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(resp.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: v for (n, labels), v in samples.items() if n == name}


async def until(slack: SlackWorld, check: Callable[[Samples], bool], timeout: float = 15.0) -> Samples:
    """Scrape until `check` holds (the work after an ack runs in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        samples = await scrape(slack)
        if check(samples):
            return samples
        assert time.monotonic() < deadline, "metrics never showed the expected counts"
        await asyncio.sleep(0.05)


def _replies(slack: SlackWorld, word: str) -> int:
    return sum(1 for m in slack.messages() if word in m.get("text", ""))


async def test_counters_match_what_was_done(sandbox: Sandbox, tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as slack:
        feishu = slack.runtime.bot.services.vendors["feishu"]
        feishu.limiter.sleep = InstantSleep()
        users, bot_id = slack.users, sandbox.slack.bot_user.id
        before = await scrape(slack)
        assert value(before, "hostbot_scheduled_handovers_pending") == 0
        assert series(before, "hostbot_requests_total") == {}

        # 1. a scheduled handover, by the host: one pending in the store
        await slack.command("you", f"in 20 minutes make <@{users['bob'].id}> host of meeting 123456789")
        await wait_for(lambda: _replies(slack, "Scheduled") or _replies(slack, "scheduled"))
        # 2. set host now, through one 429 that is waited out (Retry-After: 1)
        sandbox.faults.arm(Fault("feishu.set_host", status=429, headers={"Retry-After": "1"},
                                 body={"code": 99991400, "msg": "request trigger frequency limit"}))
        await slack.command("you", f"make <@{users['alice'].id}> host of meeting 123456789")
        await wait_for(lambda: _replies(slack, "is now host"))
        # 3. words hostbot does not understand, delivered twice by Slack (a retry of the same event)
        event = {"type": "app_mention", "user": users["carol"].id, "channel": slack.channel.id,
                 "ts": "1700000100.000100", "text": f"<@{bot_id}> blah blah"}
        await slack.event(event, "EvMetrics1")
        await slack.event(event, "EvMetrics1", retry=1)
        # 4. a slash command delivered twice under one trigger_id
        await slack.command("carol", "help", trigger="trig-metrics-1")
        await slack.command("carol", "help", trigger="trig-metrics-1")

        after = await until(slack, lambda s: value(s, "hostbot_duplicate_deliveries_total", platform="slack") == 2
                            and sum(series(s, "hostbot_requests_total").values()) == 4)
        requests = {tuple(sorted(labels)): v for labels, v in series(after, "hostbot_requests_total").items()}
        assert requests == {
            (("intent", "schedule_handover"), ("outcome", "scheduled"), ("platform", "slack")): 1.0,
            (("intent", "set_host"), ("outcome", "ok"), ("platform", "slack")): 1.0,
            (("intent", "unknown"), ("outcome", "not_understood"), ("platform", "slack")): 1.0,
            (("intent", "help"), ("outcome", "answered"), ("platform", "slack")): 1.0,
        }
        assert value(after, "hostbot_duplicate_deliveries_total", platform="slack") == 2
        # every Slack delivery was acknowledged, the duplicates too: 4 commands + 2 events
        assert value(after, "hostbot_ack_seconds_count", platform="slack") == 6
        assert value(after, "hostbot_ack_seconds_bucket", platform="slack", le="+Inf") == 6
        # one set_host operation (two HTTP calls: the 429, then the answer)
        assert sandbox.recorder.count("feishu.set_host") == 2
        assert value(after, "hostbot_vendor_call_seconds_count", vendor="feishu", operation="set_host",
                     outcome="ok") == 1
        assert value(after, "hostbot_rate_limit_waits_total", vendor="feishu") == 1
        # the Retry-After, less the moment between the answer and the wait
        assert 0.9 < value(after, "hostbot_rate_limit_wait_seconds_total", vendor="feishu") <= 1.0
        assert value(after, "hostbot_scheduled_handovers_pending") == 1


async def test_declined_and_refused_clicks_are_counted_by_what_became_of_them(
        sandbox: Sandbox, tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as slack:
        users = slack.users
        # bob is not the host: his request goes to the host (you) for approval
        await slack.command("bob", f"make <@{users['carol'].id}> host of meeting 123456789")
        approval = await wait_for(lambda: next((m for m in slack.messages() if "can approve" in m.get("text", "")
                                                and m.get("blocks")), None))
        await slack.click("carol", approval, "hostbot_approve")  # not carol's to press
        await slack.click("you", approval, "hostbot_decline")
        samples = await until(slack, lambda s: sum(series(s, "hostbot_requests_total").values()) == 3)
        requests = {tuple(sorted(labels)): v for labels, v in series(samples, "hostbot_requests_total").items()}
        assert requests == {
            (("intent", "set_host"), ("outcome", "approval_requested"), ("platform", "slack")): 1.0,
            (("intent", "set_host"), ("outcome", "foreign_click"), ("platform", "slack")): 1.0,
            (("intent", "set_host"), ("outcome", "declined"), ("platform", "slack")): 1.0,
        }
        assert sandbox.recorder.count("feishu.set_host") == 0
        assert series(samples, "hostbot_vendor_call_seconds_count") == {}


async def test_healthz_is_503_when_the_scheduler_or_the_store_is_down(sandbox: Sandbox, tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as slack:
        bot = slack.runtime.bot
        await bot.start()
        health = await slack.http.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"ok": True, "checks": {"store": "ok", "scheduler": "ok"},
                                 "store": {"kind": "sqlite", "at": bot.services.store.path}}

        await bot.scheduler.stop()
        health = await slack.http.get("/healthz")
        assert health.status_code == 503
        assert health.json()["checks"] == {"store": "ok", "scheduler": "stopped"}

        await bot.services.store.aclose()
        health = await slack.http.get("/healthz")
        assert health.status_code == 503
        assert health.json()["checks"]["store"].startswith("error")
        # /metrics still answers (the pending count reads as NaN) rather than failing the scrape
        metrics = await slack.http.get("/metrics")
        assert metrics.status_code == 200 and "hostbot_scheduled_handovers_pending NaN" in metrics.text
