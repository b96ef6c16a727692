"""Shared fixtures: a running sandbox on 127.0.0.1:0 and a bot pointed at it through the console."""

from __future__ import annotations

import os
import shutil
import tempfile
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


def _temporary_files_in_memory() -> None:
    """Tests write their databases under tmp_path: on tmpfs (/dev/shm) when the machine has one with room and
    TMPDIR does not name another place. Every SQLite commit fsyncs (synchronous=FULL, bot/store/sqlite/),
    which costs 2-20 ms on a busy disk and nothing on tmpfs: the 2,000-line console fuzz took 21 s, 7 s here.
    What the tests check is the same; durability across a crash is not something a test can see in an fsync.
    Set here, at import, so that pytest-xdist's workers and the processes the tests start inherit it."""
    if os.environ.get("TMPDIR"):
        return
    try:
        room = shutil.disk_usage("/dev/shm").free
    except OSError:
        return
    if room > 2 * 2**30 and os.access("/dev/shm", os.W_OK | os.X_OK):
        os.environ["TMPDIR"] = "/dev/shm"
        tempfile.tempdir = None  # gettempdir() reads TMPDIR again


_temporary_files_in_memory()

# What `hostbot run` does at the first Feishu need (bot/ops/server.py): the lark-oapi modules hostbot uses are
# loaded before a test's event loop needs them (once per test process), not imported on it.
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


# Started first: a test of a minute that starts last ends the run alone. pytest-xdist hands the tests out in this
# order, one at a time as a worker frees (--maxschedchunk=1, pyproject.toml), so these spread over the workers.
# The order within each file is kept; the files here are the longest (pytest --durations).
SLOW_FIRST = ("tests/scheduling/test_cluster.py", "tests/faults/test_faults_fuzz.py",
              "tests/scheduling/test_handover_restart.py", "tests/ops/test_say_loop.py",
              "tests/faults/test_faults_redelivery.py", "tests/ops/test_sandbox_db.py", "tests/intents/test_intents.py",
              "tests/store/test_retention_replicas.py", "tests/faults/test_faults_secrets.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(SLOW_FIRST)))
    # `make test` runs the serial part on the files that grep finds `mark.serial` in (Makefile): a test marked
    # serial any other way would run in neither part.
    for path in {item.path for item in items if item.get_closest_marker("serial")}:
        if "mark.serial" not in path.read_text():
            raise pytest.UsageError(f"{path}: mark serial tests with pytest.mark.serial (the Makefile greps for it)")


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
def pg_url(pg_server: str | None) -> Iterator[str]:
    """The URL of an empty PostgreSQL database; skipped (or failed under HOSTBOT_REQUIRE_PG=1) without one.
    Dropped after the test: a session makes a hundred of them, ~8 MB each, in memory when TMPDIR is tmpfs."""
    from tests.support import pg

    if pg_server is None:
        pg.unavailable()
        raise AssertionError("unreachable")
    url = pg.fresh_database(pg_server)
    yield url
    pg.drop_database(pg_server, url)
