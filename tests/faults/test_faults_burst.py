"""A burst against Feishu's limit: 500 set_host at once all complete, paced within 50 per second.

The pacing itself is checked on a manual clock (no test waits or measures time): the limiter spaces
Feishu calls 20 ms apart, so no 1-second window holds more than 50 — also after a pause, when a
plain sliding window would let 50 through at once (bench/limits.py measures the real thing).
"""

from __future__ import annotations

import asyncio
import itertools

from bot.core.model.outcome import VendorUser
from bot.core.model.vendor import Meeting
from bot.sandbox import Sandbox
from bot.sandbox.feishu.limits import AppRateLimit
from bot.vendors.feishu.vendor import RATE_WINDOWS, FeishuVendor
from bot.vendors.http import RateLimiter
from tests.support.faults import NoWait
from tests.support.vendors import ManualClock

BURST = 500


async def test_spaced_calls_never_put_more_than_50_in_a_second() -> None:
    clock = ManualClock()
    limiter = RateLimiter(RATE_WINDOWS, clock=clock, sleep=clock.sleep, spacing=RATE_WINDOWS[0][1] / RATE_WINDOWS[0][0])
    sent: list[float] = []
    for n in range(1100):
        if n == 300:
            clock.now += 5.0  # a quiet spell: the next burst starts with an empty window
        await limiter.acquire()
        sent.append(clock.now)
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 0.02 - 1e-9
    assert max(sum(1 for t in sent if s <= t < s + 1.0) for s in sent) <= 50
    assert max(sum(1 for t in sent if s <= t < s + 60.0) for s in sent) <= 1000


async def test_500_set_host_at_once_all_complete(sandbox: Sandbox) -> None:
    f = sandbox.feishu
    # The client's waits are nulled here (NoWait) so that no test sleeps: the fake's own 50/s budget
    # (tests/sandbox/test_sandbox_strict.py) would refuse the burst, so it is lifted for this one.
    f.rate = AppRateLimit(windows=())
    you, alice = f.add_user("you"), f.add_user("alice")
    meetings = [f.add_meeting(you, [alice], topic=f"Burst {i}") for i in range(BURST)]
    env = sandbox.env()
    vendor = FeishuVendor(env["FEISHU_APP_ID"], env["FEISHU_APP_SECRET"], env["FEISHU_DOMAIN"], sleep=NoWait())
    assert vendor.limiter.spacing == 0.02  # Feishu's 50/s, evenly
    try:
        outcomes = await asyncio.gather(*(
            vendor.set_host(Meeting("feishu", m.id, m.meeting_no, host=VendorUser(you.open_id)),
                            VendorUser(alice.open_id), VendorUser(you.open_id)) for m in meetings))
    finally:
        await vendor.aclose()
    assert [o.kind.value for o in outcomes] == ["ok"] * BURST
    assert sandbox.recorder.count("feishu.set_host") == BURST
    assert sandbox.recorder.count("feishu.token") == 1  # one token fetch for the whole burst
    assert {m.host[0] for m in meetings} == {alice.open_id}
