"""Start-up and memory alone (`python -m bench startup`): the part of `versus` that takes a minute, not twenty.

hostbot run (every platform configured, Feishu in webhook mode) beside the bare Bolt peer: ready (spawn ->
GET /healthz answers 200), RSS right after ready and SETTLE_S later (once lark-oapi's modules are loaded in
the background), the median of STARTS fresh processes each, and the ratios to the peer. With BENCH_BASE=
/other/checkout that code's hostbot is started in the same run, interleaved with this one's (before/after).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from bench.harness import SandboxProc, ServerProc, record, start_peer
from bench.versus import _hostbot, print_grid

STARTS = 5
SETTLE_S = 5.0


def _once(server: ServerProc) -> tuple[float, float, float]:
    try:
        ready, rss = server.ready_s, server.rss_mib()
        time.sleep(SETTLE_S)
        return ready, rss, server.rss_mib()
    finally:
        server.stop()


def run(box: SandboxProc, workdir: Path) -> dict[str, str]:
    base = os.environ.get("BENCH_BASE") or None
    starts = {"peer": lambda name: start_peer(box, workdir), "hostbot": _hostbot(box, workdir, None)}
    if base:
        starts["base"] = _hostbot(box, workdir, base)
    for name, start in starts.items():  # unmeasured: the first start of changed code writes its bytecode (harness)
        start(f"{name}-warm-up").stop()
    seen: dict[str, list[tuple[float, float, float]]] = {name: [] for name in starts}
    for i in range(STARTS):  # interleaved: a busier moment of the machine falls on every column alike
        for name, start in starts.items():
            seen[name].append(_once(start(f"{name}-start-{i}")))
    for name, runs in seen.items():
        print(f"{name}: ready " + " ".join(f"{r[0]:.2f}" for r in runs)
              + f"; RSS +{SETTLE_S:.0f} s " + " ".join(f"{r[2]:.0f}" for r in runs))
    med = {name: [statistics.median(v[k] for v in runs) for k in range(3)] for name, runs in seen.items()}
    peer = med["peer"]
    rows = []
    titles = ("ready: spawn -> /healthz", "RSS right after ready", f"RSS {SETTLE_S:.0f} s after ready")
    for k, title in enumerate(titles):
        row = [title, _shown(k, peer[k])]
        for name in starts:
            if name != "peer":
                row += [_shown(k, med[name][k]), f"{med[name][k] / peer[k]:.2f}x"]
        rows.append((*row, "<= 1.5x" if k != 1 else ""))
    head = ("measure", "peer", "hostbot", "ratio", *(("base", "base ratio") if base else ()), "goal")
    print_grid(f"start-up and memory, median of {STARTS} starts each (every platform configured)"
               + (f"; base = {base}" if base else ""), head, rows)
    for name in starts:
        if name != "peer":
            m = med[name]
            record("Start-up and memory", COLUMNS, [
                "this checkout" if name == "hostbot" else f"base: {base}", f"{peer[0]:.2f} s", f"{m[0]:.2f} s",
                f"{m[0] / peer[0]:.2f}x", f"{peer[2]:.0f} MiB", f"{m[2]:.0f} MiB", f"{m[2] / peer[2]:.2f}x",
                f"{m[1]:.0f} MiB"])
    return {"ready": f"{med['hostbot'][0]:.2f} s", "rss_later": f"{med['hostbot'][2]:.0f} MiB"}


def _shown(k: int, value: float) -> str:
    return f"{value:.2f} s" if k == 0 else f"{value:.0f} MiB"


COLUMNS = ["code", "peer ready", "ready", "ratio", f"peer RSS +{SETTLE_S:.0f} s", f"RSS +{SETTLE_S:.0f} s", "ratio",
           "RSS at ready"]
