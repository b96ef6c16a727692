"""hostbot beside the bare Bolt peer, in one table (`make bench`): start-up, memory, acks under load, throughput.

Columns: the peer (bench/bolt_peer.py), `hostbot run` with every platform configured (Slack, Feishu in
webhook mode, DingTalk, Webex, Zoom; all pointed at the sandbox process), the ratio hostbot / peer, and,
with BENCH_BASE=/path/to/another/checkout, the same hostbot figures for that checkout's code (its
`bot` package first on PYTHONPATH), measured in the same run: before and after a change.

    ready          spawn -> GET /healthz answers 200; the median of STARTS starts
    RSS            resident memory right after ready (median of the same starts), and after the ack load
    ack p50/p99    ACK_COMMANDS signed `/host make @alice host of meeting N` (each its own Feishu meeting),
                   ACK_CONCURRENCY at a time, every vendor call answered after 1.5 s; acks over 3 s counted.
                   The median of ACK_RUNS such runs (a fresh server each), for the peer and hostbot alike: one
                   run's p99 of 200 acks is its second-slowest, and the peer's own moved 1.06-1.43 s between
                   runs on the quiet machine (a goal of 1.1x cannot be read from one)
    commands/s     RATE_COMMANDS of them, vendors instant: commands / (first sent -> last answer in Slack).
                   hostbot is held to Feishu's 50 calls/s: 3 calls a command when the number is new (list_by_no,
                   get, set_host), 2 when it was resolved recently (bot/vendors/feishu/numbers.py: the "warm"
                   row first asks "who is host of meeting N?" for each); shown against that ceiling too
    slow callback  the longest callback on hostbot's event loop during a second ack run, under asyncio debug
                   mode with slow_callback_duration = 5 ms (bench/slow_loop.py); debug mode slows the loop,
                   so this run's acks are not the ones in the table
Long-connection mode (FEISHU_MODE=ws) is started STARTS times too; its ready and RSS have their own rows.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.bolt_peer import ANSWER as PEER_ANSWER
from bench.harness import (
    ROOT,
    HealthPoller,
    SandboxProc,
    ServerProc,
    fire,
    host_commands,
    median,
    ms,
    percentile,
    record,
    slash_commands,
    start_hostbot,
    start_peer,
)

STARTS = 3
SETTLE_S = 5.0
ACK_COMMANDS, ACK_CONCURRENCY, VENDOR_LATENCY_S = 200, 100, 1.5
ACK_RUNS = 3  # ack runs per server kind; their median is shown
RATE_COMMANDS, RATE_CONCURRENCY = 100, 50
VENDORS = ("feishu", "dingtalk", "webex", "zoom")
DONE, WHO = "is now host", "is host."
FEISHU_PER_SECOND = 50
SLOW = re.compile(r"^SLOW (\d+\.\d+) (.*)$", re.M)

Start = Callable[[str], ServerProc]


def _starts(start: Start, name: str) -> tuple[float, float, float]:
    """(ready s, RSS MiB right after ready, RSS SETTLE_S later): medians over STARTS fresh processes."""
    ready, rss, later = [], [], []
    start(f"{name}-warm-up").stop()  # unmeasured: the first start of changed code writes its bytecode (harness)
    for i in range(STARTS):
        server = start(f"{name}-start-{i}")
        try:
            ready.append(server.ready_s)
            rss.append(server.rss_mib())
            time.sleep(SETTLE_S)  # hostbot loads lark-oapi's modules in a worker thread once it serves
            later.append(server.rss_mib())
        finally:
            server.stop()
    return median(ready), median(rss), median(later)


def _answers(box: SandboxProc, needle: str, n: int, timeout: float = 120) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    got = box.answers(needle)
    while got["count"] < n and time.monotonic() < deadline:
        time.sleep(0.1)
        got = box.answers(needle)
    return got


def _ack(box: SandboxProc, start: Start, name: str, needle: str) -> dict[str, float]:
    return ack_runs(box, lambda i: start(f"{name}-ack{i}"), needle)


def ack_runs(box: SandboxProc, start: Callable[[int], ServerProc], needle: str,
             health: bool = False) -> dict[str, float]:
    """ACK_RUNS ack runs (ack_run), each on a server `start(i)` of its own: the median of each figure, except
    acks over 3 s (their sum), answers (the fewest) and /healthz max (the largest)."""
    runs = [ack_run(box, start(i), needle, health=health) for i in range(ACK_RUNS)]
    figures = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    figures.update(over_3s=sum(r["over_3s"] for r in runs), answered=min(r["answered"] for r in runs),
                   health_max=max(r["health_max"] for r in runs))
    return figures


def ack_run(box: SandboxProc, server: ServerProc, needle: str, warmed: Path | None = None,
            health: bool = False) -> dict[str, float]:
    """Acks of ACK_COMMANDS commands under vendor latency, and the RSS once they are all answered; the
    server is stopped after. `warmed`: a file deleted once start-up and the first requests are over (the
    slow-callback log). `health`: GET /healthz polled meanwhile from another thread (its p50, p99, max)."""
    try:
        asyncio.run(fire(server.base_url, host_commands(box, box.meetings(5)), 5))  # first-request costs
        _answers(box, needle, 5, 60)
        if warmed is not None:
            warmed.unlink(missing_ok=True)
        box.reset()
        box.latency(VENDORS, VENDOR_LATENCY_S)
        with HealthPoller(server.base_url, active=health) as polled:
            fired = asyncio.run(fire(server.base_url, host_commands(box, box.meetings(ACK_COMMANDS)),
                                     ACK_CONCURRENCY))
            answered = _answers(box, needle, ACK_COMMANDS)["count"]
        rss = server.rss_mib()
    finally:
        box.reset()
        server.stop()
    lat, h = fired.latencies, polled.latencies
    return {"p50": percentile(lat, 50), "p99": percentile(lat, 99), "over_3s": sum(v > 3.0 for v in lat),
            "acked": fired.ok, "answered": answered, "rss": rss, "health_p50": percentile(h, 50),
            "health_p99": percentile(h, 99), "health_max": max(h, default=0.0)}


def _rate(box: SandboxProc, start: Start, name: str, needle: str, warm: bool) -> float:
    """Commands answered per second, vendors instant; `warm`: the meeting numbers were just looked up."""
    server = start(f"{name}-rate-{'warm' if warm else 'cold'}")
    try:
        box.reset()
        meetings = box.meetings(RATE_COMMANDS)
        if warm:
            numbers = [box.world["meeting_numbers"][i] for i in meetings]
            asyncio.run(fire(server.base_url, slash_commands(box, [f"who is host of meeting {n}?" for n in numbers]),
                             RATE_CONCURRENCY))
            _answers(box, WHO, RATE_COMMANDS)
        box.reset()
        fired = asyncio.run(fire(server.base_url, host_commands(box, meetings), RATE_CONCURRENCY))
        got = _answers(box, needle, RATE_COMMANDS)
    finally:
        server.stop()
    return RATE_COMMANDS / (got["last_at"] - fired.started_at) if got["count"] >= RATE_COMMANDS else 0.0


def _slowest_callback(box: SandboxProc, workdir: Path, label: str, needle: str,
                      starter: Callable[[dict[str, str]], Start]) -> tuple[float, int, str]:
    """(worst callback s, callbacks over 5 ms, what the worst one was) on a server's loop during an ack run."""
    log = workdir / f"slow-{label}.txt"
    log.unlink(missing_ok=True)
    ack_run(box, starter({"BENCH_SLOW_LOG": str(log), "_WRAP": str(ROOT / "bench" / "slow_loop.py")})(
        f"{label}-debug"), needle, warmed=log)
    found = [(float(s), what) for s, what in SLOW.findall(log.read_text())] if log.exists() else []
    if not found:
        return 0.0, 0, "none over 5 ms"
    worst = max(found)
    return worst[0], len(found), worst[1][:90]


