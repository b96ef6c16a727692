"""`python bench/slow_loop.py MODULE ARGS…`: `python -m MODULE ARGS…` (hostbot's `bot run`, or the Bolt peer)
under asyncio debug mode, its slow callbacks written to a file.

Every event loop the process creates runs in debug mode with `slow_callback_duration` = 5 ms, so asyncio
logs each callback (a task step, an I/O handler) that held the loop longer; this records those lines
as `SLOW <seconds> <callback>` in the file named by BENCH_SLOW_LOG, for bench/versus.py to read, and each
garbage collection over the same threshold as `GC <seconds> gen<N> <objects collected>`: a collection holds
whichever callback allocated when it started, so that callback's SLOW line follows it (bot/ops/heap.py).
Debug mode adds its own overhead: figures taken under it are for finding blocking work, not for latency.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import re
import runpy
import sys
import time

THRESHOLD_S = 0.005
SLOW = re.compile(r"Executing (.*) took (\d+\.\d+) seconds", re.S)


class _DebugPolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()
        loop.set_debug(True)
        loop.slow_callback_duration = THRESHOLD_S
        return loop


class _Record(logging.Handler):
    def __init__(self, path: str) -> None:
        super().__init__(logging.WARNING)
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        found = SLOW.match(record.getMessage())
        if found:
            with open(self.path, "a") as out:
                out.write(f"SLOW {found.group(2)} {' '.join(found.group(1).split())}\n")


def _watch_gc(path: str) -> None:
    started: list[float] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started and (took := time.perf_counter() - started[0]) > THRESHOLD_S:
            with open(path, "a") as out:
                out.write(f"GC {took:.3f} gen{info['generation']} {info['collected']}\n")

    gc.callbacks.append(note)


def main() -> None:
    asyncio.set_event_loop_policy(_DebugPolicy())
    _watch_gc(os.environ["BENCH_SLOW_LOG"])
    logging.getLogger("asyncio").addHandler(_Record(os.environ["BENCH_SLOW_LOG"]))
    module = sys.argv[1] if sys.argv[1] != "run" else "bot"  # `slow_loop.py run …` = `slow_loop.py bot run …`
    sys.argv[: 1 if sys.argv[1] == "run" else 2] = [module]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
