"""Turns (bot/core/request/admission.py): at most `width` requests do their own work at once, the earliest
first; waiting on a vendor gives the turn away, waiting on the chat platform lends it, a turn held too long
is given away anyway, and a request cancelled in line leaves no turn behind. No sleeps are timed here: every
step waits on events the test sets."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.request.admission import Admission, outside, vendor_bound


class Requests:
    """Requests that take a turn, note what they do in `log`, and wait on the gates the test opens."""

    def __init__(self, admission: Admission) -> None:
        self.admission = admission
        self.log: list[str] = []
        self.peak = 0

    def note(self, what: str) -> None:
        self.log.append(what)
        self.peak = max(self.peak, self.admission.busy)

    async def request(self, name: str, *steps: tuple[str, asyncio.Event]) -> None:
        """Own work, then each step: ("vendor", gate) waits on a vendor, ("slack", gate) on the platform,
        ("db", gate) inside its turn."""
        async with self.admission.turn():
            self.note(f"{name} in")
            for kind, gate in steps:
                if kind == "vendor":
                    vendor_bound()
                    await gate.wait()
                elif kind == "slack":
                    async with outside():
                        await gate.wait()
                else:
                    await gate.wait()
                self.note(f"{name} {kind}")
        self.note(f"{name} out")


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_at_most_width_do_their_own_work_and_the_rest_wait_in_order() -> None:
    box = Requests(Admission(width=2, lease=60))
    gates = [asyncio.Event() for _ in range(5)]
    tasks = [asyncio.create_task(box.request(f"r{i}", ("db", gates[i]))) for i in range(5)]
    await settle()
    assert box.log == ["r0 in", "r1 in"]
    for i in (1, 0, 4, 3, 2):  # finishing out of order does not change who comes in next
        gates[i].set()
    await asyncio.gather(*tasks)
    assert [x for x in box.log if x.endswith(" in")] == ["r0 in", "r1 in", "r2 in", "r3 in", "r4 in"]
    assert box.peak <= 2 and box.admission.busy == 0


async def test_waiting_on_a_vendor_gives_the_turn_to_the_next_request() -> None:
    box = Requests(Admission(width=1, lease=60))
    vendor, db = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(box.request("r0", ("vendor", vendor)))
    second = asyncio.create_task(box.request("r1", ("db", db)))
    await settle()
    assert box.log == ["r0 in", "r1 in"]  # r0 is waiting on its vendor: r1 works meanwhile
    db.set()
    await second
    vendor.set()
    await first
    assert box.admission.busy == 0


async def test_waiting_on_the_platform_lends_the_turn_and_the_earlier_request_gets_it_back_first() -> None:
    box = Requests(Admission(width=1, lease=60))
    slack, db1, db2 = asyncio.Event(), asyncio.Event(), asyncio.Event()
    r0 = asyncio.create_task(box.request("r0", ("slack", slack), ("db", db1)))
    r1 = asyncio.create_task(box.request("r1", ("db", db2)))
    r2 = asyncio.create_task(box.request("r2"))
    await settle()
    assert box.log == ["r0 in", "r1 in"]  # r0 waits on Slack: its turn is lent to r1
    slack.set()  # r0's answer is in: it waits for the turn again, ahead of r2 who came after it
    await settle()
    db2.set()
    await settle()
    assert box.log == ["r0 in", "r1 in", "r1 db", "r1 out", "r0 slack"]  # r1's turn went back to r0, not to r2
    db1.set()
    await asyncio.gather(r0, r1, r2)
    assert box.log.index("r0 out") < box.log.index("r2 in")
    assert box.admission.busy == 0


async def test_a_turn_held_past_its_lease_is_given_away_for_good() -> None:
    box = Requests(Admission(width=1, lease=0.05))
    stuck, slack = asyncio.Event(), asyncio.Event()
    r0 = asyncio.create_task(box.request("r0", ("db", stuck), ("slack", slack)))
    r1 = asyncio.create_task(box.request("r1"))
    await asyncio.wait_for(r1, 5)  # r0 is stuck on something inside its turn: r1 goes ahead after the lease
    assert box.log == ["r0 in", "r1 in", "r1 out"]
    stuck.set()
    slack.set()
    await r0  # r0 goes on without a turn: nothing lent, nothing taken back
    assert box.admission.busy == 0


async def test_a_request_cancelled_in_line_or_in_its_turn_leaves_no_turn_behind() -> None:
    box = Requests(Admission(width=1, lease=60))
    gate = asyncio.Event()
    r0 = asyncio.create_task(box.request("r0", ("db", gate)))
    r1 = asyncio.create_task(box.request("r1"))
    r2 = asyncio.create_task(box.request("r2"))
    await settle()
    r1.cancel()  # in line
    await settle()
    r0.cancel()  # in its turn
    await asyncio.gather(r0, r1, return_exceptions=True)
    await asyncio.wait_for(r2, 5)
    assert box.log == ["r0 in", "r2 in", "r2 out"]
    assert box.admission.busy == 0


async def test_a_nested_request_and_the_tasks_it_starts_take_no_second_turn() -> None:
    admission = Admission(width=1, lease=60)
    async with admission.turn():
        async with admission.turn():  # a pipeline call inside a pipeline call: no wait for itself
            assert admission.busy == 1
        await asyncio.create_task(asyncio.wait_for(_turn_in_a_task(admission), 5))
    assert admission.busy == 0


async def _turn_in_a_task(admission: Admission) -> None:
    async with admission.turn(), outside():  # not the task that holds the turn: takes nothing, lends nothing
        assert admission.busy == 1


def test_a_width_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        Admission(width=0)