def _hostbot(box: SandboxProc, workdir: Path, base: str | None, **env: str) -> Start:
    """Start `hostbot run` (every platform configured) from this checkout, or from `base`'s code."""
    extra = dict(env)
    if base:  # its `bot` before this checkout's (installed editable, found after PYTHONPATH)
        extra["PYTHONPATH"] = base + os.pathsep + str(ROOT)
    return lambda name: start_hostbot(box, workdir, name, extra_env=extra)


def _column(box: SandboxProc, workdir: Path, base: str | None) -> dict[str, str]:
    label = "base" if base else "hostbot"
    start = _hostbot(box, workdir, base)
    ready, rss, rss_later = _starts(start, label)
    ws_ready, ws_rss, _ = _starts(_hostbot(box, workdir, base, FEISHU_MODE="ws"), f"{label}-ws")
    ack = _ack(box, start, label, DONE)
    cold = _rate(box, start, label, DONE, warm=False)
    warm = _rate(box, start, label, DONE, warm=True)
    slow, slow_n, slow_what = _slowest_callback(box, workdir, label, DONE,
                                                lambda env: _hostbot(box, workdir, base, **env))
    return {"ready": f"{ready:.2f} s", "rss": f"{rss:.0f} MiB", "rss_later": f"{rss_later:.0f} MiB",
            "ack_p50": ms(ack["p50"]), "ack_p99": ms(ack["p99"]),
            "over_3s": f"{ack['over_3s']:.0f}", "answered": f"{ack['answered']:.0f}/{ACK_COMMANDS}",
            "rss_after": f"{ack['rss']:.0f} MiB", "rate": f"{cold:.1f}", "rate_warm": f"{warm:.1f}",
            "ceiling": f"{cold / (FEISHU_PER_SECOND / 3):.0%} / {warm / (FEISHU_PER_SECOND / 2):.0%}",
            "ws_ready": f"{ws_ready:.2f} s", "ws_rss": f"{ws_rss:.0f} MiB",
            "slow": f"{slow * 1000:.0f} ms ({slow_n} over 5 ms)", "slow_what": slow_what,
            "_ready": str(ready), "_rss": str(rss), "_rss_later": str(rss_later), "_p50": str(ack["p50"]),
            "_p99": str(ack["p99"]), "_rate": str(cold), "_rate_warm": str(warm)}


