"""What only PostgreSQL has: one schema with SQLite's, migrations under a lock, the shared rate budget.

The rate budget test books slots from three pools at once (three replicas) for Feishu's windows
(50/s, 1,000/min) and checks the booked times: no 1-second window over the limit, the pacing kept.
"""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from bot.config import ConfigError
from bot.store import Store, migrations
from bot.store.postgres import schema as pg_schema
from bot.store.postgres.store import PostgresStore
from bot.vendors.http import MARGIN_S, RateLimiter
from tests.support.pg import free_port, fresh_database, unavailable
from tests.support.rates import busiest_window


def _sqlite_columns(path: Path) -> dict[str, set[str]]:
    store = Store(str(path))
    try:
        db = store.db  # type: ignore[attr-defined]
        return {t: {c.name for c in db[t].columns} for t in db.table_names() if not t.startswith("_")}
    finally:
        store.close()


def test_the_same_schema_and_migrations_as_sqlite(pg_url: str, tmp_path: Path) -> None:
    Store(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT table_name, column_name FROM information_schema.columns "
                            "WHERE table_schema = 'public' AND table_name NOT LIKE '\\_%'").fetchall()
    pg: dict[str, set[str]] = {}
    for table, column in rows:
        pg.setdefault(table, set()).add(column)
    assert pg == _sqlite_columns(tmp_path / "hostbot.db")
    sqlite_names = [m.name for m in migrations.pending(__import__("sqlite_utils").Database(memory=True))]
    assert [name for name, _ in pg_schema.MIGRATIONS] == sqlite_names


def test_replicas_starting_together_migrate_once(pg_server: str | None) -> None:
    if pg_server is None:
        unavailable()  # skipped on a laptop without PostgreSQL, failed in CI
    url = fresh_database(pg_server)
    barrier = threading.Barrier(4)

    def start(_: int) -> list[str]:
        barrier.wait()
        store = Store(url)
        try:
            return store.schema_version()
        finally:
            store.close()

    with ThreadPoolExecutor(4) as pool:
        versions = list(pool.map(start, range(4)))
    assert all(v == [name for name, _ in pg_schema.MIGRATIONS] for v in versions)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM _hostbot_migrations").fetchone() == (len(pg_schema.MIGRATIONS),)


def test_an_unreachable_database_is_one_clear_line_without_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pool retries a refused connection until CONNECT_TIMEOUT_S (10 s) has passed: 1 s says the same here.
    monkeypatch.setattr("bot.store.postgres.store.CONNECT_TIMEOUT_S", 1.0)
    with pytest.raises(ConfigError) as err:
        PostgresStore(f"postgresql://bot:s3cret@127.0.0.1:{free_port()}/hostbot?connect_timeout=1")
    assert "cannot use PostgreSQL at postgresql://bot@127.0.0.1" in str(err.value)
    assert "s3cret" not in str(err.value)


def test_three_replicas_share_one_rate_budget(pg_url: str) -> None:
    stores = [PostgresStore(pg_url, pool_size=4) for _ in range(3)]
    # what the Feishu limiter books: 50 per 1 s + MARGIN_S and 1000 per 60 s + MARGIN_S, a step apart
    limiter = RateLimiter(((50, 1.0), (1000, 60.0)), spacing=1 / 50)
    windows, step = limiter.booked_windows, limiter.step
    try:
        budgets = [s.rate_budget() for s in stores]
        started = time.time()

        def book(i: int) -> float:
            return budgets[i % 3].reserve("feishu", windows, step)[0]

        with ThreadPoolExecutor(12) as pool:
            waits = list(pool.map(book, range(150)))
        slots = budgets[0].slots("feishu")
        assert len(slots) == 150
        # in any second and a margin, all replicas together: 50 (so a call may reach Feishu up to MARGIN_S after
        # its slot and no second there holds more than 50)
        assert busiest_window(slots, 1.0 + MARGIN_S - 1e-6) <= 50 < busiest_window(slots, 1.0 + MARGIN_S + 0.001)
        gaps = [b - a for a, b in itertools.pairwise(slots)]
        assert min(gaps) >= step - 1e-6  # paced, not bunched
        assert slots[-1] - slots[0] == pytest.approx(149 * step, abs=0.01)  # ... and no slower than the step
        assert max(waits) > 0.0  # ... so the later bookings wait
        assert slots[0] >= started - 1
        budgets[1].pause("feishu", 5.0)  # a Retry-After is for everyone
        wait, slot = budgets[2].reserve("feishu", windows, step)
        assert wait >= 4.0
        budgets[2].release("feishu", slot)
        assert len(budgets[0].slots("feishu")) == 150
    finally:
        for s in stores:
            s.close()
