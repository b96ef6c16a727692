"""Shared fixtures: a running sandbox on 127.0.0.1:0 and a bot pointed at it through the console."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.app import HostBot, build
from bot.config import settings_from_mapping
from bot.devtools.demo import DemoWorld, link_people, seed
from bot.lark_lazy import preload
from bot.sandbox import Sandbox
from bot.vendors.feishu.auth import SDK_MODULES

# What `hostbot run` does once it serves (bot/ops/server.py): the lark-oapi modules hostbot uses are loaded
# before a test's event loop needs them (once per test process), not imported on it at the first Feishu call.
preload(SDK_MODULES)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as box:
        yield box


@dataclass
class World:
    sandbox: Sandbox
    demo: DemoWorld
    bot: HostBot
    console: ConsoleAdapter

    @property
    def meeting_id(self) -> str:
        return self.demo.feishu_meeting.id

    def open_id(self, name: str) -> str:
        return self.demo.users[name].open_id

    def set_host_calls(self) -> list[dict[str, object]]:
        return [r.body for r in self.sandbox.recorder.all("feishu.set_host")]

    async def say(self, text: str) -> str:
        return await self.console.send(text)


WorldFactory = Callable[..., Awaitable[World]]


@pytest.fixture
async def make_world(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[WorldFactory]:
    """Build the demo world with extra settings, e.g. `await make_world(HOSTBOT_ADMINS="you")`."""
    bots: list[HostBot] = []

    async def make(**env: str) -> World:
        demo = seed(sandbox)
        settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / f"hostbot{len(bots)}.db"),
                                          **env})
        bot = build(settings)
        bots.append(bot)
        await link_people(bot, demo)
        return World(sandbox, demo, bot, ConsoleAdapter(bot.dispatcher, user="you"))

    yield make
    for bot in bots:
        await bot.aclose()


@pytest.fixture
async def world(make_world: WorldFactory) -> World:
    return await make_world()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The grammar corpus's accuracy per group, when its test ran (tests/intents/test_grammar_corpus.py)."""
    import sys

    module = sys.modules.get("tests.intents.test_grammar_corpus")
    table = getattr(module, "REPORT", None)
    if table:
        terminalreporter.section("grammar corpus: accuracy per group")
        terminalreporter.write_line(table[0])


# ---- PostgreSQL (tests/support/pg.py): one throwaway cluster per session, a fresh database per test ----
@pytest.fixture(scope="session")
def pg_server() -> Iterator[str | None]:
    from tests.support import pg

    with pg.server() as url:
        yield url


@pytest.fixture
def pg_url(pg_server: str | None) -> str:
    """The URL of an empty PostgreSQL database; skipped (or failed under HOSTBOT_REQUIRE_PG=1) without one."""
    from tests.support import pg

    if pg_server is None:
        pg.unavailable()
        raise AssertionError("unreachable")
    return pg.fresh_database(pg_server)
