"""`make bench` / `python -m bench [versus] [ack] [overhead] [limits] [replicas] [startup] [all]`: run benchmarks.

`make bench` runs `versus` (bench/versus.py: hostbot beside the bare Bolt peer, in one table) and
`stores` (bench/stores.py: the same load on SQLite, PostgreSQL, and PostgreSQL 2 ms away, with /healthz
and the event loop watched); `all` runs every benchmark.

One sandbox process serves every benchmark; each benchmark starts and stops its own server
processes. Figures are printed as tables and appended to bench/RESULTS.md.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bench import ack_load, limits, overhead, replicas, startup, stores, versus
from bench.harness import RESULTS, SandboxProc, machine, workdir

BENCHMARKS = {"versus": versus.run, "ack": ack_load.run, "overhead": overhead.run, "limits": limits.run,
              "replicas": replicas.run, "stores": stores.run, "startup": startup.run}
# Each command takes a meeting of its own. versus: 510 (peer) + 610 per hostbot column (this checkout and
# BENCH_BASE's); ack 205 + overhead 520 + two bursts of 500 + replicas 430; stores: 410 (peer) + 510 per
# store + 100 for three replicas, as much again with BENCH_BASE.
# each ack run takes 205 meetings, and versus and stores make ACK_RUNS (3) of them per column
MEETINGS = {"versus": 3100, "ack": 205, "overhead": 520, "limits": 1000, "replicas": 430,
            "stores": 3800 * (2 if os.environ.get("BENCH_BASE") else 1), "startup": 0}
DEFAULT = ["versus", "stores"]


def main(argv: list[str]) -> int:
    chosen = list(BENCHMARKS) if argv == ["all"] else argv or DEFAULT
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    print(f"hostbot benchmarks on {machine()}", flush=True)
    started = time.monotonic()
    box = SandboxProc(sum(MEETINGS[name] for name in chosen))
    try:
        with workdir() as tmp:
            for name in chosen:
                BENCHMARKS[name](box, Path(tmp))
    finally:
        box.stop()
    print(f"\ndone in {time.monotonic() - started:.0f} s; rows appended to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
