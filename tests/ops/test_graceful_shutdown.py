"""SIGTERM in the middle of a burst (a rolling deploy): every request acknowledged is finished — the
vendor change, its audit row and its reply in the thread — before the store closes; what arrives after
the signal is refused before it starts (the socket is closed), never half done.

A real `hostbot run` on SQLite and the vendor fakes in their own process (bench/harness.py), Feishu
answering set_host after 1 s so that the signal lands while changes are under way.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from bench.harness import SandboxProc, fire, host_commands, start_hostbot, wait_until

BURST = 24


@pytest.mark.serial  # a real process timed against a signal: alone, not beside the parallel suite
def test_sigterm_mid_burst_finishes_every_acknowledged_request_and_audits_it(tmp_path: Path) -> None:
    box = SandboxProc(meetings=BURST)
    try:
        box.latency(["feishu.set_host"], 1.0)
        server = start_hostbot(box, tmp_path, extra_env={"HOSTBOT_SHUTDOWN_GRACE_S": "20"})
        first, second = box.meetings(BURST // 2), box.meetings(BURST // 2)
        acked_first = asyncio.run(fire(server.base_url, host_commands(box, first), concurrency=4))
        # The signal lands once changes are at the vendor, not yet answered (it answers after 1 s).
        wait_until("set_host calls under way", lambda: box.calls("feishu.set_host")["count"] >= 2, timeout=30)
        server.proc.send_signal(signal.SIGTERM)
        signalled = time.time()
        time.sleep(0.2)
        after = asyncio.run(fire(server.base_url, host_commands(box, second), concurrency=4, timeout=10))
        code = server.proc.wait(timeout=40)
        log = server.log.read_text()
        acked = acked_first.ok + after.ok
        assert acked_first.ok == len(first), acked_first.errors
        # every acknowledged request: done at the vendor once, answered in its thread, audited
        assert box.calls("feishu.set_host")["statuses"] == {"200": acked}, log[-3000:]
        assert box.answers("is now host")["count"] == acked, log[-3000:]
        with sqlite3.connect(tmp_path / "hostbot.db") as db:
            outcomes = db.execute("SELECT count(*) FROM audit WHERE event = 'outcome' AND outcome = 'ok'").fetchone()[0]
        assert outcomes == acked
        assert "Traceback" not in log, log[-3000:]
        assert code in (0, -signal.SIGTERM, 128 + signal.SIGTERM), (code, log[-2000:])
        print(f"\nSIGTERM with {acked_first.ok} requests under way, {after.ok} of {len(second)} sent after it "
              f"accepted; process gone {time.time() - signalled:.1f} s after the signal; all {acked} answered "
              f"and audited")
    finally:
        box.stop()
