"""Start-up (issue 27): dateparser reads only the English data. Chinese dates and clocks are read by
bot/intents/times.py itself, and dateparser only ever sees English day words ("march 3", "12/31"), so
no other language's data (dateparser ships about 200) is loaded, however many lines are parsed."""

from __future__ import annotations

import json
import subprocess
import sys

_SCRIPT = """
import json
from datetime import datetime, UTC
from bot.intents import parse
lines = ["make @bob host on march 3 at 3pm", "hand host to @carol dec 25 at 9am", "把主持人交给@bob 12月3号下午三点",
         "make @alice host 2026-12-01 10:00", "make @dave host on 3/4 at 10am", "make @erin host feb 30 at 10am",
         "明天下午三点让@小王主持", "make @bob host le 3 mars à 15h", "把主持人交给@bob 3月4日 15:00"]
for line in lines:
    parse(line, now=datetime(2026, 11, 23, 1, tzinfo=UTC), tz="Asia/Shanghai")
from dateparser.languages.loader import default_loader
print(json.dumps(sorted(default_loader._loaded_languages)))
"""


def test_only_english_date_data_is_loaded() -> None:
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == ["en"]
