"""`hostbot sandbox --db` (issue 28, item 3): a PostgreSQL URL is seeded and served (people mapped, so
replicas on it answer with names), and the sandbox never replaces a database it did not create."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.store import Store
from tests.support.run import Bot, SandboxProcess, _inherited, free_port


def sandbox_refuses(db: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "sandbox", "--db", db], cwd=cwd, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, env=_inherited())


def test_a_symlink_or_a_database_not_its_own_is_never_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    store = Store(str(real))
    store.audit(platform="slack", chat_user="U1", intent="help", event="request")
    store.close()
    link = tmp_path / "hostbot-sandbox.db"  # the default name, pointing at somebody's real database
    os.symlink(real, link)
    refused = sandbox_refuses(str(link), tmp_path)
    assert refused.returncode == 2 and "symbolic link" in refused.stderr, refused.stderr
    refused = sandbox_refuses(str(real), tmp_path)
    assert refused.returncode == 2 and "did not create" in refused.stderr, refused.stderr
    assert len(Store(str(real)).audit_rows()) == 1  # untouched


def test_the_sandbox_seeds_postgresql_and_replicas_answer_with_names(pg_url: str, tmp_path: Path) -> None:
    box = SandboxProcess(tmp_path, free_port(), args=("--db", pg_url))
    try:
        assert box.exported["HOSTBOT_DB"] == pg_url
        bot = Bot(box.env, tmp_path, tmp_path / "bot.log")
        try:
            said = subprocess.run([sys.executable, "-m", "bot", "say", "--as", "carol", "who is host of meeting "
                                   "123456789"], env=box.env, capture_output=True, text=True, timeout=90,
                                  stdin=subprocess.DEVNULL)
            assert "Feishu meeting 123 456 789: @you is host." in said.stdout, said.stdout + said.stderr
            assert "ou_" not in said.stdout  # people are mapped: names, not open_ids
        finally:
            bot.stop()
    finally:
        box.stop()
    again = SandboxProcess(tmp_path, free_port(), args=("--db", pg_url))  # its own database: made afresh again
    again.stop()
    foreign = subprocess.run([sys.executable, "-c", "import psycopg,sys; c=psycopg.connect(sys.argv[1], "
                              "autocommit=True); c.execute('DROP TABLE hostbot_sandbox')", pg_url], check=True)
    assert foreign.returncode == 0
    refused = sandbox_refuses(pg_url, tmp_path)  # its data, and no mark of the sandbox: somebody else's
    assert refused.returncode == 2 and "did not create" in refused.stderr, refused.stderr
