"""Restart with a real process: `hostbot run` (Slack over HTTP) against the sandbox in this process.

100 handovers are scheduled a few seconds ahead, each on its own sandbox meeting. While the bot
works through them (the vendor fake answers slowly), it is killed with SIGKILL and started again:
every handover must run exactly once, counted at the vendor fake — none lost, none doubled, the
runs cut short included. Then 5 more are scheduled, the bot is killed before they are due and
kept down past the grace period: the next start reports them as missed and calls nothing.
Every wait is bounded; the whole test takes some 20-30 s (three bot starts of ~4 s each).
"""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.sandbox import Sandbox
from bot.sandbox.feishu.vc import FeishuMeeting
from bot.store import Store
from tests.support.run import Bot, bot_env
from tests.support.run import until as _until

N = 100
LATE = 5


def _rows(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM handovers ORDER BY id")]
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        conn.close()


def _set_host_calls(box: Sandbox, meeting: FeishuMeeting) -> int:
    path = f"/open-apis/vc/v1/meetings/{meeting.id}/set_host"
    return sum(1 for r in box.recorder.all("feishu.set_host") if r.path == path)


def test_kill_9_mid_run_then_restart_runs_every_handover_exactly_once(tmp_path: Path) -> None:
    started = time.monotonic()
    db = tmp_path / "hostbot.db"
    with Sandbox() as box:
        f = box.feishu
        you, alice = f.add_user("you"), f.add_user("alice")
        meetings = [f.add_meeting(you, [alice], topic=f"Sync {i}") for i in range(N + LATE)]
        slack_users = box.slack.seed(("you", "alice"))
        channel = box.slack.channel_named("general")
        store = Store(str(db))  # an admin's mapping: Slack user -> Feishu account
        for name, user in (("you", you), ("alice", alice)):
            store.upsert_person("slack", slack_users[name].id, name=name, email=user.email,
                                feishu_open_id=user.open_id)
        store.close()
        env = bot_env(box, HOSTBOT_DB=str(db))
        log = tmp_path / "bot.log"
        speaker, target = slack_users["you"].id, slack_users["alice"].id

        # ---- 1. schedule 100, kill -9 while they run, start again -----------------------------------
        bot = Bot(env, tmp_path, log)
        box.faults.set_latency("feishu.set_host", 0.1)  # the vendor is slow: runs overlap the kill
        with ThreadPoolExecutor(8) as pool:  # Slack delivers events concurrently too
            list(pool.map(lambda i: bot.mention(box, channel.id, speaker, f"in 4 seconds hand host to <@{target}> "
                                                f"of meeting {meetings[i].id}", i), range(N)))
        _until("100 handovers in the store", lambda: len(_rows(db)) == N, 30)
        _until("the first 30 vendor calls", lambda: box.recorder.count("feishu.set_host") >= 30, 30)
        bot.kill()
        calls_at_kill = box.recorder.count("feishu.set_host")
        cut_short = sum(1 for r in _rows(db) if r["status"] == "running")
        assert 30 <= calls_at_kill < N, "the kill should land while the handovers are running"
        time.sleep(0.3)  # calls already sent finish at the vendor fake (0.1 s latency), as in real life
        box.faults.set_latency("feishu.set_host", 0.0)

        bot = Bot(env, tmp_path, log)
        _until("all 100 handovers finished",
               lambda: all(r["status"] == "done" for r in _rows(db)) and len(_rows(db)) == N, 30)
        per_meeting = [_set_host_calls(box, m) for m in meetings[:N]]
        assert per_meeting == [1] * N  # none lost, none doubled
        assert all(m.host[0] == alice.open_id for m in meetings[:N])
        reports = [[x for x in channel.messages if x.get("thread_ts") == f"1700000000.{i:06d}"
                    and "(due " in x.get("text", "")] for i in range(N)]
        assert max(len(r) for r in reports) == 1  # no report twice
        # a run killed between its vendor call and its post cannot report; every other one does
        assert sum(len(r) for r in reports) >= N - 8

        # ---- 2. schedule 5 more, kill before they are due, stay down past the grace period ---------
        for j, m in enumerate(meetings[N:]):
            bot.mention(box, channel.id, speaker, f"in 2 seconds hand host to <@{target}> of meeting {m.id}", N + j)
        _until("5 more handovers in the store", lambda: len(_rows(db)) == N + LATE, 30)
        bot.kill()
        last_due = max(datetime.fromisoformat(r["due_at"]) for r in _rows(db)[N:])
        grace_s = 1.2
        back_at = last_due + timedelta(seconds=grace_s + 1)
        _until("the grace period to pass", lambda: datetime.now(back_at.tzinfo) > back_at, 30)

        bot = Bot({**env, "HOSTBOT_HANDOVER_GRACE_MIN": str(grace_s / 60)}, tmp_path, log)
        _until("the late ones marked missed", lambda: all(r["status"] == "missed" for r in _rows(db)[N:]), 30)
        missed_threads = [f"1700000000.{N + j:06d}" for j in range(LATE)]
        _until("the missed reports", lambda: all(
            any("was missed" in x.get("text", "") for x in channel.messages if x.get("thread_ts") == ts)
            for ts in missed_threads), 30)
        assert [_set_host_calls(box, m) for m in meetings[N:]] == [0] * LATE
        assert box.recorder.count("feishu.set_host") == N
        bot.stop()
    output = log.read_text()
    assert "Traceback" not in output
    elapsed = time.monotonic() - started
    print(f"\n{N} handovers, kill -9 after {calls_at_kill} vendor calls with {cut_short} runs cut short; "
          f"all {N} ran exactly once; {LATE} reported missed; {elapsed:.1f} s")
