"""The AsyncStore driven from a test's own thread, for the store conformance suite's async half.

`Awaited(store, loop)` opens `store.aio()` (what the running bot awaits: the writer thread on SQLite, the
AsyncConnectionPool on PostgreSQL) and gives each of its `async def` methods a blocking twin that runs the
coroutine on `loop` (an event loop in a thread of its own) and waits for it, so the same sync test bodies check
both interfaces. What AsyncStore has no method for (schema_version) is the Store's own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.store import Store

WAIT_S = 30.0


@contextmanager
def loop_thread() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a daemon thread until the block ends."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-store-loop", daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


class Awaited:
    """A Store's AsyncStore, each method awaited on `loop` (see the module docstring)."""

    def __init__(self, store: Store, loop: asyncio.AbstractEventLoop) -> None:
        self.sync, self.loop = store, loop
        self.aio = store.aio()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(WAIT_S)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.aio, name, None)
        if attr is None:
            return getattr(self.sync, name)
        if not asyncio.iscoroutinefunction(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.run(attr(*args, **kwargs))

        return call

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("vault", "clock"):  # both sides hold them
            setattr(self.sync, name, value)
            setattr(self.aio, name, value)
        else:
            super().__setattr__(name, value)

    def close(self) -> None:
        try:
            self.run(self.aio.aclose())
        finally:
            self.sync.close()


def opener(way: str, loop: asyncio.AbstractEventLoop) -> Callable[[Store], Any]:
    """What a conformance test holds for an opened Store: the Store itself ("sync") or its AsyncStore ("async")."""
    return (lambda store: store) if way == "sync" else (lambda store: Awaited(store, loop))
