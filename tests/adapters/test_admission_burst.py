"""Turns through the real Slack path (signed /host commands, the sandbox's Slack and Feishu, SQLite): a request
waiting on its vendor, or on Slack, does not hold the requests behind it; a burst is answered whole, in the
order it came, and no turn is left held (bot/core/request/admission.py). The turns here are one wide and
never expire (lease 60 s), so only giving a turn away at the vendor, and lending it to Slack, can let the
second request through while the first waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.request.admission import Admission
from bot.devtools.demo import DEMO_MEETING_NO
from bot.sandbox import Sandbox
from tests.support.operate import slack_world
from tests.support.slack import SlackWorld, wait_for

SLOW_S = 1.5


@pytest.fixture
async def world(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(sandbox, tmp_path) as w:
        w.runtime.bot.services.admission = Admission(width=1, lease=60)
        yield w


def answers(world: SlackWorld) -> list[dict[str, object]]:
    """The answers to "who is host" (replies in the requests' threads)."""
    return [m for m in world.messages() if " is host." in str(m.get("text", "")) and m.get("thread_ts")
            and m.get("thread_ts") != m.get("ts")]


async def test_a_request_waiting_on_its_vendor_lets_the_next_one_reach_its_own(world: SlackWorld) -> None:
    world.sandbox.faults.set_latency("feishu.list_by_no", SLOW_S)  # the vendor takes its time with both
    acks = await asyncio.gather(world.command("you", f"who is host of meeting {DEMO_MEETING_NO}?"),
                                world.command("bob", f"who is host of meeting {DEMO_MEETING_NO}?"))
    assert [a.status_code for a in acks] == [200, 200]
    await wait_for(lambda: len(answers(world)) >= 2)
    asked = [r.at for r in world.sandbox.recorder.all("feishu.list_by_no")]
    assert len(asked) == 2
    # the second asked while the first waited for its answer, not after it
    assert asked[1] - asked[0] < SLOW_S - 0.5, asked
    assert world.runtime.bot.services.admission.busy == 0


async def test_a_request_waiting_on_slack_lends_its_turn(world: SlackWorld) -> None:
    world.sandbox.faults.set_latency("slack.chat.postMessage", SLOW_S)  # opening each request's thread is slow
    started = asyncio.get_running_loop().time()
    await asyncio.gather(world.command("you", f"who is host of meeting {DEMO_MEETING_NO}?"),
                         world.command("bob", f"who is host of meeting {DEMO_MEETING_NO}?"))
    await wait_for(lambda: len(answers(world)) >= 2)
    # both threads were opened side by side, the turn lent meanwhile: one slow Slack round, then the answers
    # (turns held across Slack's answer would put the second request's whole round after the first's)
    opened = sorted(r.at for r in world.sandbox.recorder.all("slack.chat.postMessage"))[:2]
    assert opened[1] - opened[0] < SLOW_S - 0.5, opened
    assert asyncio.get_running_loop().time() - started < 4 * SLOW_S
    assert world.runtime.bot.services.admission.busy == 0


async def test_a_burst_is_answered_whole_in_the_order_it_came(world: SlackWorld) -> None:
    world.runtime.bot.services.admission = admission = Admission(width=2, lease=60)
    numbers: list[int] = []
    real = admission._acquire

    async def noted(number: int) -> None:
        await real(number)
        numbers.append(number)

    admission._acquire = noted  # type: ignore[method-assign]
    texts = [f"who is host of meeting {DEMO_MEETING_NO}?"] * 12
    acks = await asyncio.gather(*(world.command("you", text) for text in texts))
    assert [a.status_code for a in acks] == [200] * 12
    await wait_for(lambda: len(answers(world)) >= 12)
    firsts = list(dict.fromkeys(numbers))  # each request's first turn (a lent turn taken back comes again later)
    assert len(firsts) == 12 and firsts == sorted(firsts)
    assert admission.busy == 0 and not admission._waiting
