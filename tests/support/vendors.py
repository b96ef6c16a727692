"""Helpers for the vendor tests: instant waits (recorded), audit rows, recorded requests, extra people."""

from __future__ import annotations

from typing import Any

from bot.sandbox.faults import RecordedRequest
from tests.conftest import World


class Waits:
    """A sleep that returns at once and remembers what it was asked to wait (tests never wait)."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(round(seconds, 3))


def instant_waits(world: World) -> Waits:
    """Make every vendor's rate-limit, Retry-After and backoff waits instant; return the recorder."""
    waits = Waits()
    for vendor in world.bot.services.vendors.values():
        http = getattr(vendor, "http", None)
        if http is not None:
            http.sleep = waits
        limiter = getattr(vendor, "limiter", None)
        if limiter is not None:
            limiter.sleep = waits
    return waits


async def outcomes(world: World) -> list[dict[str, Any]]:
    return [r for r in await world.bot.services.store.audit_rows() if r["event"] == "outcome"]


def requests(world: World, op: str) -> list[RecordedRequest]:
    return world.sandbox.recorder.all(op)


async def add_feishu_people(world: World, names: list[str]) -> dict[str, str]:
    """Feishu users (in the demo meeting's tenant) known to hostbot by name; returns name -> open_id."""
    found: dict[str, str] = {}
    for name in names:
        user = world.sandbox.feishu.add_user(name)
        await world.bot.services.store.upsert_person("console", name, name=name, email=user.email,
                                                     feishu_open_id=user.open_id)
        found[name] = user.open_id
    return found


class ManualClock:
    """A clock that moves only when something sleeps on it: rate-limit tests without real waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
