"""hostbot on each store beside the bare Bolt peer: does the event loop wait on the database? (issue 27)

Columns: the peer; hostbot on SQLite; on PostgreSQL on this machine; on PostgreSQL behind a loopback
proxy that holds every packet 2 ms each way (bench/delay_proxy.py: a managed database one hop away).
    ack p99          ACK_COMMANDS signed `/host make @alice host of meeting N`, ACK_CONCURRENCY at a time,
                     vendors answering after 1.5 s (as bench/versus.py: the median of ACK_RUNS runs)
    /healthz         GET /healthz every 20 ms during that load, from another thread: p50, p99 (medians of
                     the runs), max (of all)
    loop > 20 ms     callbacks that held the event loop over 20 ms during a second such run, under asyncio
                     debug mode (bench/slow_loop.py), and the worst one
    commands/s       RATE_COMMANDS commands on numbers resolved just before (2 Feishu calls each: get and
                     set_host; ceiling 25/s), one replica; on PostgreSQL + 2 ms also three replicas. Two
                     figures: first command sent -> last answer (what a burst of 100 takes, its start
                     included: each command's parse, people lookups and audit row before its first vendor
                     call), and first Feishu VC call -> last answer (the rate once the vendor is reached,
                     which only the vendor's limit should bound); the first call's delay is shown beside them
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.bolt_peer import ANSWER as PEER_ANSWER
from bench.delay_proxy import DelayProxy
from bench.harness import (
    ROOT,
    Fired,
    SandboxProc,
    ServerProc,
    fire,
    host_commands,
    ms,
    record,
    slash_commands,
    start_hostbot,
    start_peer,
)
from bench.replicas import FEISHU_VC
from bench.versus import DONE, SLOW, WHO, _answers, ack_run, ack_runs, print_grid

ACK_COMMANDS, ACK_CONCURRENCY, VENDOR_LATENCY_S = 200, 100, 1.5
RATE_COMMANDS, RATE_CONCURRENCY = 100, 50
LOOP_LIMIT_S = 0.020
FAR_MS = 2.0
GC = re.compile(r"^GC (\d+\.\d+) ", re.M)
KNOWN_CEILING = 25.0  # Feishu 50 calls/s, 2 calls a command for a number resolved recently

Start = Callable[[str, dict[str, str]], ServerProc]


def _ack(box: SandboxProc, start: Callable[[int], ServerProc], needle: str) -> dict[str, float]:
    return ack_runs(box, start, needle, health=True)


def _slow(box: SandboxProc, workdir: Path, label: str, start: Start, needle: str) -> tuple[int, float, str]:
    """(callbacks over LOOP_LIMIT_S, the worst in s, what it was) during an ack run under asyncio debug; what
    was a garbage collection over LOOP_LIMIT_S is counted in `what` (bench/slow_loop.py, bot/ops/heap.py)."""
    log = workdir / f"stores-slow-{label}.txt"
    log.unlink(missing_ok=True)
    ack_run(box, start(f"{label}-debug", {"BENCH_SLOW_LOG": str(log), "_WRAP": str(ROOT / "bench" / "slow_loop.py")}),
            needle, warmed=log, health=True)
    found = [(float(s), what) for s, what in SLOW.findall(log.read_text())] if log.exists() else []
    over = [f for f in found if f[0] > LOOP_LIMIT_S]
    worst = max(found, default=(0.0, "none over 5 ms"))
    text = log.read_text() if log.exists() else ""
    collections = [float(x) for x in GC.findall(text) if float(x) > LOOP_LIMIT_S]
    gcs = f"; {len(collections)} GC over {LOOP_LIMIT_S * 1000:.0f} ms" if collections else ""
    return len(over), worst[0], worst[1][:60] + gcs


def _rate_known(box: SandboxProc, servers: list[ServerProc]) -> tuple[float, float, float]:
    """Commands answered per second over `servers` (stopped after), on numbers each looked up just before:
    (from the first command sent, from the first Feishu VC call, the seconds between those two); zeros when
    not every command was answered."""
    try:
        box.reset()
        meetings = box.meetings(RATE_COMMANDS)
        numbers = [box.world["meeting_numbers"][i] for i in meetings]
        asks, bodies = (slash_commands(box, [f"who is host of meeting {n}?" for n in numbers]),
                        host_commands(box, meetings))
        n = len(servers)

        async def spread(all_bodies: list[str]) -> list[Fired]:
            return list(await asyncio.gather(*(fire(s.base_url, all_bodies[i::n], max(1, RATE_CONCURRENCY // n))
                                               for i, s in enumerate(servers))))

        asyncio.run(spread(asks))  # the same replica asks and changes: its number cache is warm
        _answers(box, WHO, RATE_COMMANDS)
        box.reset()
        started = time.time()
        asyncio.run(spread(bodies))
        got = _answers(box, DONE, RATE_COMMANDS)
        first_call = box.calls(FEISHU_VC)["first_at"]
    finally:
        for s in servers:
            s.stop()
    if got["count"] < RATE_COMMANDS:
        return 0.0, 0.0, 0.0
    return (RATE_COMMANDS / (got["last_at"] - started), RATE_COMMANDS / (got["last_at"] - first_call),
            first_call - started)


def _rate_text(rate: tuple[float, float, float]) -> str:
    sent, reached, delay = rate
    return (f"{sent:.1f} ({sent / KNOWN_CEILING:.0%}); from the 1st vendor call {reached:.1f} "
            f"({reached / KNOWN_CEILING:.0%}, it came {delay:.2f} s in)")


def _column(box: SandboxProc, workdir: Path, label: str, db: Callable[[], str], replicas: bool,
            base: str | None = None) -> dict[str, str]:
    """One store's figures for this checkout's code, or for `base`'s (its `bot` first on PYTHONPATH, as
    bench/versus.py runs it; this checkout's bench, sandbox and venv)."""
    code = {"PYTHONPATH": base + os.pathsep + str(ROOT)} if base else {}
    label = f"{label}-base" if base else label

    def start(name: str, env: dict[str, str]) -> ServerProc:
        return start_hostbot(box, workdir, name, extra_env={**code, **env}, db=db())

    ack = _ack(box, lambda i: start(f"{label}-ack{i}", {}), DONE)
    over, worst, what = _slow(box, workdir, label, start, DONE)
    one = _rate_known(box, [start(f"{label}-rate", {})])
    col = _figures(ack, over, worst, what)
    col["rate"] = _rate_text(one)
    if replicas:
        url = db()
        three = _rate_known(box, [start_hostbot(box, workdir, f"{label}-rate3-{i}", extra_env=code, db=url)
                                  for i in range(3)])
        col["rate3"] = _rate_text(three)
    return col


