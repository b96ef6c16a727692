"""Python's cyclic garbage collector, set for a server that must answer within milliseconds (issue 27).

Under the bench's ack load (100 commands in flight) the only event-loop callbacks over 20 ms were full
collections (bench/slow_loop.py logs each collection over 5 ms): 60-105 ms each, walking ~100,000 objects
that live as long as the process (modules, the grammar, clients) to find the few hundred a request left in
cycles. Two settings remove them:

- `settle()` freezes everything alive once start-up is over (and again once lark-oapi's modules are loaded):
  collections no longer walk it. Start-up leaves ~60 unreachable objects, so freezing without a collection
  first keeps nothing that matters; frozen objects are still freed by reference counting as ever.
- A full collection is considered after 100 young-generation (gen1) collections instead of 10. With the
  start-up frozen, what a full collection walks is mostly the state of the requests in flight (~50,000
  objects at 100 commands: 20-40 ms under asyncio debug mode, ~20 ms without), and with the default it came
  every few seconds of load. Cycles that outlived two young collections wait ten times as long to be freed:
  RSS after the load measured the same (109 MiB SQLite, 118 MiB PostgreSQL).
"""

from __future__ import annotations

import gc

FULL_AFTER = 100  # gen1 collections between two full ones (CPython's default: 10)


def settle() -> None:
    """Freeze what is alive now, and space full collections out (see the module docstring)."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_AFTER)
    gc.freeze()
