"""One at a time across replicas: named leases in the store (bot/store/rows/leases.py), held around work.

    async with held(store, ["meeting:zoom:85012345678"]):   # waits its turn, or raises LeaseBusy
        ...read -> write -> read back...

Names are taken in sorted order (two holders wanting the same two names cannot wait on each other),
waited for with a short growing poll (the store is the truth, so another replica's release is seen
as soon as it is committed), and kept alive while the work runs: a holder that dies loses them when
their time passes. Used by execute (bot/core/flow/execute.py: vendors without a compare-and-swap) and by
Feishu user-token renewal (bot/adapters/feishu/oauth.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import timedelta

from bot.store import AsyncStore

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(seconds=60)  # a holder that died frees the name after this
WAIT_S = 30.0  # how long a change waits for the one before it on the same meeting
POLL_S = (0.02, 0.25)  # first and longest pause between tries


class LeaseBusy(Exception):
    """Somebody else held `name` for longer than we were willing to wait."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@contextlib.asynccontextmanager
async def held(store: AsyncStore, names: Iterable[str], *, ttl: timedelta = LEASE_TTL, wait: float = WAIT_S,
               sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> AsyncIterator[None]:
    """Hold every one of `names` for the body (see the module docstring); LeaseBusy after `wait` s."""
    holder = secrets.token_hex(8)
    taken: list[str] = []
    deadline = time.monotonic() + wait
    try:
        for name in sorted(set(names)):
            pause = POLL_S[0]
            while not await store.take_lease(name, holder, ttl):
                if time.monotonic() >= deadline:
                    raise LeaseBusy(name)
                await sleep(pause)
                pause = min(pause * 1.5, POLL_S[1])
            taken.append(name)
        keeper = asyncio.create_task(_keep(store, taken, holder, ttl))
        try:
            yield
        finally:
            keeper.cancel()
    finally:
        for name in taken:
            await store.drop_lease(name, holder)


async def _keep(store: AsyncStore, names: list[str], holder: str, ttl: timedelta) -> None:
    """Extend the leases every third of their time while the work runs."""
    while True:
        await asyncio.sleep(ttl.total_seconds() / 3)
        for name in names:
            if not await store.extend_lease(name, holder, ttl):
                log.warning("lease %s was lost while held (the work took longer than its time)", name)
