"""Pacing (bot/vendors/http.RateLimiter, issue 27): on a busy loop every wake-up is a little late; the
schedule must not drift by that much per call (it cost ~15 % of Feishu's 50/s under load), a stall must
not let calls bunch up afterwards, and the windows still count when calls really went."""

from __future__ import annotations

import itertools

import pytest

from bot.vendors.http import RateLimiter
from tests.support.vendors import ManualClock


def late_by(clock: ManualClock, late: float, stall_at: int = -1, stall: float = 0.0):  # type: ignore[no-untyped-def]
    calls = {"n": 0}

    async def sleep(seconds: float) -> None:
        calls["n"] += 1
        clock.now += seconds + late + (stall if calls["n"] == stall_at else 0.0)
    return sleep


async def sent_times(limiter: RateLimiter, clock: ManualClock, n: int) -> list[float]:
    times = []
    for _ in range(n):
        await limiter.acquire()
        times.append(clock.now)
    return times


async def test_a_few_ms_late_at_every_wake_up_does_not_add_up() -> None:
    clock = ManualClock()
    limiter = RateLimiter(((50, 1.0),), clock=clock, sleep=late_by(clock, 0.003), spacing=0.02)
    times = await sent_times(limiter, clock, 101)
    assert times[-1] < 100 * 0.02 + 0.01  # not 100 × 23 ms = 2.3 s (13 % slower): the window's own wait adds 3 ms
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.02 - 1e-9 - 0.003


async def test_after_a_stall_calls_do_not_bunch_up() -> None:
    clock = ManualClock()
    limiter = RateLimiter(((50, 1.0),), clock=clock, sleep=late_by(clock, 0.0, stall_at=5, stall=0.2), spacing=0.02)
    times = await sent_times(limiter, clock, 20)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.02 - 1e-9  # the call after the stall starts a new schedule: no catching up
    assert max(gaps) == pytest.approx(0.22)


@pytest.mark.parametrize("late", [0.0, 0.004, 0.009])
async def test_the_window_holds_for_the_times_calls_really_went(late: float) -> None:
    clock = ManualClock()
    limiter = RateLimiter(((50, 1.0),), clock=clock, sleep=late_by(clock, late), spacing=0.02)
    times = await sent_times(limiter, clock, 300)
    most = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert most <= 50