def _figures(ack: dict[str, float], over: int, worst: float, what: str) -> dict[str, str]:
    return {"ack_p99": ms(ack["p99"]), "_p99": str(ack["p99"]), "over_3s": f"{ack['over_3s']:.0f}",
            "answered": f"{min(ack['answered'], ACK_COMMANDS):.0f}/{ACK_COMMANDS}", "health_p50": ms(ack["health_p50"]),
            "health_p99": ms(ack["health_p99"]), "_health_p99": str(ack["health_p99"]),
            "health_max": ms(ack["health_max"]), "loop": f"{over} (worst {worst * 1000:.0f} ms)", "loop_what": what,
            "rate": "-", "rate3": "-"}


def _peer(box: SandboxProc, workdir: Path) -> dict[str, str]:
    ack = _ack(box, lambda i: start_peer(box, workdir), PEER_ANSWER)
    over, worst, what = _slow(box, workdir, "peer", lambda name, env: start_peer(box, workdir, extra_env=env),
                              PEER_ANSWER)
    return _figures(ack, over, worst, what)


@contextlib.contextmanager
def _far(url: str) -> Iterator[str]:
    """The same database behind the 2 ms-each-way proxy."""
    parts = urlsplit(url)
    with DelayProxy(parts.hostname or "127.0.0.1", parts.port or 5432, FAR_MS / 1000) as proxy:
        yield urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))


