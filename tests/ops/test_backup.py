"""`hostbot backup PATH`: SQLite's online backup while hostbot keeps writing; the copy opens on its
own (no -wal beside it), passes the integrity check and holds the same rows as the live database."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner

from bot.cli import main
from bot.ops.backup import BackupError, backup
from bot.store import Store
from tests.conftest import World


class Writer(threading.Thread):
    """Another connection writing audit rows without pause, as the running bot would (or a second process)."""

    def __init__(self, path: str) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.written = 0

    def run(self) -> None:
        store = Store(self.path)
        try:
            while not self.stop.is_set():
                store.audit(platform="console", chat_user="writer", intent="help", event="request",
                            detail=f"row {self.written}")
                self.written += 1
        finally:
            store.close()

    def wait_for(self, rows: int) -> None:
        deadline = time.monotonic() + 30
        while self.written < rows:
            assert time.monotonic() < deadline, "the writer stalled"
            time.sleep(0.005)


def table(path: Path | str, name: str) -> list[dict[str, Any]]:
    return list(sqlite_utils.Database(path)[name].rows_where(order_by="rowid"))


def audit_count(path: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])
    finally:
        conn.close()


async def test_a_backup_taken_while_the_bot_writes_holds_the_same_rows(world: World, tmp_path: Path) -> None:
    assert (await world.say("make @alice host of meeting 123456789")).startswith("✅")
    await world.say("in 20 minutes make @bob host of meeting 123456789")  # alice hosts now: bob asks her
    live = world.bot.services.store.path
    writer = Writer(live)
    writer.start()
    try:
        writer.wait_for(200)
        before = audit_count(live)
        talking = asyncio.gather(*(world.say("help") for _ in range(5)))  # the bot answers meanwhile
        result = await asyncio.to_thread(backup, live, tmp_path / "copy.db")
        await talking
        writer.wait_for(writer.written + 50)  # it kept going after the copy
    finally:
        writer.stop.set()
        writer.join()
    after = audit_count(live)
    copy = Path(result.dest)
    assert copy == tmp_path / "copy.db"
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # it holds sealed user tokens
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()

    copied = table(copy, "audit")
    assert before <= len(copied) < after  # a snapshot taken while rows kept coming
    assert copied == table(live, "audit")[:len(copied)]  # exactly the rows that existed then, unchanged
    delivered = table(copy, "deliveries")
    assert delivered == table(live, "deliveries")[:len(delivered)]
    for name in ("people", "links", "proposals", "handovers", "user_tokens", "_sqlite_migrations"):
        assert table(copy, name) == table(live, name), name
    assert result.rows == sum(len(table(copy, n)) for n in sqlite_utils.Database(copy).table_names())
    # and hostbot runs on the copy as it is (restore = put it in place of HOSTBOT_DB)
    restored = await asyncio.to_thread(Store, str(copy))
    assert len(await asyncio.to_thread(restored.audit_rows)) == len(copied)
    restored.close()


def test_the_command_writes_the_copy_and_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    live = tmp_path / "hostbot.db"
    store = Store(str(live))
    store.upsert_person("console", "alice", name="alice", email="alice@example.com")
    store.close()
    runner = CliRunner()
    env = {"HOSTBOT_DB": str(live)}
    done = runner.invoke(main, ["backup", str(tmp_path / "b.db")], env=env)
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Backed up {live} to {tmp_path / 'b.db'}: ")
    assert done.output.rstrip().endswith("integrity ok.")
    assert table(tmp_path / "b.db", "people") == table(live, "people")

    again = runner.invoke(main, ["backup", str(tmp_path / "b.db")], env=env)
    assert again.exit_code == 1
    assert f"{tmp_path / 'b.db'} exists; give another path, or --force to replace it." in again.output
    assert runner.invoke(main, ["backup", "--force", str(tmp_path / "b.db")], env=env).exit_code == 0

    folder = tmp_path / "backups"
    folder.mkdir()
    dated = runner.invoke(main, ["backup", str(folder)], env=env)
    assert dated.exit_code == 0
    [made] = list(folder.iterdir())
    assert made.name.startswith("hostbot-") and made.suffix == ".db"
    assert not [p for p in tmp_path.rglob("*.tmp")]  # no temporary file left behind

    missing = runner.invoke(main, ["backup", str(tmp_path / "x.db")], env={"HOSTBOT_DB": str(tmp_path / "none.db")})
    assert missing.exit_code == 1
    assert f"No database at {tmp_path / 'none.db'} (HOSTBOT_DB): nothing to back up." in missing.output


def test_a_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    live = tmp_path / "hostbot.db"
    Store(str(live)).close()
    with pytest.raises(BackupError) as caught:
        backup(str(live), tmp_path / "nowhere" / "b.db")
    assert caught.value.key == "backup_failed"
