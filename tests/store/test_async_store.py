"""The running bot's store is awaited, never called on the event loop (issue 27), on both backends.

A synchronous Store method called on a thread that runs an event loop raises StoreOnLoop (the guard is on for
the whole suite: any call left on the loop fails its test); the AsyncStore does the same work awaited; `atomic`
writes a proposal and its audit rows in one transaction, or none of them; racing awaits still count a delivery
once (the SQLite writer thread and PostgreSQL's pool both let the database decide).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator

import pytest

from bot.store import AsyncStore, Store, StoreOnLoop


@pytest.fixture
async def stores(where: str) -> AsyncIterator[tuple[Store, AsyncStore]]:
    store = await asyncio.to_thread(Store, where)  # opening (migrations) is start-up work: off the loop too
    aio = store.aio()
    yield store, aio
    await aio.aclose()
    await asyncio.to_thread(store.close)


async def test_a_sync_call_on_the_event_loop_raises_and_the_awaited_one_works(
        stores: tuple[Store, AsyncStore]) -> None:
    store, aio = stores
    with pytest.raises(StoreOnLoop, match=r"Store\.first_delivery\(\) was called on the event loop"):
        store.first_delivery("slack", "event:Ev1")
    for call in (store.audit_rows, store.ping, store.schema_version, lambda: store._rows("SELECT 1 AS one")):
        with pytest.raises(StoreOnLoop):
            call()
    await aio.ping()
    assert await aio.first_delivery("slack", "event:Ev1")
    assert not await aio.first_delivery("slack", "event:Ev1")
    assert await asyncio.to_thread(store.first_delivery, "slack", "event:Ev2")  # off the loop: the CLIs' way


async def test_a_proposal_and_its_audit_rows_commit_together_or_not_at_all(
        stores: tuple[Store, AsyncStore]) -> None:
    _, aio = stores

    async def ask(tx: AsyncStore) -> str:
        pid = await tx.create_proposal(platform="slack", requester="U1", action="set_host", payload={"intent": "x"})
        await tx.audit(platform="slack", chat_user="U1", intent="set_host", event="request")
        await tx.audit(platform="slack", chat_user="U1", intent="set_host", event="decision", outcome="asked")
        return pid

    async def ask_and_fail(tx: AsyncStore) -> str:
        await ask(tx)
        raise RuntimeError("the reply could not be built")

    with pytest.raises(RuntimeError):
        await aio.atomic(ask_and_fail)
    assert await aio.audit_rows() == []
    assert await aio.latest_proposal("slack", "U1", "") is None
    pid = await aio.atomic(ask)
    assert [r["event"] for r in await aio.audit_rows()] == ["request", "decision"]
    found = await aio.get_proposal(pid)
    assert found is not None and found.status == "pending"


async def test_racing_awaits_count_a_delivery_once_and_claim_a_proposal_once(
        stores: tuple[Store, AsyncStore]) -> None:
    _, aio = stores
    wins = await asyncio.gather(*(aio.first_delivery("feishu", "event:same") for _ in range(40)))
    assert sorted(wins) == [False] * 39 + [True]
    pid = await aio.create_proposal(platform="slack", requester="U1", action="set_host", payload={})
    claims = await asyncio.gather(*(aio.claim_proposal(pid, "U1") for _ in range(10)), return_exceptions=True)
    assert sum(not isinstance(c, Exception) for c in claims) == 1


async def test_a_failing_write_among_many_at_once_fails_alone(stores: tuple[Store, AsyncStore]) -> None:
    """SQLite commits the writes waiting together in one transaction (bot/store/sqlite/group.py): one that the
    database refuses is rolled back alone, its caller gets the error, and the others are kept."""
    store, aio = stores
    writes = [aio.first_delivery("slack", f"event:{i}") for i in range(30)]
    writes.insert(15, aio._exec("INSERT INTO no_such_table (x) VALUES (1)"))
    results = await asyncio.gather(*writes, return_exceptions=True)
    assert isinstance(results[15], Exception)
    assert [r for i, r in enumerate(results) if i != 15] == [True] * 30
    kept = await asyncio.to_thread(store._rows, "SELECT count(*) AS n FROM deliveries")  # another connection
    assert kept[0]["n"] == 30


def test_the_synchronous_store_has_every_query_of_the_async_one_with_the_same_parameters() -> None:
    """bot/store/store.py writes each query of bot/store/rows/ once more as a blocking method: none is missing,
    none takes other parameters (the command-line tools and the bot then call the same thing)."""
    queries = {name: fn for name, fn in inspect.getmembers(AsyncStore, inspect.iscoroutinefunction)
               if not name.startswith("_") and name not in ("atomic", "aclose")}
    assert len(queries) > 50
    for name, fn in queries.items():
        mine = getattr(Store, name, None)
        assert mine is not None and not inspect.iscoroutinefunction(mine), name
        assert list(inspect.signature(mine).parameters.values()) == list(inspect.signature(fn).parameters.values()), \
            name