def _peer(box: SandboxProc, workdir: Path) -> dict[str, str]:
    start: Start = lambda name: start_peer(box, workdir)  # noqa: E731
    ready, rss, rss_later = _starts(start, "peer")
    ack = _ack(box, start, "peer", PEER_ANSWER)
    rate = _rate(box, start, "peer", PEER_ANSWER, warm=False)
    slow, slow_n, slow_what = _slowest_callback(
        box, workdir, "peer", PEER_ANSWER, lambda env: lambda name: start_peer(box, workdir, extra_env=env))
    return {"ready": f"{ready:.2f} s", "rss": f"{rss:.0f} MiB", "rss_later": f"{rss_later:.0f} MiB",
            "ack_p50": ms(ack["p50"]), "ack_p99": ms(ack["p99"]),
            "over_3s": f"{ack['over_3s']:.0f}", "answered": f"{ack['answered']:.0f}/{ACK_COMMANDS}",
            "rss_after": f"{ack['rss']:.0f} MiB", "rate": f"{rate:.1f}", "rate_warm": "-", "ceiling": "-",
            "ws_ready": "-", "ws_rss": "-", "slow": f"{slow * 1000:.0f} ms ({slow_n} over 5 ms)",
            "slow_what": slow_what,
            "_ready": str(ready), "_rss": str(rss), "_rss_later": str(rss_later), "_p50": str(ack["p50"]),
            "_p99": str(ack["p99"]), "_rate": str(rate), "_rate_warm": "0"}


