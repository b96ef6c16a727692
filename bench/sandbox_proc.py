"""The sandbox in a process of its own, seeded for the benchmarks, with a summary API beside it.

    python -m bench.sandbox_proc --meetings N

prints one JSON line (the sandbox URL, the summary API's URL, the environment that points a bot
here, the seeded ids) and serves until its stdin closes. The vendor fakes answer on the sandbox
URL as usual (latency is armed through /_sandbox/faults); the summary API answers small questions
so that the benchmark never downloads the whole request log while it measures:

    GET  /answers?needle=TEXT        Slack messages posted with TEXT: count, first and last time
    GET  /calls?op=OP[,OP…]          requests of those operations: count, statuses, busiest second
    GET  /hosts?open_id=ID           how many Feishu meetings ID hosts now
    POST /reset                      forget the recorded requests, the armed faults and the Feishu app's
                                     rate windows (a new benchmark starts with the app's whole budget)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.sandbox import Sandbox
from bot.sandbox.feishu.limits import AppRateLimit
from bot.sandbox.server import ThreadedServer
from tests.support.rates import busiest_window

MEETING_NO_BASE = 300_000_000  # meeting i has number MEETING_NO_BASE + i (9 digits, like Feishu's)


def summary_api(box: Sandbox) -> Starlette:
    async def answers(request: Request) -> JSONResponse:
        needle = request.query_params.get("needle", "")
        hits = [r.at for r in box.recorder.all("slack.chat.postMessage")
                if r.status == 200 and isinstance(r.body, dict) and needle in str(r.body.get("text", ""))]
        return JSONResponse({"count": len(hits), "first_at": min(hits, default=0.0), "last_at": max(hits, default=0.0)})

    async def calls(request: Request) -> JSONResponse:
        ops = request.query_params.get("op", "").split(",")
        rows = [r for r in box.recorder.all() if r.op in ops]
        times = [r.at for r in rows]
        per_second = Counter(int(t) for t in times)
        return JSONResponse({
            "count": len(rows), "statuses": dict(Counter(str(r.status) for r in rows)),
            "max_1s_window": busiest_window(times), "max_60s_window": busiest_window(times, 60.0),
            "max_calendar_second": max(per_second.values(), default=0),
            "first_at": min(times, default=0.0), "last_at": max(times, default=0.0),
        })

    async def hosts(request: Request) -> JSONResponse:
        who = request.query_params.get("open_id", "")
        with box.feishu.lock:
            count = sum(1 for m in box.feishu.meetings.values() if m.host[0] == who)
        return JSONResponse({"count": count})

    async def reset(request: Request) -> JSONResponse:
        box.recorder.clear()
        box.faults.clear()
        # The fake app's own rate windows too: bench/limits.py spends the minute's 1,000 set_host, and
        # bench/replicas.py right after it would otherwise see nothing but 429s for up to a minute.
        box.feishu.rate = AppRateLimit()
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/answers", answers), Route("/calls", calls), Route("/hosts", hosts),
                             Route("/reset", reset, methods=["POST"])])


def seed(box: Sandbox, meetings: int) -> dict[str, Any]:
    """`you` hosts `meetings` running Feishu meetings with alice in each; both are in Slack's #general."""
    f = box.feishu
    you, alice = f.add_user("you"), f.add_user("alice")
    made = [f.add_meeting(you, [alice], topic=f"Bench {i}", meeting_no=str(MEETING_NO_BASE + i))
            for i in range(meetings)]
    slack = box.slack.seed(("you", "alice"))
    return {
        "feishu": {"you": you.open_id, "alice": alice.open_id},
        "slack": {name: user.id for name, user in slack.items()},
        "channel": box.slack.channel_named("general").id,
        "team_id": box.slack.team_id,
        "meeting_numbers": [m.meeting_no for m in made],
        "meeting_ids": [m.id for m in made],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=1000)
    args = parser.parse_args(argv)
    box = Sandbox().start()
    control = ThreadedServer(summary_api(box)).start()
    try:
        world = seed(box, args.meetings)
        print(json.dumps({"url": box.url, "control": control.url, "env": box.env(), "world": world}), flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin (or goes away)
    finally:
        control.stop()
        box.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
