"""A vendor's rate budget shared by every replica, kept in PostgreSQL (per app, not per process).

Feishu allows an *app* 50 calls a second and 1,000 a minute; three replicas each pacing itself
to that would together send three times as much. So on PostgreSQL each call first books a slot
in the database, with the same sliding-window rule as the in-process limiter
(bot/vendors/http.RateLimiter) but over the calls of all replicas:

    one call per booking (the function hostbot_book_slot, migration m010: one round trip):
      lock the vendor's `rate_budget` row (an upsert: a row lock, so bookings queue for a moment)
      t = max(db now, paused_until, last slot + spacing,
              for each window (limit, period): the limit-th latest slot + period)
      insert the slot t; forget slots older than the longest window
    -> the caller sleeps t - db now, then sends (or, woken up too late, releases t and books again)

Slots are booked in the future, so the rule holds for every window of booked times, and time is
the database's clock (`clock_timestamp()`), so replicas with skewed clocks agree. A vendor's
Retry-After sets `paused_until` for everyone. The safety margin is the limiter's (bot/vendors/http.py:
`limit` calls per `period + MARGIN_S`, `step` apart, a call woken too late books again): the windows
and the step arrive here with it, so this module books exactly what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg_pool import ConnectionPool


class SharedBudget:
    """Slots of each vendor's rate windows, booked in the database (see the module docstring)."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def reserve(self, name: str, windows: Sequence[tuple[int, float]], spacing: float = 0.0) -> tuple[float, float]:
        """Book the next slot for `name`: (seconds to wait before sending, the slot to `release` if unused).
        `windows`: at most `limit` slots in any `period`; `spacing`: at least this far apart."""
        longest = max((p for _, p in windows), default=1.0)
        with self.pool.connection() as conn:  # autocommit: the row lock lasts the call, one round trip
            row = conn.execute("SELECT hostbot_book_slot(%s, %s, %s, %s, %s) AS booked",
                               [name, [int(n) for n, _ in windows], [float(p) for _, p in windows], spacing,
                                longest + 1.0]).fetchone()
        assert row is not None
        now, at = (float(v) for v in _value(row, "booked"))  # type: ignore[attr-defined]
        return max(0.0, at - now), at

    def release(self, name: str, slot: float) -> None:
        """Give back a slot that was not used (its caller woke up too late to send in it)."""
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM rate_slots WHERE ctid IN (SELECT ctid FROM rate_slots WHERE name = %s "
                         "AND at = %s LIMIT 1)", [name, slot])

    def pause(self, name: str, seconds: float) -> None:
        """Nobody sends to `name` for `seconds` from now (a vendor's Retry-After is for the app)."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO rate_budget (name, paused_until) VALUES (%s, extract(epoch FROM clock_timestamp()) + %s) "
                "ON CONFLICT (name) DO UPDATE SET paused_until = greatest(rate_budget.paused_until, "
                "excluded.paused_until)", [name, max(0.0, seconds)])

    def slots(self, name: str, since: float = 0.0) -> list[float]:
        """The booked slots of `name` (epoch seconds) from `since` on: what tests and benchmarks measure."""
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT at FROM rate_slots WHERE name = %s AND at >= %s ORDER BY at",
                                [name, since]).fetchall()
        return [_float(r, "at") for r in rows]


def _value(row: object, key: str) -> object:
    return row[key] if isinstance(row, dict) else row[0]  # type: ignore[index]


def _float(row: object, key: str) -> float:
    return float(_value(row, key))  # type: ignore[arg-type]
