"""GET /healthz's database check on PostgreSQL answers for the database, not for the pool's queue (issue 27).

A load balancer polls every replica; under load every pooled connection is busy with requests, and a check
that waits its turn behind them reads as "slow" or, past its deadline, "unreachable" — the replica is taken
out exactly when it is busiest. The ping has a connection of its own; pings that arrive together share one
round trip; a connection the server dropped (a failover, an idle timeout) is replaced within the deadline;
a database that is really away is reported within PING_S; a closed store is never reported healthy.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import psycopg
import pytest

from bot.config import ConfigError
from bot.store import AsyncStore, Store
from bot.store.postgres.conn import PING_S


@pytest.fixture
async def busy_store(pg_url: str) -> AsyncIterator[AsyncStore]:
    store = await asyncio.to_thread(Store, pg_url, pool_size=1)
    aio = store.aio()
    yield aio
    await aio.aclose()
    await asyncio.to_thread(store.close)


COUNTER = "hostbot-test-count"  # the application_name of the counting connections


def _backends(url: str) -> int:
    """Client connections to the test's database other than this count's own. Not the server's own processes (an
    autovacuum worker on the fresh tables is listed under the database too), nor an earlier count's connection,
    whose backend can still be listed a moment after it closed (2 where the ping held 1, in a loaded suite)."""
    with psycopg.connect(url, autocommit=True, application_name=COUNTER) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND backend_type = 'client backend' AND application_name <> %s", [COUNTER]).fetchone()
    assert row is not None
    return int(row[0])


async def _none_left(url: str) -> None:
    """No client connection left, within 10 s: a closed connection's backend process exits a moment after the
    client closed it, and on a busy machine it was still listed (2 where the ping held 1 in the suite)."""
    deadline = time.monotonic() + 10
    while left := await asyncio.to_thread(_backends, url):
        assert time.monotonic() < deadline, f"{left} connections still open 10 s after they were closed"
        await asyncio.sleep(0.02)


async def test_the_ping_answers_while_every_pooled_connection_is_held(busy_store: AsyncStore) -> None:
    held, release = asyncio.Event(), asyncio.Event()

    async def long_request(tx: AsyncStore) -> None:  # a request holding the pool's only connection
        await tx.audit(platform="slack", chat_user="U1", intent="set_host", event="request")
        held.set()
        await release.wait()

    request = asyncio.create_task(busy_store.atomic(long_request))
    await asyncio.wait_for(held.wait(), 10)
    started = time.monotonic()
    await asyncio.gather(*(busy_store.ping() for _ in range(5)))  # before: PoolTimeout after PING_S
    took = time.monotonic() - started
    release.set()
    await request
    assert took < PING_S / 2, took
    assert len(await busy_store.audit_rows()) == 1


async def test_pings_that_arrive_together_share_one_connection_and_the_pool_is_not_opened(pg_url: str) -> None:
    store = await asyncio.to_thread(Store, pg_url)
    await asyncio.to_thread(store.close)  # start-up's own connections are gone: only the ping's remains
    await _none_left(pg_url)  # ... once the server has seen them go
    aio = store.aio()
    try:
        await asyncio.gather(*(aio.ping() for _ in range(50)))
        assert await asyncio.to_thread(_backends, pg_url) == 1
        await aio.ping()
        assert await asyncio.to_thread(_backends, pg_url) == 1  # kept, not one per ping
    finally:
        await aio.aclose()
    await _none_left(pg_url)


async def test_a_connection_the_server_dropped_is_replaced_and_the_replica_stays_healthy(
        busy_store: AsyncStore, pg_url: str) -> None:
    await busy_store.ping()

    def failover() -> None:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND pid <> pg_backend_pid()")

    await asyncio.to_thread(failover)
    await busy_store.ping()  # a dropped connection is not a database that is away
    assert await busy_store.audit_rows() == []  # and the pool recovers on its own


async def test_a_database_that_is_away_is_reported_within_the_deadline_and_a_closed_store_is_never_healthy(
        busy_store: AsyncStore, pg_url: str) -> None:
    await busy_store.ping()
    nowhere = type(busy_store)("postgresql://hostbot@127.0.0.1:1/nothing", busy_store.clock,  # type: ignore[call-arg]
                               busy_store.vault, 1)
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"cannot use PostgreSQL at postgresql://hostbot@127\.0\.0\.1:1/nothing"):
        await nowhere.ping()
    assert time.monotonic() - started < PING_S + 0.5
    await nowhere.aclose()

    await busy_store.aclose()
    with pytest.raises(ConfigError):
        await busy_store.ping()


async def test_a_recent_answer_is_reused_while_the_next_ping_runs_and_a_failure_is_never_reused(
        busy_store: AsyncStore, pg_url: str) -> None:
    """/healthz passes max_age=0.5 s: polled every 20 ms, the answer stays fresh; once the database is away the
    first check after its last answer grew older than max_age (or after any failed ping) reports it."""
    await busy_store.ping()
    for _ in range(10):
        await busy_store.ping(max_age=0.5)
        await asyncio.sleep(0.02)

    def stop_accepting() -> None:  # the database goes away: no new connection, the kept one dropped
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("UPDATE pg_database SET datallowconn = false WHERE datname = current_database()")
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND pid <> pg_backend_pid()")

    await asyncio.to_thread(stop_accepting)
    deadline = time.monotonic() + 0.5 + PING_S + 1
    while True:  # within max_age + one ping's deadline, the check says so
        try:
            await busy_store.ping(max_age=0.5)
        except ConfigError:
            break
        assert time.monotonic() < deadline, "the database's absence was never reported"
        await asyncio.sleep(0.02)
    with pytest.raises(ConfigError):  # a failure is not reused as good, nor an old good answer after it
        await busy_store.ping(max_age=60)

    def allow() -> None:
        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("UPDATE pg_database SET datallowconn = true WHERE datname = %s", [pg_url.rsplit("/", 1)[1]])

    await asyncio.to_thread(allow)
    await busy_store.ping(max_age=60)  # back: the next check waits for a fresh answer and gets it
