"""The Feishu limiter in real time against the strict fake (its own sliding window of 50 per second: over it,
429 and a one-second pause for the whole app): calls all at once, with the event loop kept busy meanwhile,
never draw a 429 and never put more than 50 in any second at the fake, and they go at the paced rate."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from bot.core.model.outcome import VendorUser
from bot.core.model.vendor import Meeting
from bot.sandbox import Sandbox
from bot.vendors.feishu.vendor import FeishuVendor
from tests.support.rates import busiest_window

CALLS = 110  # more than two windows' worth: ~2.3 s at 50 per 1.05 s


async def busy_loop(block: float, every: float) -> None:
    """Hold the event loop `block` seconds every `every` seconds (other requests' work): wake-ups come late."""
    while True:
        await asyncio.sleep(every)
        time.sleep(block)


@pytest.mark.serial  # real time against the fake's real-time window: alone, not beside the parallel suite
async def test_calls_at_once_never_overfill_the_fakes_second(sandbox: Sandbox) -> None:
    f = sandbox.feishu
    you, alice = f.add_user("you"), f.add_user("alice")
    meetings = [f.add_meeting(you, [alice], topic=f"Paced {i}") for i in range(CALLS)]
    env = sandbox.env()
    vendor = FeishuVendor(env["FEISHU_APP_ID"], env["FEISHU_APP_SECRET"], env["FEISHU_DOMAIN"])
    await vendor.auth.token()  # the tenant token first: the burst is set_host alone
    busy = asyncio.ensure_future(busy_loop(0.004, 0.010))
    started = time.monotonic()
    try:
        outcomes = await asyncio.gather(*(
            vendor.set_host(Meeting("feishu", m.id, m.meeting_no, host=VendorUser(you.open_id)),
                            VendorUser(alice.open_id), VendorUser(you.open_id)) for m in meetings))
    finally:
        took = time.monotonic() - started
        busy.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await busy
        await vendor.aclose()
    calls = sandbox.recorder.all("feishu.set_host")
    statuses = [c.status for c in calls]
    assert statuses.count(429) == 0, f"{statuses.count(429)} refused"
    assert [o.kind.value for o in outcomes] == ["ok"] * CALLS
    assert busiest_window([c.at for c in calls]) <= 50
    step = vendor.limiter.step
    # paced, and late wake-ups do not add up: (CALLS - 1) steps and a little, not 10 % more
    assert (CALLS - 1) * step <= took < (CALLS - 1) * step * 1.06 + 0.15, (took, vendor.limiter.rebooked)
