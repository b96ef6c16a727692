"""Retention on PostgreSQL (issue 28, item 2): two `hostbot run` replicas on one database prune old rows,
one of them (a lease in the store), and `hostbot doctor` reports the true oldest audit row there."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.sandbox import Sandbox
from bot.store import Store
from tests.support.run import Bot, _inherited, bot_env, until


def test_two_replicas_prune_postgresql_once_and_doctor_sees_the_oldest_row(pg_url: str, sandbox: Sandbox,
                                                                          tmp_path: Path) -> None:
    store = Store(pg_url)
    old = datetime.now(UTC) - timedelta(days=120)
    for n in range(30):
        store.audit(platform="slack", chat_user="U0OLD", intent="help", event="request", detail=f"old {n}")
    store._exec("UPDATE audit SET at = ?", [old.isoformat()])  # as if written 120 days ago
    env = bot_env(sandbox, HOSTBOT_DB=pg_url, HOSTBOT_RETENTION_DAYS="90")
    doctor = subprocess.run([sys.executable, "-m", "bot", "doctor", "--timeout", "5"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    [row] = [r for r in doctor.stdout.splitlines() if r[:1] in "✓✗" and "retention (" in r]
    assert row.startswith("✗") and old.isoformat()[:10] in row, doctor.stdout  # not "✓ … oldest audit row: none"
    replicas = [Bot({**env, "HOSTBOT_PORT": str(port)}, tmp_path, tmp_path / f"bot{i}.log", wait=False)
                for i, port in enumerate((int(env["HOSTBOT_PORT"]), int(bot_env(sandbox)["HOSTBOT_PORT"])))]
    try:
        for bot in replicas:
            bot.ready()
        until("the old audit rows pruned", lambda: not store.audit_rows(), 30)
        pruned = [bot.log.read_text().count("retention: pruned") for bot in replicas]
        assert sorted(pruned) == [0, 1], pruned  # one replica pruned; the other found the lease taken
    finally:
        for bot in replicas:
            bot.stop()
        store.close()
    after = subprocess.run([sys.executable, "-m", "bot", "doctor", "--timeout", "5"], cwd=tmp_path,
                           env={**_inherited(), **env}, capture_output=True, text=True, timeout=60)
    [row] = [r for r in after.stdout.splitlines() if r[:1] in "✓✗" and "retention (" in r]
    assert row.startswith("✓"), after.stdout
