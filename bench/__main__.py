"""`make bench` / `python -m bench [ack] [overhead] [limits] [replicas]`: run the benchmarks (all by default).

One sandbox process serves every benchmark; each benchmark starts and stops its own server
processes. Figures are printed as tables and appended to bench/RESULTS.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench import ack_load, limits, overhead, replicas
from bench.harness import RESULTS, SandboxProc, machine, workdir

BENCHMARKS = {"ack": ack_load.run, "overhead": overhead.run, "limits": limits.run, "replicas": replicas.run}
MEETINGS = 2500  # ack 205 + overhead 520 + two bursts of 500 + replicas 430 (each command takes a meeting of its own)


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    print(f"hostbot benchmarks on {machine()}", flush=True)
    started = time.monotonic()
    box = SandboxProc(MEETINGS)
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
