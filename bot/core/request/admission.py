"""Turns: how many chat requests do their own work at once, and in what order.

A request's own work is what it does before its vendor: the delivery key, the parse, the people it names,
the meeting read from the store, its audit row. A burst of requests (a hundred slash commands in a second)
used to do that work side by side: asyncio runs ready tasks in turn, so the first request to arrive
finished its own work only when nearly all had (0.4-0.7 s into a burst of 100 with PostgreSQL 2 ms away),
and the vendor's rate budget went unused meanwhile (issue 27, bench/stores.py).

Now a request takes a turn first (`Admission.turn()`, bot/adapters/pipeline.py): at most `width` requests
do their own work at a time, the earliest to arrive first; the others wait at no cost to the loop.
- Waiting on a vendor gives the turn away for good (`vendor_bound()`, called by the vendors' rate limiter:
  from there the vendor's budget bounds the request, not our loop).
- Waiting on the chat platform (a Slack Web API call, a Feishu directory lookup: `outside()`) lends it:
  the request takes a turn again when the answer is in, ahead of every request that came after it.
- The end of the request gives it away (help, a refusal, a redelivery make no vendor call).
- A turn held `lease` seconds in one go is given away for good whatever the request is doing, so that
  one stuck on a slow database holds the others back by at most that.
A request that already has a turn (a nested pipeline call, a task it started) takes no second one.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import heapq
import itertools
from collections.abc import AsyncIterator

WIDTH = 4  # requests doing their own work at once (bench/stores.py: when a burst's first vendor call goes out)
LEASE_S = 0.5  # a turn held this long in one go is given away for good


class _Turn:
    """One request's place: its arrival number (its priority), whether it holds a turn now."""

    def __init__(self, admission: Admission, number: int) -> None:
        self.admission, self.number = admission, number
        self.owner = asyncio.current_task()  # only the request's own task lends its turn (outside())
        self.held = False
        self.done = False  # given away for good: no turn is taken again
        self._timer: asyncio.TimerHandle | None = None

    async def take(self) -> None:
        if self.done or self.held:
            return
        await self.admission._acquire(self.number)
        self.held = True
        self._timer = asyncio.get_running_loop().call_later(self.admission.lease, self.give, True)

    def give(self, for_good: bool = False) -> None:
        self.done = self.done or for_good
        if not self.held:
            return
        self.held = False
        if self._timer is not None:
            self._timer.cancel()
        self.admission._release()


_TURN: contextvars.ContextVar[_Turn | None] = contextvars.ContextVar("hostbot_turn", default=None)


class Admission:
    """At most `width` requests in their own work at once, the earliest first (see the module)."""

    def __init__(self, width: int = WIDTH, lease: float = LEASE_S) -> None:
        if width < 1:
            raise ValueError("an admission needs a width of at least 1")
        self.width, self.lease = width, lease
        self.busy = 0  # turns held now
        self._numbers = itertools.count()
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []  # a heap: the earliest arrival first

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Around a request's whole life: waits for its turn, gives it away at the end."""
        if _TURN.get() is not None:  # already taken by this request (or by the request that started this task)
            yield
            return
        turn = _Turn(self, next(self._numbers))
        token = _TURN.set(turn)
        try:
            await turn.take()
            yield
        finally:
            turn.give(for_good=True)
            _TURN.reset(token)

    async def _acquire(self, number: int) -> None:
        if self.busy < self.width and not self._waiting:
            self.busy += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (number, waiter))
        try:
            await waiter  # _release() handed its turn to this one (busy unchanged)
        except asyncio.CancelledError:
            if not waiter.done() or waiter.cancelled():
                with contextlib.suppress(ValueError):  # not in line any more: _release() passed over it
                    self._waiting.remove((number, waiter))
                    heapq.heapify(self._waiting)
            else:  # handed the turn just as it was cancelled: pass it on
                self._release()
            raise

    def _release(self) -> None:
        while self._waiting:
            _, waiter = heapq.heappop(self._waiting)
            if not waiter.done():
                waiter.set_result(None)  # the turn goes straight to the earliest in line
                return
        self.busy -= 1


def vendor_bound() -> None:
    """This request now waits on a vendor (its rate budget, then its answer): its turn goes, for good."""
    turn = _TURN.get()
    if turn is not None:
        turn.give(for_good=True)


@contextlib.asynccontextmanager
async def outside() -> AsyncIterator[None]:
    """Around a wait on the chat platform: the turn is lent meanwhile and taken back after (an error inside
    ends the lending without taking it back: the request goes on outside the turns)."""
    turn = _TURN.get()
    if turn is None or not turn.held or turn.owner is not asyncio.current_task():
        yield
        return
    turn.give()
    yield
    await turn.take()
