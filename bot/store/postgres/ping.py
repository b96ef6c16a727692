"""GET /healthz's database check on PostgreSQL: a connection and an event loop of its own (issue 27).

A load balancer polls every replica. Under load every pooled connection is busy with requests, and a
check that queued for one behind them read as slow, or past its deadline as unreachable: the replica was
taken out exactly when it was busiest (measured with the database 2 ms away: p99 139 ms, max 546 ms).
With a connection of its own the check still waited for the busy event loop twice per round trip (to send,
and to be told the answer came back): p99 43 ms. So the ping runs on a small loop in a thread of its own:
the bot's loop only hands it over and is told the answer.

That still took the bot's loop twice (hand over, be told), and under a burst of requests each turn of the
loop can take 10–20 ms. So a check may be answered from the database's last answer when it is at most
`max_age` old (GET /healthz: 0.5 s), and that use starts the next ping in the background: under steady
polling the answer is a few tens of milliseconds old; a failed ping is never reused (the next check waits
for a fresh one), and a check that finds no answer young enough waits for one.

Pings that arrive while one is on the way share its answer. A kept connection the server dropped (a
failover, an idle timeout) is replaced once within the same deadline before the database counts as
unreachable; a database that does not answer is reported within PING_S.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from typing import Any

import psycopg

from bot.store.postgres.conn import PING_S, pool_kwargs, unreachable


class Pinger:
    """`SELECT 1` on one kept connection, on a loop in a daemon thread (started at the first ping)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._conn: psycopg.AsyncConnection[Any] | None = None  # used on the pinger's loop only
        self._pinging: concurrent.futures.Future[None] | None = None  # the ping on the way
        self._lock = threading.Lock()
        self._closed = False
        self._answered_at: float | None = None  # monotonic time of the last good answer; None after a failure

    async def ping(self, max_age: float = 0.0) -> None:
        """Raise ConfigError (`unreachable`) unless the database answered within PING_S, or answered at most
        `max_age` seconds ago (then the next ping starts, unawaited: see the module docstring)."""
        with self._lock:
            if self._closed:
                raise unreachable(self.path, RuntimeError("the store is closed"))
            answered_at, pinging = self._answered_at, self._pinging
            if pinging is None or pinging.done():
                pinging = self._pinging = asyncio.run_coroutine_threadsafe(self._ping_once(), self._started())
            if max_age > 0 and answered_at is not None and time.monotonic() - answered_at <= max_age:
                return
        # shield: a caller that gives up (a client hanging up) does not cancel the answer the others wait for
        await asyncio.shield(asyncio.wrap_future(pinging))

    def close(self) -> None:
        """Drop the connection and stop the thread (the store's aclose); later pings raise."""
        with self._lock:
            self._closed = True
            loop, thread, pinging = self._loop, self._thread, self._pinging
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._drop(), loop).result(PING_S + 1)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(PING_S + 1)
        if not thread.is_alive():
            loop.close()
        if pinging is not None and not pinging.done():  # those still waiting are told, not left hanging
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                pinging.set_exception(unreachable(self.path, RuntimeError("the store is closed")))

    def _started(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="hostbot-ping", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
        return self._loop

    async def _ping_once(self) -> None:
        try:
            async with asyncio.timeout(PING_S):
                for attempt in range(2):
                    fresh = self._conn is None or self._conn.closed
                    try:
                        if fresh:
                            self._conn = await psycopg.AsyncConnection.connect(
                                self.path, **pool_kwargs(PING_S))  # type: ignore[arg-type]
                        assert self._conn is not None
                        await self._conn.execute("SELECT 1")
                        self._answered_at = time.monotonic()
                        return
                    except psycopg.OperationalError:
                        await self._drop()
                        if fresh or attempt or self._closed:  # a new connection failed too: the database is away
                            raise
        except (psycopg.Error, OSError, TimeoutError) as err:
            self._answered_at = None
            await self._drop()
            raise unreachable(self.path, err) from None

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
