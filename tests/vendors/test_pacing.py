"""Pacing on a schedule of slots (bot/vendors/http.RateLimiter, issue 27), on virtual time: late wake-ups do
not add up, a call that reaches the vendor within the margin of its slot never makes a window hold more than
its limit there, and a call woken later than `late` books another slot. The real thing against the strict
Feishu fake is tests/vendors/test_pacing_live.py."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Callable

import pytest

from bot.vendors.feishu.vendor import RATE_WINDOWS
from bot.vendors.http import LATE_S, MARGIN_S, RateLimiter
from tests.support.rates import busiest_window
from tests.support.vendors import ManualClock

SPACING = RATE_WINDOWS[0][1] / RATE_WINDOWS[0][0]  # Feishu: 50/s, 20 ms apart


class VirtualTime:
    """Concurrent callers on virtual time: every sleep ends `overshoot()` late (a busy event loop)."""

    def __init__(self, overshoot: Callable[[], float] = lambda: 0.0) -> None:
        self.now = 0.0
        self.overshoot = overshoot
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(0.0, seconds) + self.overshoot(), next(self._seq), fut))
        await fut

    async def run(self, *coros: object) -> None:
        tasks = [asyncio.ensure_future(c) for c in coros]  # type: ignore[arg-type]
        while not all(t.done() for t in tasks):
            for _ in range(3):  # let every woken caller reach its next sleep
                await asyncio.sleep(0)
            if self._timers:
                when, _, fut = heapq.heappop(self._timers)
                self.now = max(self.now, when)
                fut.set_result(None)
        for t in tasks:
            t.result()


def feishu(clock: VirtualTime | ManualClock, sleep: Callable[[float], object]) -> RateLimiter:
    return RateLimiter(RATE_WINDOWS, clock=clock, sleep=sleep, spacing=SPACING, name="feishu")  # type: ignore[arg-type]


async def calls_at_once(n: int, clock: VirtualTime, limiter: RateLimiter,
                        after: Callable[[], float] = lambda: 0.0) -> list[float]:
    """`n` callers at once; when each would reach the vendor: the moment acquire() returned + `after()`."""
    arrivals: list[float] = []

    async def call() -> None:
        await limiter.acquire()
        arrivals.append(clock.now + after())

    await clock.run(*(call() for _ in range(n)))
    return sorted(arrivals)


async def test_late_wake_ups_do_not_add_up() -> None:
    clock = VirtualTime(overshoot=lambda: 0.004)  # every wake-up 4 ms late
    limiter = feishu(clock, clock.sleep)
    arrivals = await calls_at_once(201, clock, limiter)
    step = SPACING * (1 + MARGIN_S)
    assert limiter.step == pytest.approx(step)
    # 200 steps and one wake-up's lateness, not 200 x (step + 4 ms) as when pacing from the last real send
    assert arrivals[-1] == pytest.approx(200 * step + 0.004, abs=1e-6)
    assert limiter.rebooked == 0 and busiest_window(arrivals) <= 50


@pytest.mark.parametrize("seed", range(4))
async def test_jitter_within_the_margin_never_puts_more_than_the_limit_in_a_window(seed: int) -> None:
    rng = random.Random(seed)
    # Wake-ups up to 2 x LATE_S late (some book again), then up to the rest of the margin on the way to the
    # vendor, chosen at random per call: the vendor's sliding second must never hold more than 50.
    clock = VirtualTime(overshoot=lambda: rng.choice([0.0, rng.uniform(0, 2 * LATE_S)]))
    limiter = feishu(clock, clock.sleep)
    arrivals = await calls_at_once(400, clock, limiter, after=lambda: rng.uniform(0, MARGIN_S - LATE_S))
    assert len(arrivals) == 400
    assert busiest_window(arrivals) <= 50
    assert limiter.rebooked > 0  # the rule was exercised
    # a call that books again costs the slot it missed, not a shift of every later slot
    assert arrivals[-1] <= (400 + limiter.rebooked) * limiter.step + 2 * MARGIN_S


async def test_without_the_margin_the_same_jitter_would_overfill_a_window() -> None:
    """The control: the previous schedule's catch-up (no margin) with the same jitter does put 51 in a second."""
    rng = random.Random(1)
    clock = VirtualTime(overshoot=lambda: rng.choice([0.0, rng.uniform(0, LATE_S)]))
    limiter = RateLimiter(RATE_WINDOWS, clock=clock, sleep=clock.sleep, spacing=SPACING, margin=0.0, late=LATE_S)
    arrivals = await calls_at_once(400, clock, limiter, after=lambda: rng.uniform(0, MARGIN_S - LATE_S))
    assert busiest_window(arrivals) > 50


async def test_a_call_woken_later_than_late_books_another_slot() -> None:
    clock = ManualClock()
    overshoots = iter([0.0, LATE_S + 0.005])  # the second sleep (call 2's: call 0 had none) ends 20 ms late

    async def sleep(seconds: float) -> None:
        clock.now += seconds + next(overshoots, 0.0)

    limiter = feishu(clock, sleep)
    sent = []
    for _ in range(4):
        await limiter.acquire()
        sent.append(clock.now)
    step = limiter.step
    assert limiter.rebooked == 1
    # call 2 woke 20 ms after its slot (2 steps), gave it back and booked again: nobody had booked after it,
    # so its new slot is now; the schedule goes on from there
    assert sent == pytest.approx([0.0, step, 2 * step + LATE_S + 0.005, 3 * step + LATE_S + 0.005])


async def test_a_pause_that_comes_while_callers_sleep_moves_them_after_it() -> None:
    clock = VirtualTime()
    limiter = feishu(clock, clock.sleep)
    arrivals: list[float] = []

    async def call(i: int) -> None:
        await limiter.acquire()
        arrivals.append(clock.now)
        if i == 0:
            limiter.pause(1.0)  # the vendor's Retry-After, answered to the first call

    await clock.run(*(call(i) for i in range(10)))
    assert arrivals[0] == 0.0 and all(t >= 1.0 for t in arrivals[1:])
    assert min(b - a for a, b in itertools.pairwise(sorted(arrivals[1:]))) >= limiter.step - 1e-9
