"""Batches and limits, and the footprint of `hostbot run` around a 500-command burst.

Batches (in this process: the console adapter against an in-process sandbox, as `hostbot demo`):
    invite 25 people to a Feishu meeting          Feishu takes at most 10 invitees per call -> 3 calls
    reassign 250 / 1,000 Webex meeting series     at most 100 meeting ids per call -> 3 / 10 calls
Limits: Feishu allows 50 calls per second (and 1,000 per minute); the sandbox reports the busiest
1-second window it saw (any window starting at a request, so stricter than calendar seconds):
    500 set_host calls at once through FeishuVendor (this process -> the sandbox process)
    500 signed /host commands in a burst to a real `hostbot run`, 100 at a time, each naming its
    own Feishu meeting by id (get + set_host: 1,000 calls, the most a minute allows)
Footprint of that process: time from spawn to GET /healthz = 200, RSS idle and after the burst.
"""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path

from bench.harness import (
    SandboxProc,
    fire,
    host_commands,
    print_table,
    record,
    slash_commands,
    start_hostbot,
    start_peer,
)

BURST = 500
BURST_CONCURRENCY = 100
INVITEES = 25
SERIES = (250, 1000)
FEISHU_PER_SECOND = 50
FEISHU_VC = "feishu.list_by_no,feishu.get_meeting,feishu.set_host"  # what the 50/s limiter paces


# ---- batches -----------------------------------------------------------------------------------------
async def _batches() -> dict[str, tuple[int, float]]:
    """{what: (vendor calls, seconds)} for the invite and the two reassignments."""
    import tempfile

    from bot.adapters.console import ConsoleAdapter
    from bot.app import build
    from bot.config import settings_from_mapping
    from bot.devtools.demo import link_people, seed
    from bot.sandbox import Sandbox

    found: dict[str, tuple[int, float]] = {}
    with Sandbox() as box, tempfile.TemporaryDirectory(prefix="hostbot-bench-") as tmp:
        demo = seed(box)
        settings = settings_from_mapping({**box.env(), "HOSTBOT_DB": str(Path(tmp) / "batches.db"),
                                          "HOSTBOT_ADMINS": "you"})
        bot = build(settings)
        try:
            await link_people(bot, demo)
            store = bot.services.store
            console = ConsoleAdapter(bot.dispatcher, user="you", out=io.StringIO())  # progress notes
            names = [f"guest{i:02d}" for i in range(1, INVITEES + 1)]
            for name in names:
                user = box.feishu.add_user(name)
                await store.upsert_person("console", name, name=name, email=user.email, feishu_open_id=user.open_id)
            started = time.perf_counter()
            reply = await console.send("invite " + " ".join(f"@{n}" for n in names) + " to meeting 123456789")
            assert reply.startswith("✅"), reply
            found[f"invite {INVITEES} people (Feishu)"] = (box.recorder.count("feishu.invite"),
                                                           time.perf_counter() - started)
            for n in SERIES:
                owner = f"owner{n}"
                webex_user = box.webex.add_user(owner)
                await store.upsert_person("console", owner, name=owner, email=webex_user.email,
                                          webex_email=webex_user.email)
                for i in range(n):
                    box.webex.add_meeting(webex_user, f"Series {i:04d}")
                box.recorder.clear()
                started = time.perf_counter()
                await console.send(f"reassign @{owner}'s webex meetings to @alice")
                reply = await console.send("1")  # Confirm
                assert reply.startswith("✅"), reply
                found[f"reassign {n:,} Webex series"] = (box.recorder.count("webex.reassign"),
                                                         time.perf_counter() - started)
        finally:
            await bot.aclose()
    return found


# ---- 500 set_host calls at once, straight from the vendor client ------------------------------------
async def _vendor_burst(box: SandboxProc) -> dict[str, str]:
    """FeishuVendor.set_host on BURST meetings at once (this process, the sandbox process answering)."""
    from bot.core.model.outcome import VendorUser
    from bot.core.model.vendor import Meeting
    from bot.vendors.feishu.vendor import FeishuVendor

    env = box.env
    vendor = FeishuVendor(env["FEISHU_APP_ID"], env["FEISHU_APP_SECRET"], env["FEISHU_DOMAIN"])
    you, alice = VendorUser(box.world["feishu"]["you"]), VendorUser(box.world["feishu"]["alice"])
    ids = [box.world["meeting_ids"][i] for i in box.meetings(BURST)]
    box.reset()
    started = time.perf_counter()
    try:
        outcomes = await asyncio.gather(*(vendor.set_host(Meeting("feishu", mid, mid, host=you), alice, you)
                                          for mid in ids))
    finally:
        await vendor.aclose()
    took = time.perf_counter() - started
    calls = box.calls("feishu.set_host")
    return {"ok": f"{sum(1 for o in outcomes if o.ok)}/{BURST}", "max_1s": str(calls["max_1s_window"]),
            "refused": str(calls["statuses"].get("429", 0)),
            "max_calendar": str(calls["max_calendar_second"]), "took": f"{took:.1f} s"}


