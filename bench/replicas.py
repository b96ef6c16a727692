"""Replicas on one PostgreSQL: throughput with 1 vs 3 `hostbot run`, and how fast a dead one's work moves.

Needs PostgreSQL's server binaries (as the tests: tests/support/pg.py starts a throwaway cluster).
    commands/s      COMMANDS signed /host commands (each its own Feishu meeting, by id: get + set_host)
                    fired 100 at a time at 1 replica, then spread over 3 (a fresh database each, so
                    each run has the app's whole budget); the vendor's limit (Feishu 50/s, 1,000/min,
                    shared through the database) is the ceiling either way, and must hold
    takeover        HANDOVERS handovers due at once on 3 replicas (lease HOSTBOT_HANDOVER_LEASE_S =
                    LEASE_S), the vendor slow (2 s per set_host); one replica is SIGKILLed while it
                    holds runs: the time until another replica has taken all of them over, and
                    until they are done, each once
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path

from bench.harness import (
    Fired,
    SandboxProc,
    ServerProc,
    clean_env,
    fire,
    free_port,
    host_commands,
    print_table,
    record,
    seed_people,
    slash_commands,
    wait_until,
)

COMMANDS = 200  # x2 runs x2 calls = 800 Feishu calls: both runs fit in one minute's 1,000
HANDOVERS = 30
LEASE_S = 5
FEISHU_VC = "feishu.list_by_no,feishu.get_meeting,feishu.set_host"


def _replicas(box: SandboxProc, workdir: Path, url: str, n: int, tag: str) -> list[ServerProc]:
    seed_people(box, url)
    procs = []
    for i in range(n):
        port = free_port()
        env = clean_env(**box.env, SLACK_SIGNING_SECRET="bench-signing-secret-0123456789abcdef", HOSTBOT_DB=url,
                        HOSTBOT_PORT=str(port), HOSTBOT_TZ="UTC", HOSTBOT_HANDOVER_LEASE_S=str(LEASE_S))
        procs.append(ServerProc(f"{tag}-{i}", [sys.executable, "-m", "bot", "run", "--host", "127.0.0.1"], env, port,
                                workdir))
    return procs


def _throughput(box: SandboxProc, workdir: Path, url: str, n: int) -> dict[str, str]:
    bots = _replicas(box, workdir, url, n, f"throughput{n}")
    try:
        box.reset()
        bodies = host_commands(box, box.meetings(COMMANDS), by_id=True)

        async def spread() -> list[Fired]:
            return list(await asyncio.gather(*(fire(bot.base_url, bodies[i::n], max(1, 100 // n))
                                               for i, bot in enumerate(bots))))

        started = time.time()
        fired = asyncio.run(spread())
        with contextlib.suppress(TimeoutError):  # report what was done, whatever it was
            wait_until("every set_host", lambda: box.calls("feishu.set_host")["count"] >= COMMANDS, 180, every=0.25)
        set_host, vc = box.calls("feishu.set_host"), box.calls(FEISHU_VC)
    finally:
        for bot in bots:
            bot.stop()
    took = max(0.001, set_host["last_at"] - started)
    errors = sorted({e for f in fired for e in f.errors})
    return {"per_s": f"{set_host['count'] / took:.1f}", "took": f"{took:.1f} s", "calls": str(set_host["count"]),
            "acked": f"{sum(f.ok for f in fired)}/{COMMANDS}", "errors": "; ".join(errors[:2]) or "none",
            "max_1s": str(vc["max_1s_window"]), "max_60s": str(vc["max_60s_window"]),
            "refused": str(vc["statuses"].get("429", 0))}


def _rows(url: str) -> list[tuple[int, str, str]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [(int(r[0]), str(r[1]), str(r[2])) for r in conn.execute(
            "SELECT id, status, claimed_by FROM handovers ORDER BY id").fetchall()]


def _takeover(box: SandboxProc, workdir: Path, url: str) -> dict[str, str]:
    bots = _replicas(box, workdir, url, 3, "takeover")
    try:
        box.reset()
        box.latency(["feishu.set_host"], 2.0)
        texts = [f"in 3 seconds hand host to <@{box.world['slack']['alice']}> of meeting {box.world['meeting_ids'][i]}"
                 for i in box.meetings(HANDOVERS)]
        asyncio.run(fire(bots[0].base_url, slash_commands(box, texts), 30))
        dead = f":{bots[0].proc.pid}:"
        held = wait_until("runs held by the first replica",
                          lambda: [h for h, s, owner in _rows(url) if s == "running" and dead in owner], 60, every=0.05)
        bots[0].proc.kill()
        killed = time.monotonic()
        wait_until("its runs taken over", lambda: all(dead not in owner for h, _, owner in _rows(url) if h in held),
                   60, every=0.05)
        moved = time.monotonic() - killed
        wait_until("all done", lambda: all(s == "done" for _, s, _ in _rows(url)), 60, every=0.1)
        done = time.monotonic() - killed
        calls = box.calls("feishu.set_host")["count"]
    finally:
        box.reset()
        for bot in bots[1:]:
            bot.stop()
        bots[0].proc.wait(timeout=10)
    return {"held": str(len(held)), "moved": f"{moved:.1f} s", "done": f"{done:.1f} s", "calls": str(calls)}


def run(box: SandboxProc, workdir: Path) -> dict[str, str]:
    from bot.vendors.http import MARGIN_S
    from tests.support import pg

    with pg.server() as admin:
        if admin is None:
            print(f"\nReplicas: skipped ({pg.SKIP_LINE})")
            return {}
        one = _throughput(box, workdir, pg.fresh_database(admin), 1)
        three = _throughput(box, workdir, pg.fresh_database(admin), 3)
        takeover = _takeover(box, workdir, pg.fresh_database(admin))
    print_table("Replicas on one PostgreSQL (Feishu: 50/s, 1,000/min per app)", [
        (f"{COMMANDS} /host, 1 replica: commands/s", one["per_s"],
         f"<= {25 / (1 + MARGIN_S):.1f} (50 per {1 + MARGIN_S:g} s booked, 2 calls each)"),
        ("  acked / set_host calls", f"{one['acked']} / {one['calls']}", f"{COMMANDS}/{COMMANDS} / {COMMANDS}"),
        ("  Feishu VC calls refused 429", one["refused"], "0"),
        ("  busiest second / minute of Feishu VC calls", f"{one['max_1s']} / {one['max_60s']}", "<= 50 / 1000"),
        (f"{COMMANDS} /host, 3 replicas: commands/s", three["per_s"], "the same ceiling"),
        ("  acked / set_host calls", f"{three['acked']} / {three['calls']}", f"{COMMANDS}/{COMMANDS} / {COMMANDS}"),
        ("  Feishu VC calls refused 429", three["refused"], "0"),
        ("  what the client saw instead of an ack", three["errors"], "none"),
        ("  busiest second / minute of Feishu VC calls", f"{three['max_1s']} / {three['max_60s']}", "<= 50 / 1000"),
        (f"{HANDOVERS} handovers, 1 of 3 SIGKILLed holding runs", takeover["held"], ""),
        (f"  kill -> all its runs taken over (lease {LEASE_S} s)", takeover["moved"], f"<= {LEASE_S} s + a sweep"),
        ("  kill -> every handover done", takeover["done"], ""),
        ("  set_host calls", takeover["calls"], str(HANDOVERS)),
    ])
    record("Replicas", ["1 replica: cmd/s", "max/s", "3 replicas: cmd/s", "max/s", "max/min", "runs orphaned",
                        f"kill -> taken over (lease {LEASE_S} s)", "kill -> all done", "set_host calls"],
           [one["per_s"], one["max_1s"], three["per_s"], three["max_1s"], three["max_60s"], takeover["held"],
            takeover["moved"], takeover["done"], f"{takeover['calls']}/{HANDOVERS}"])
    return {**{f"one_{k}": v for k, v in one.items()}, **{f"three_{k}": v for k, v in three.items()}, **takeover}
