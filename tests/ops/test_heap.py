"""bot/ops/heap.py: once start-up is over, full garbage collections stop walking what start-up built.

In a fresh interpreter (the test process's own collector is left alone): the modules `hostbot run` loads and
a built bot are tracked by the collector before `settle()`, frozen after it; full collections are spaced out.
"""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import gc, json, tempfile
from bot.app import build
from bot.config import settings_from_mapping
from bot.ops import heap
from bot.sandbox import Sandbox

with Sandbox() as box, tempfile.TemporaryDirectory() as tmp:  # the process ends: no need to close the store
    bot = build(settings_from_mapping({**box.env(), "HOSTBOT_DB": tmp + "/h.db"}))
    before = len(gc.get_objects())
    heap.settle()
    walked = len(gc.get_objects())
    garbage = [[i] for i in range(1000)]
    for cell in garbage:
        cell.append(cell)  # cycles made after settle() are still found
    del garbage, cell
    found = gc.collect()
    print(json.dumps({"before": before, "walked": walked, "frozen": gc.get_freeze_count(),
                      "found": found, "threshold": gc.get_threshold(), "bot": type(bot).__name__}))
"""


def test_settle_freezes_what_start_up_built_and_later_cycles_are_still_collected() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] > 20_000  # the grammar, the SDKs, the clients: what every full collection walked
    assert seen["walked"] < seen["before"] / 20 and seen["frozen"] >= seen["before"] - seen["walked"]
    assert seen["found"] >= 1000
    assert seen["threshold"][2] == 100