ROWS = [  # (title, key, ratio key, goal)
    (f"ack p99 ({ACK_COMMANDS} /host, {ACK_CONCURRENCY} concurrent, vendors 1.5 s)", "ack_p99", "p99", "<= 1.1x"),
    ("acks over 3 s", "over_3s", "", "0"),
    ("answers in the thread", "answered", "", f"{ACK_COMMANDS}/{ACK_COMMANDS}"),
    ("/healthz p50 during the load", "health_p50", "", ""),
    ("/healthz p99 during the load", "health_p99", "health_p99", "<= 1.2x"),
    ("/healthz max during the load", "health_max", "", ""),
    (f"loop callbacks over {LOOP_LIMIT_S * 1000:.0f} ms (asyncio debug run)", "loop", "", "0"),
    ("  the worst", "loop_what", "", ""),
    ("commands/s, known number, 1 replica (of 25/s; sent -> answered; from the 1st vendor call)", "rate", "",
     ">= 90 %"),
    ("commands/s, known number, 3 replicas (the same)", "rate3", "", ">= 90 %"),
]


def run(box: SandboxProc, workdir: Path) -> dict[str, str]:
    from tests.support import pg

    base = os.environ.get("BENCH_BASE") or None
    codes = [None, base] if base else [None]
    named = f"{base} at {_commit(base)}" if base else ""
    peer = _peer(box, workdir)
    columns: dict[str, dict[str, str]] = {}

    def add(name: str, label: str, db: Callable[[], str], replicas: bool) -> None:
        for code in codes:
            columns[f"{name} (base)" if code else name] = _column(box, workdir, label, db, replicas, code)

    add("SQLite", "sqlite", lambda: str(workdir / f"stores-{time.monotonic_ns()}.db"), replicas=False)
    with pg.server() as admin:
        if admin is None:
            print(f"\nPostgreSQL columns skipped ({pg.SKIP_LINE})")
        else:
            add("PostgreSQL", "pg", lambda: pg.fresh_database(admin), replicas=False)
            with _far(admin) as far_admin:
                add(f"PostgreSQL +{FAR_MS:.0f} ms", "pgfar", lambda: pg.fresh_database(far_admin), replicas=True)
    head = ("measure", "peer", *(x for name in columns for x in (name, "ratio")), "goal")
    rows = []
    for title, key, ratio, goal in ROWS:
        row = [title, peer[key]]
        for col in columns.values():
            row += [col[key], _ratio(col, peer, ratio) if ratio else ""]
        rows.append((*row, goal))
    print_grid("hostbot on each store beside the bare Bolt peer (every platform configured)"
               + (f"; base = {named}" if base else ""), tuple(head), rows)
    for name, col in columns.items():
        record("Stores beside the Bolt peer", RECORD_COLUMNS,
               [name.replace("(base)", f"(base: {named})"),
                peer["ack_p99"], col["ack_p99"], _ratio(col, peer, "p99"), peer["health_p99"],
                col["health_p99"], _ratio(col, peer, "health_p99"), col["health_max"], peer["loop"], col["loop"],
                col["rate"], col["rate3"]])
    return {f"{name}:{k}": v for name, col in columns.items() for k, v in col.items() if not k.startswith("_")}


def _commit(checkout: str) -> str:
    found = subprocess.run(["git", "-C", checkout, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return found.stdout.strip() or "?"


RECORD_COLUMNS = ["store", "peer ack p99", "ack p99", "ratio", "peer /healthz p99", "/healthz p99", "ratio",
                  "/healthz max", "peer loop > 20 ms", "loop > 20 ms", "cmd/s known (1)", "cmd/s known (3)"]


def _ratio(col: dict[str, str], peer: dict[str, str], key: str) -> str:
    a, b = float(col[f"_{key}"]), float(peer[f"_{key}"])
    return f"{a / b:.2f}x" if b else "-"
