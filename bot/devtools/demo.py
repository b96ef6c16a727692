"""`hostbot demo`: the bot in the console against the built-in sandbox, no accounts needed.

The sandbox is seeded with a small world (you host a running Feishu meeting with alice and
bob; carol is still being called; dave is not in it). Lines starting with `!` steer the
sandbox instead of talking to the bot (CONTROLS_HELP lists them), so every path can be tried by hand.
The bot's clock is real time plus an offset that `!wait N` moves forward, so a scheduled handover's
reminder and result can be seen without waiting for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.adapters.console import ConsoleAdapter
from bot.app import HostBot, build
from bot.config import settings_from_mapping
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import BANNER, DEMO_ZOOM_ID, VendorWorld, demo_email, fault_for, seed_vendors
from bot.sandbox.feishu.vc import P_RINGING, FeishuMeeting, FeishuUser

CONTROLS_HELP = """\
    !as NAME        speak as somebody else           !host NAME   the host changes in Feishu
    !race NAME      the host changes during the next set_host (shows the conflict + Retry)
    !end            the meeting ends                 !fault OP STATUS   next OP call fails (e.g. feishu.set_host 500)
    !fault OP STATUS lost   OP is carried out, then its answer is lost (e.g. !fault webex.reassign 502 lost)
    !requests       what the sandbox recorded        !help        this list
    !wait N         the clock moves N minutes on (or Ns seconds): scheduled handovers come due"""
DEMO_ADMIN = "carol"  # a hostbot admin in the demo, to show the confirmation flow
DEMO_MEETING_NO = "123456789"
DEMO_MEETING_ID = "6911188411932033028"
PEOPLE = ("you", "alice", "bob", "carol", "dave", "erin", "小王")  # everybody the README's examples name


@dataclass
class DemoWorld:
    sandbox: Sandbox
    users: dict[str, FeishuUser]
    feishu_meeting: FeishuMeeting
    vendors: VendorWorld = field(default_factory=VendorWorld)  # DingTalk, Webex, Zoom (demo_vendors.py)


def seed(sandbox: Sandbox) -> DemoWorld:
    """Users and one running Feishu meeting that `you` host."""
    f = sandbox.feishu
    users = {name: f.add_user(name, demo_email(name)) for name in PEOPLE}
    meeting = f.add_meeting(users["you"], [users["alice"], users["bob"]], topic="Weekly sync",
                            meeting_no=DEMO_MEETING_NO, meeting_id=DEMO_MEETING_ID)
    f.set_participant(meeting.id, users["carol"].open_id, P_RINGING)
    return DemoWorld(sandbox, users, meeting, seed_vendors(sandbox, PEOPLE))


async def link_people(bot: HostBot, world: DemoWorld, platform: str = "console") -> None:
    """The demo's chat users, mapped to their sandbox vendor ids (what an admin would import).

    DingTalk wants unionIds, Webex and Zoom emails. `you` has also authorized hostbot in Feishu
    (a user token in the store), which Feishu invite needs.
    """
    dingtalk = world.vendors.dingtalk_users
    for name, user in world.users.items():
        await bot.services.store.upsert_person(platform, name, name=name, email=user.email,
                                               feishu_open_id=user.open_id, feishu_union_id=user.union_id,
                                               dingtalk_union_id=dingtalk[name].union_id if name in dingtalk else "",
                                               webex_email=user.email, zoom_email=user.email)
    you = world.users["you"].open_id
    await bot.services.store.save_user_token("feishu", you, world.sandbox.feishu.issue_user_token(you))


async def feed_meeting_events(bot: HostBot, sandbox: Sandbox) -> None:
    """What Feishu's tenant meeting events would tell the bot (the console has no Feishu event endpoint):
    the meetings running now, for "this meeting" when nothing names one; `!end` ends one."""
    from bot.adapters.feishu.meetings import index_envelope

    for envelope in sandbox.feishu_events.take():
        await index_envelope(bot.services.store, envelope)
    loop = asyncio.get_running_loop()  # the sandbox may push from its own thread: indexed on the bot's loop

    def deliver(envelope: dict[str, Any]) -> None:
        asyncio.run_coroutine_threadsafe(index_envelope(bot.services.store, envelope), loop)

    sandbox.feishu_events.deliver = deliver


def banner(world: DemoWorld) -> str:
    m = world.feishu_meeting
    return "\n".join([
        f"hostbot demo — sandbox on {world.sandbox.url}",
        f"Feishu meeting “{m.topic}”: number {DEMO_MEETING_NO} (id {m.id}), in progress.",
        "  host: you · in the meeting: alice, bob · being called: carol · not in it: dave, erin, 小王",
        "Try:  make @alice host of meeting 123456789   ·   把 @bob 设为主持人 123456789   ·   help",
        "Nothing named or linked? `make @alice host` · `把 @小王 设为主持人` finds the meetings you host right "
        "now (here the Feishu one and DingTalk's “Design review”: pick one).",
        "A change comes with [1] Undo: type 1 to put the previous host back (for HOSTBOT_UNDO_MIN minutes).",
        f"Policy: you are host (you may hand over); @{DEMO_ADMIN} is a hostbot admin (asked to confirm); "
        "anyone else needs the host's approval — try `!as bob` then `make me host of meeting 123456789`.",
        "Later: `in 15 minutes hand host to @alice of meeting 123456789`, then `!wait 5` (the reminder) "
        "and `!wait 10` (the handover).",
        f"For a while: `make @bob co-host of meeting {DEMO_ZOOM_ID} for 30 minutes` (or `让 @bob 当 30 分钟联席主持人 "
        f"{DEMO_ZOOM_ID}`), then `!wait 30`: bob is removed again by itself.",
        *BANNER,
        "Sandbox controls start with '!': !as NAME, !host NAME, !race NAME, !end, !fault OP STATUS, "
        "!requests, !wait N, !help",
    ])


class DemoClock:
    """Real time plus an offset that `!wait` moves forward (the bot's Services clock in the demo)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


async def wait_command(line: str, bot: HostBot, clock: DemoClock) -> str:
    """`!wait 5` / `!wait 90s`: move the clock on, then let the scheduler do what is due by then."""
    m = re.fullmatch(r"!wait\s+(\d+(?:\.\d+)?)\s*(s|sec|m|min)?", line.strip().lower())
    if not m:
        return "(sandbox: say how long, e.g. !wait 5 for five minutes or !wait 30s)"
    amount = float(m.group(1))
    step = timedelta(seconds=amount) if (m.group(2) or "m").startswith("s") else timedelta(minutes=amount)
    if step > timedelta(days=2):
        return "(sandbox: at most two days at a time)"
    clock.offset += step
    await bot.scheduler.run_due()  # what came due prints itself (the console is the scheduler's notifier)
    return f"(sandbox: the clock moved on; it is now {clock().strftime('%H:%M:%S')} UTC)"


def sandbox_command(line: str, world: DemoWorld, console: ConsoleAdapter) -> str:
    words = line[1:].split()
    cmd, args = (words[0].lower(), words[1:]) if words else ("help", [])
    f, meeting = world.sandbox.feishu, world.feishu_meeting
    try:
        if cmd == "as" and args:
            who = args[0].lstrip("@")
            if who not in world.users:  # speaking as nobody would make every reply about a stranger
                raise KeyError(who)
            console.user = who
            return f"(you are now speaking as @{console.user})"
        if cmd == "host" and args:
            f.change_host(meeting.id, world.users[args[0].lstrip("@")].open_id)
            return f"(sandbox: @{args[0].lstrip('@')} is now host in the Feishu client)"
        if cmd == "race" and args:
            f.race_host_change(meeting.id, world.users[args[0].lstrip("@")].open_id)
            return f"(sandbox: the host will become @{args[0].lstrip('@')} just before the next set_host)"
        if cmd == "end":
            f.end_meeting(meeting.id)
            return "(sandbox: the meeting has ended)"
        if cmd == "fault" and len(args) >= 2:
            return fault_command(world.sandbox, args)
        if cmd == "requests":
            rows = [f"{r.method} {r.path} -> {r.status} {r.body or ''}" for r in world.sandbox.recorder.all()
                    if r.op != "feishu.token"]
            return "\n".join(rows) or "(no requests yet)"
    except (KeyError, ValueError):
        return f"(sandbox: don't know how to {line!r}; people are {', '.join(PEOPLE)})"
    return CONTROLS_HELP


def fault_command(sandbox: Sandbox, args: list[str]) -> str:
    """`!fault OP STATUS [lost]`: arm a fault on a known operation, or list the ones there are."""
    op, status = args[0], int(args[1])
    if not sandbox.faults.knows(op):
        valid = ", ".join(sorted(sandbox.faults.known_ops))
        return f"(sandbox: there is no operation {op!r}; valid ones: {valid})"
    lost = len(args) > 2 and args[2].lower() == "lost"
    sandbox.faults.arm(fault_for(op, status, after=lost))
    if lost:
        return f"(sandbox: the next {op} is carried out, then its answer is lost: HTTP {status})"
    return f"(sandbox: the next {op} answers HTTP {status})"


async def run_demo(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, sandbox: Sandbox | None = None,
                   db: Path | None = None) -> int:
    """Run the demo until stdin ends. Pass a started `sandbox` to inspect it afterwards (tests). `db`: where
    the demo's database is made afresh and kept afterwards (`hostbot demo`: ./hostbot-demo.db); None: a
    temporary one."""
    with tempfile.TemporaryDirectory(prefix="hostbot-demo-") as tmp, contextlib.ExitStack() as stack:
        if sandbox is None:
            sandbox = stack.enter_context(Sandbox())
        path = fresh_database(db) if db is not None else Path(tmp) / "demo.db"
        world = seed(sandbox)
        settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(path), "HOSTBOT_ADMINS": DEMO_ADMIN})
        clock = DemoClock()
        bot = build(settings, clock=clock)
        await link_people(bot, world)
        await feed_meeting_events(bot, sandbox)
        console = ConsoleAdapter(bot.dispatcher, user="you", out=stdout)
        bot.scheduler.attach("console", console)
        await bot.start()
        print(banner(world), file=stdout, flush=True)
        if db is not None:
            print(kept_note(path, "starts"), file=stdout, flush=True)
        try:
            await _converse(stdin, stdout, world, bot, clock, console)
        finally:
            await bot.aclose()
        if db is not None:
            print(kept_note(path, "ends"), file=stdout, flush=True)
    return 0


