"""The limiter with a shared budget (PostgreSQL's, faked here): it books every call there, waits for
its slot, gives back a slot it woke up too late for, and paces alone when the budget is unreachable."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from bot.vendors.http import MARGIN_S, REBOOKS, RateLimiter
from tests.support.vendors import ManualClock


class FakeBudget:
    def __init__(self, clock: ManualClock, waits: list[float]) -> None:
        self.clock = clock
        self.waits = waits
        self.booked: list[float] = []
        self.released: list[float] = []
        self.paused: list[float] = []
        self.down = False
        self.asked: list[tuple[list[tuple[int, float]], float]] = []  # (windows, spacing) of each booking

    def reserve(self, name: str, windows: Sequence[tuple[int, float]], spacing: float = 0.0) -> tuple[float, float]:
        if self.down:
            raise ConnectionError("database away")
        self.asked.append((list(windows), spacing))
        wait = self.waits.pop(0) if self.waits else 0.0
        self.booked.append(self.clock() + wait)
        return wait, self.clock() + wait

    def release(self, name: str, slot: float) -> None:
        self.released.append(slot)

    def pause(self, name: str, seconds: float) -> None:
        self.paused.append(seconds)


async def test_every_call_is_booked_in_the_shared_budget_and_waits_for_its_slot() -> None:
    clock = ManualClock()
    limiter = RateLimiter(((50, 1.0),), clock=clock, sleep=clock.sleep, name="feishu", spacing=0.02)
    budget = FakeBudget(clock, [0.0, 0.5, 0.0])
    waited: list[float] = []
    limiter.observers.append(waited.append)
    limiter.share(budget)
    for _ in range(3):
        await limiter.acquire()
    assert budget.booked == [0.0, 0.5, 0.5] and clock.now == 0.5
    assert waited == [0.5]  # a real wait is reported; pacing is not
    # the margin is booked as time: 50 per 1 s + MARGIN_S, a step of 20 ms stretched alike
    assert budget.asked[0] == ([(50, 1.0 + MARGIN_S)], pytest.approx(0.02 * (1 + MARGIN_S)))
    limiter.pause(3.0)
    await limiter.acquire()  # books only once the pause is in the budget
    assert budget.paused == [3.0]  # a Retry-After is for every replica


async def test_a_pause_is_written_to_the_budget_off_the_loop_and_before_the_next_booking() -> None:
    """A Retry-After on the loop: the database write runs in a worker thread, and the next call of this process
    books its slot only after the pause is in the budget (else it could book into the pause)."""
    clock = ManualClock()
    limiter = RateLimiter(((50, 1.0),), clock=clock, sleep=clock.sleep, name="feishu", spacing=0.02)
    budget = FakeBudget(clock, [0.0])
    written = threading.Event()
    order: list[str] = []

    def pause(name: str, seconds: float) -> None:
        assert threading.current_thread() is not threading.main_thread()  # not on the loop's thread
        written.wait(5)
        order.append("pause")

    def reserve(name: str, windows: Sequence[tuple[int, float]], spacing: float = 0.0) -> tuple[float, float]:
        order.append("book")
        return 0.0, clock.now

    budget.pause, budget.reserve = pause, reserve  # type: ignore[method-assign]
    limiter.share(budget)
    limiter.pause(3.0)  # returns at once: the loop is not held while the database answers
    booking = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0.05)
    assert order == [] and not booking.done()  # the booking waits for the pause ...
    written.set()
    await booking
    assert order == ["pause", "book"]  # ... and comes after it


async def test_a_slot_woken_up_late_is_given_back_and_another_booked() -> None:
    clock = ManualClock()

    async def late_sleep(seconds: float) -> None:  # a starved loop: every sleep overshoots by 50 ms
        clock.now += seconds + 0.05

    limiter = RateLimiter(((50, 1.0),), clock=clock, sleep=late_sleep, name="feishu", spacing=0.02)
    budget = FakeBudget(clock, [0.1, 0.1, 0.1, 0.1, 0.1])
    limiter.share(budget)
    await limiter.acquire()
    assert len(budget.booked) == REBOOKS + 1 and len(budget.released) == REBOOKS  # the last one is used anyway
    assert limiter.rebooked == REBOOKS


async def test_without_the_database_the_process_paces_alone() -> None:
    clock = ManualClock()
    limiter = RateLimiter(((2, 1.0),), clock=clock, sleep=clock.sleep, name="feishu")
    budget = FakeBudget(clock, [])
    budget.down = True
    limiter.share(budget)
    for _ in range(3):
        await limiter.acquire()
    assert clock.now == pytest.approx(1.0 + MARGIN_S)  # the local window still holds (with its margin)


async def test_a_slot_woken_up_a_little_late_is_kept() -> None:
    clock = ManualClock()

    async def sleep(seconds: float) -> None:  # every sleep ends 10 ms late: within LATE_S
        clock.now += seconds + 0.01

    limiter = RateLimiter(((50, 1.0),), clock=clock, sleep=sleep, name="feishu", spacing=0.02)
    budget = FakeBudget(clock, [0.1, 0.1, 0.1])
    limiter.share(budget)
    for _ in range(3):
        await limiter.acquire()
    assert len(budget.booked) == 3 and budget.released == [] and limiter.rebooked == 0
