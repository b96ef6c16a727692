"""Work an adapter acknowledged and is still doing, so that a shutdown can wait for it.

Slack and Feishu are answered (acked) before the work is done; on SIGTERM the HTTP server stops
taking requests and waits for its open responses only, not for that work. `InFlight` counts it:
`hold()` around each piece of acknowledged work, `drain(timeout)` waits until none is left (or the
time is up) before the store is closed under it (bot/ops/server.py Runtime.aclose).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class InFlight:
    def __init__(self) -> None:
        self.count = 0
        self._idle: asyncio.Event | None = None  # made on the loop that first waits

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self.count += 1
        try:
            yield
        finally:
            self.count -= 1
            if self.count == 0 and self._idle is not None:
                self._idle.set()

    def wrap(self, listener: F) -> F:
        """`listener` counted while it runs. functools.wraps keeps its signature visible (`inspect.unwrap`):
        slack-bolt passes a listener the arguments its parameter names ask for."""

        @functools.wraps(listener)
        async def held(*args: Any, **kwargs: Any) -> Any:
            with self.hold():
                return await listener(*args, **kwargs)

        return held  # type: ignore[return-value]

    async def drain(self, timeout: float) -> int:
        """Wait until no work is held, at most `timeout` seconds; how many pieces are still running."""
        deadline = time.monotonic() + timeout
        while self.count and (remaining := deadline - time.monotonic()) > 0:
            self._idle = asyncio.Event()
            if not self.count:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), remaining)
        return self.count