# ---- the burst through `hostbot run`, and the footprint around it ----------------------------------
def _burst(box: SandboxProc, workdir: Path) -> dict[str, str]:
    bot = start_hostbot(box, workdir, "hostbot-burst")
    try:
        time.sleep(1.0)  # let start-up work settle before reading the idle size
        idle = bot.rss_mib()
        box.reset()
        meetings = box.meetings(BURST)
        before = box.hosted_by(box.world["feishu"]["alice"])
        fired = asyncio.run(fire(bot.base_url, host_commands(box, meetings, by_id=True), BURST_CONCURRENCY))
        deadline = time.monotonic() + 150
        while box.answers("is now host")["count"] < BURST and time.monotonic() < deadline:
            time.sleep(0.25)
        answers = box.answers("is now host")
        set_host = box.calls("feishu.set_host")
        feishu = box.calls(FEISHU_VC)
        tokens = box.calls("feishu.token")
        changed = box.hosted_by(box.world["feishu"]["alice"]) - before
        after = bot.rss_mib()
        tracebacks = bot.tracebacks()
    finally:
        bot.stop()
    return {
        "ready": f"{bot.ready_s:.1f} s", "rss_idle": f"{idle:.0f} MiB", "rss_after": f"{after:.0f} MiB",
        "acked": f"{fired.ok}/{BURST}", "set_host_calls": str(set_host["count"]),
        "set_host_ok": str(set_host["statuses"].get("200", 0)), "refused": str(set_host["statuses"].get("429", 0)),
        "changed": f"{changed}/{BURST}",
        "answers": f"{answers['count']}/{BURST}",
        "max_set_host_1s": str(set_host["max_1s_window"]), "max_feishu_1s": str(feishu["max_1s_window"]),
        "max_feishu_60s": str(feishu["max_60s_window"]), "ack_max": f"{max(fired.latencies):.1f} s",
        "burst_s": f"{set_host['last_at'] - fired.started_at:.1f} s" if set_host["count"] else "-",
        "token_calls": str(tokens["count"]), "tracebacks": str(tracebacks),
        "errors": "; ".join(sorted(set(fired.errors))[:2]) or "none",
    }


def _peer_burst(box: SandboxProc, workdir: Path) -> str:
    """The slowest ack of the bare Bolt peer under the same burst (how much of it is the harness's own)."""
    peer = start_peer(box, workdir)
    try:
        fired = asyncio.run(fire(peer.base_url, slash_commands(box, ["help"] * BURST), BURST_CONCURRENCY))
    finally:
        peer.stop()
    return f"{max(fired.latencies):.1f} s"


def run(box: SandboxProc, workdir: Path) -> dict[str, str]:
    batches = asyncio.run(_batches())
    vendor = asyncio.run(_vendor_burst(box))
    burst = _burst(box, workdir)
    peer_ack_max = _peer_burst(box, workdir)
    targets = {f"invite {INVITEES} people (Feishu)": 3, f"reassign {SERIES[0]:,} Webex series": 3,
               f"reassign {SERIES[1]:,} Webex series": 10}
    rows = [(f"{what}: vendor calls", str(calls), str(targets[what])) for what, (calls, _) in batches.items()]
    rows += [(f"{what}: time", f"{seconds:.1f} s", "") for what, (_, seconds) in batches.items()]
    rows += [
        (f"{BURST} set_host at once (vendor client): completed", vendor["ok"], f"{BURST}/{BURST}"),
        ("  busiest 1-second window at the sandbox", vendor["max_1s"], f"<= {FEISHU_PER_SECOND}"),
        ("  busiest calendar second at the sandbox", vendor["max_calendar"], f"<= {FEISHU_PER_SECOND}"),
        ("  refused 429 by the sandbox", vendor["refused"], "0"),
        ("  time for all of them", vendor["took"], ""),
        (f"burst of {BURST} /host to `hostbot run`: acked", burst["acked"], f"{BURST}/{BURST}"),
        ("  slowest ack in the burst", burst["ack_max"], ""),
        ("  slowest ack, bare Bolt peer, same burst", peer_ack_max, ""),
        ("  what the client saw instead of an ack", burst["errors"], "none"),
        ("busiest second at the sandbox: set_host", burst["max_set_host_1s"], f"<= {FEISHU_PER_SECOND}"),
        ("busiest second at the sandbox: Feishu VC calls", burst["max_feishu_1s"], f"<= {FEISHU_PER_SECOND}"),
        ("busiest minute at the sandbox: Feishu VC calls", burst["max_feishu_60s"], "<= 1000"),
        ("set_host calls answered 200", burst["set_host_ok"], str(BURST)),
        ("set_host calls refused 429", burst["refused"], "0"),
        ("meetings whose host changed", burst["changed"], f"{BURST}/{BURST}"),
        ("in-thread answers", burst["answers"], f"{BURST}/{BURST}"),
        ("first command -> last set_host", burst["burst_s"], ""),
        ("tenant token fetches during the burst", burst["token_calls"], "1"),
        ("tracebacks in the bot's log", burst["tracebacks"], "0"),
    ]
    print_table("Batches and limits", rows)
    print_table("Footprint of `hostbot run` (Slack and Feishu configured, every vendor configured)", [
        ("spawn -> GET /healthz 200", burst["ready"], ""),
        ("RSS idle", burst["rss_idle"], ""),
        (f"RSS after the {BURST}-command burst", burst["rss_after"], ""),
    ])
    calls = [str(batches[what][0]) for what in targets]
    record("Batches and limits", ["invite 25 (calls)", "reassign 250 (calls)", "reassign 1,000 (calls)",
                                  "500 set_host: max/s", "completed", "500 /host: acked", "slowest ack (peer)",
                                  "set_host max/s", "Feishu VC max/s", "Feishu VC max/min", "completed"],
           [*calls, vendor["max_1s"], vendor["ok"], burst["acked"], f"{burst['ack_max']} ({peer_ack_max})",
            burst["max_set_host_1s"],
            burst["max_feishu_1s"], burst["max_feishu_60s"], burst["changed"]])
    record("Footprint", ["ready (spawn -> /healthz)", "RSS idle", f"RSS after {BURST}-command burst"],
           [burst["ready"], burst["rss_idle"], burst["rss_after"]])
    return {**burst, **{what: str(calls) for what, (calls, _) in batches.items()}}
