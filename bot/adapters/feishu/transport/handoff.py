"""From lark-oapi's threads to hostbot's event loop, and back to a bounded shutdown.

The SDK calls the Feishu adapter's callbacks in a thread that is not the main loop's (the webhook's
`do` runs in a worker thread, the long connection in its own). `HandOff.submit` hands each piece of
work to the main loop (run_coroutine_threadsafe, in a fresh context), `track` keeps the replies
started on the loop after an event was answered, and `drain` / `aclose` wait for both (bounded)
before the store closes under them (bot/ops/server.py Runtime.aclose).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import threading
import time
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class HandOff:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None  # the main loop, where all the work runs
        self._loop_thread = 0
        self._tasks: set[asyncio.Future[Any]] = set()  # replies under way (main loop)
        self._handed: set[concurrent.futures.Future[Any]] = set()  # events handed over by SDK threads
        self._handed_lock = threading.Lock()

    def bind(self) -> None:
        """Remember the running loop as the one every event is handed to (call it on that loop)."""
        self.loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Run `coro` on the main loop; called from an SDK thread, never on the loop itself."""
        loop = self.loop
        if loop is None or loop.is_closed():
            coro.close()
            raise RuntimeError("feishu: no main loop to hand the event to")
        if self._loop_thread == threading.get_ident():
            coro.close()
            raise RuntimeError("feishu: an SDK callback ran on the main loop; it must run in a thread")
        # A fresh context: the work on the main loop must not inherit this thread's (the SDK's logs muted
        # while it authenticates, bot/telemetry/logs.py sdk_quiet).
        future = contextvars.Context().run(asyncio.run_coroutine_threadsafe, coro, loop)
        with self._handed_lock:
            self._handed.add(future)
        future.add_done_callback(self._handed_done)
        return future

    def _handed_done(self, future: concurrent.futures.Future[Any]) -> None:
        with self._handed_lock:
            self._handed.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("feishu: handling an event failed", exc_info=future.exception())

    def track(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Work started on the main loop that nobody awaits (replies sent after an event was answered)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("feishu: background work failed", exc_info=task.exception())

    async def drain(self, timeout: float = 15.0) -> None:
        """Wait (bounded) until every event handed over so far and every reply it started are done."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            with self._handed_lock:
                pending: list[asyncio.Future[Any]] = [asyncio.wrap_future(f) for f in self._handed]
            pending += [task for task in self._tasks if not task.done()]
            if not pending:
                return
            await asyncio.wait(pending, timeout=remaining)

    async def aclose(self, timeout: float = 5.0) -> None:
        """Let work under way finish (bounded), then cancel what is left."""
        await self.drain(timeout)
        for task in list(self._tasks):
            task.cancel()
