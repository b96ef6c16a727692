"""The adapters' pipeline (bot/adapters/pipeline.py) is the one place where deliveries are de-duplicated:
the same Slack event sent to two replicas that share one PostgreSQL store (the second as Slack's retry)
changes the host once and is answered once, and no other module claims a delivery."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from tests.support.operate import slack_replicas
from tests.support.slack import wait_for

ROOT = Path(__file__).resolve().parents[2]


async def test_one_event_delivered_to_two_replicas_acts_once(sandbox: Sandbox, request: pytest.FixtureRequest) -> None:
    async with slack_replicas(sandbox, str(request.getfixturevalue("pg_url"))) as (a, b):
        bot_id = sandbox.slack.bot_user.id
        event = {"type": "app_mention", "user": a.users["you"].id, "channel": a.channel.id,
                 "text": f"<@{bot_id}> make <@{a.users['alice'].id}> host of meeting 123456789",
                 "ts": "1700000000.000500", "event_ts": "1700000000.000500"}
        # the first delivery to one replica, Slack's retry (same event_id) to the other, at once
        acks = await asyncio.gather(a.event(event, "EvTwoReplicas"), b.event(event, "EvTwoReplicas", retry=1))
        assert [r.status_code for r in acks] == [200, 200]
        await wait_for(lambda: any("is now host" in m["text"] for m in a.replies_in(event["ts"])))
        await asyncio.sleep(0.3)  # room for a second answer, were there one
        assert len(a.set_host_calls()) == 1
        assert len(a.replies_in(event["ts"])) == 1  # one answer in the thread, from one replica
        dropped = sum(w.runtime.metrics.duplicates.labels("slack")._value.get() for w in (a, b))
        assert dropped == 1


def test_deliveries_are_claimed_in_the_pipeline_only() -> None:
    """No adapter, handler or core module claims a delivery by itself (the store defines the claim)."""
    claimers = sorted(str(p.relative_to(ROOT)) for top in ("bot", "handlers") for p in (ROOT / top).rglob("*.py")
                      if "store" not in p.relative_to(ROOT).parts and re.search(r"\.first_delivery\(", p.read_text()))
    assert claimers == ["bot/adapters/pipeline.py"]