def fresh_database(db: Path) -> Path:
    """The demo's own database, made afresh (the sandbox's ids are new each run, so old rows would lie)."""
    path = db.resolve()
    for old in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        old.unlink(missing_ok=True)
    return path


def kept_note(path: Path, when: str) -> str:
    if when == "starts":
        return f"The demo's database is {path} (made afresh now, kept when the demo ends)."
    cmd = hostbot_command()
    return (f"The demo's database stays at {path}: try  HOSTBOT_DB={path} {cmd} audit   ·   "
            f"HOSTBOT_DB={path} {cmd} users list")


def hostbot_command() -> str:
    """How to run this hostbot from here: `make demo` installs into .venv without activating it, so
    `hostbot` alone is often not on PATH afterwards; then the script beside this Python, as typed from here."""
    script = Path(sys.executable).parent / "hostbot"
    on_path = shutil.which("hostbot")
    if on_path and Path(on_path).resolve() == script.resolve():
        return "hostbot"
    if not script.exists():
        return f"{sys.executable} -m bot"
    with contextlib.suppress(ValueError):
        return str(script.absolute().relative_to(Path.cwd()))
    return str(script)


async def _converse(stdin: TextIO, stdout: TextIO, world: DemoWorld, bot: HostBot, clock: DemoClock,
                    console: ConsoleAdapter) -> None:
    interactive = stdin.isatty()
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            print(f"{console.user}> ", end="", file=stdout, flush=True)
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        if not interactive:
            print(f"{console.user}> {line}", file=stdout)
        if line.lower().startswith("!wait"):
            out = await wait_command(line, bot, clock)
        elif line.startswith("!"):
            out = sandbox_command(line, world, console)
        else:
            out = await console.send(line)
        if out:
            print(out, file=stdout, flush=True)