def _ratio(hostbot: dict[str, str], peer: dict[str, str], key: str) -> str:
    a, b = float(hostbot[f"_{key}"]), float(peer[f"_{key}"])
    return f"{a / b:.2f}x" if b else "-"


ROWS = [  # (measure, key, ratio key, goal)
    ("ready: spawn -> /healthz (median of 3)", "ready", "ready", "<= 1.5x"),
    ("RSS right after ready (median of 3)", "rss", "rss", "<= 1.5x"),
    (f"RSS {SETTLE_S:.0f} s after ready (lark-oapi loaded in the background)", "rss_later", "rss_later", ""),
    (f"ack p50 ({ACK_COMMANDS} /host, {ACK_CONCURRENCY} concurrent, vendors 1.5 s)", "ack_p50", "p50", ""),
    ("ack p99", "ack_p99", "p99", "<= 1.1x"),
    ("acks over 3 s", "over_3s", "", "0"),
    ("answers in the thread", "answered", "", f"{ACK_COMMANDS}/{ACK_COMMANDS}"),
    ("RSS after the ack load", "rss_after", "", ""),
    (f"commands/s answered ({RATE_COMMANDS}, vendors instant)", "rate", "rate", ""),
    ("commands/s, numbers resolved recently", "rate_warm", "", ""),
    ("of Feishu's ceiling (16.7/s new number, 25/s known)", "ceiling", "", ">= 90 % (known)"),
    ("long connection (FEISHU_MODE=ws): ready", "ws_ready", "", ""),
    ("long connection (FEISHU_MODE=ws): RSS after start", "ws_rss", "", ""),
    ("worst callback on the event loop (ack load)", "slow", "", "<= 5 ms"),
    ("  which", "slow_what", "", ""),
]


def run(box: SandboxProc, workdir: Path) -> dict[str, str]:
    base = os.environ.get("BENCH_BASE") or None
    peer = _peer(box, workdir)
    hostbot = _column(box, workdir, None)
    before = _column(box, workdir, base) if base else None
    head = ("measure", "peer", "hostbot", "ratio", *(("base", "base ratio") if before else ()), "goal")
    rows = []
    for title, key, ratio, goal in ROWS:
        row = [title, peer[key], hostbot[key], _ratio(hostbot, peer, ratio) if ratio else ""]
        if before:
            row += [before[key], _ratio(before, peer, ratio) if ratio else ""]
        rows.append((*row, goal))
    print_grid("hostbot (every platform configured, Feishu webhook mode) beside the bare Bolt peer"
               + (f"; base = {base}" if before else ""), head, rows)
    columns = [("this checkout", hostbot)] + ([(f"base: {base}", before)] if before else [])
    for label, col in columns:
        record("Side by side with the Bolt peer", RECORD_COLUMNS, [label, *_record_row(col, peer)])
    return {k: v for k, v in hostbot.items() if not k.startswith("_")}


RECORD_COLUMNS = ["code", "peer ready", "ready", "ratio", "peer RSS", "RSS", "ratio", "RSS +5 s", "peer ack p99",
                  "ack p50",
                  "ack p99", "ratio", "acks > 3 s", "peer cmd/s", "cmd/s", "cmd/s known numbers", "ws ready",
                  "ws RSS", "worst loop callback"]


def _record_row(col: dict[str, str], peer: dict[str, str]) -> list[str]:
    return [peer["ready"], col["ready"], _ratio(col, peer, "ready"), peer["rss"], col["rss"], _ratio(col, peer, "rss"),
            col["rss_later"], peer["ack_p99"], col["ack_p50"], col["ack_p99"], _ratio(col, peer, "p99"), col["over_3s"],
            peer["rate"], col["rate"], col["rate_warm"], col["ws_ready"], col["ws_rss"], col["slow"]]


def print_grid(title: str, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    width = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = "+-" + "-+-".join("-" * w for w in width) + "-+"
    print(f"\n{title}\n{line}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, width, strict=True)) + " |")
    print(line)
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, width, strict=True)) + " |")
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit("run it with `python -m bench versus` (or `make bench`)")
