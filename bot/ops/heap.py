"""Python's cyclic garbage collector, set for a server that must answer within milliseconds (issue 27).

`hostbot run` allocates ~100,000 objects that live as long as the process (modules, the grammar, clients,
the runtime). Left to the collector's defaults:
- start-up ran ~180 collections (~40-60 ms of CPU before listening, one full pass ~25 ms) that found
  nothing to free;
- under the bench's ack load (100 commands in flight) the only event-loop callbacks over 20 ms were full
  collections (bench/slow_loop.py logs each collection over 5 ms): 60-105 ms each, walking all of it to
  find the few hundred objects a request left in cycles.
So:
- `pause()` (bot/cli.py, first thing in `hostbot run`) turns the collector off for start-up;
- `settle()` (once the server listens, and again when the grammar and lark-oapi's modules are loaded)
  freezes everything alive: collections never walk it again. Start-up leaves ~1,800 unreachable objects,
  kept rather than paying a full pass; frozen objects are still freed by reference counting as ever. It
  turns the collector back on, with full collections after 100 young (gen1) collections instead of 10:
  with start-up frozen, what a full collection walks is mostly the state of the requests in flight (~50,000
  objects at 100 commands: 20-40 ms under asyncio debug mode, ~20 ms without), and with the default it came
  every few seconds of load. Cycles that outlived two young collections wait ten times as long to be
  freed: RSS after the load measured the same (109 MiB SQLite, 118 MiB PostgreSQL).
"""

from __future__ import annotations

import gc

FULL_AFTER = 100  # gen1 collections between two full ones (CPython's default: 10)


def pause() -> None:
    """No collections while start-up builds what lives as long as the process."""
    gc.disable()


def settle() -> None:
    """Freeze what is alive now, space full collections out, and collect again (see the module docstring)."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_AFTER)
    gc.freeze()
    gc.enable()
