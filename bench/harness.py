"""What every benchmark shares: the processes, the signed-command client, statistics and RESULTS.md.

Processes (all on 127.0.0.1, each stopped by the benchmark that started it):
    SandboxProc   python -m bench.sandbox_proc: the vendor fakes and their summary API
    ServerProc    `hostbot run` (or the Bolt peer) under uvicorn, ready when GET /healthz answers 200
The client runs in the benchmark's own process (asyncio + httpx), never inside the server measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx

from bot.wire import slack_headers

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
T = TypeVar("T")


# ---- the machine ------------------------------------------------------------------------------
def machine() -> str:
    """'2 cores, 23.5 GiB RAM, Linux x86_64, Python 3.11.9'."""
    ram = "? GiB"
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        ram = f"{pages * size / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    return (f"{os.cpu_count()} cores, {ram} RAM, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")


def today() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


# ---- waiting ----------------------------------------------------------------------------------
def wait_until(what: str, condition: Callable[[], T], timeout: float, every: float = 0.05) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- the sandbox process ------------------------------------------------------------------------
class SandboxProc:
    """The vendor fakes in their own process; `world` holds the seeded ids (see sandbox_proc.seed)."""

    def __init__(self, meetings: int) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.sandbox_proc", "--meetings", str(meetings)],
                                     cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the process prints its one line as soon as it serves
        if not line:
            raise RuntimeError("the sandbox process did not start")
        info = json.loads(line)
        self.url: str = info["url"]
        self.env: dict[str, str] = info["env"]
        self.world: dict[str, Any] = info["world"]
        self.control = httpx.Client(base_url=info["control"], timeout=30)
        self.fakes = httpx.Client(base_url=self.url, timeout=30)
        self._next_meeting = 0

    def meetings(self, n: int) -> list[int]:
        """Indexes of `n` meetings no benchmark has used yet (each command changes its meeting's host)."""
        first = self._next_meeting
        self._next_meeting += n
        if self._next_meeting > len(self.world["meeting_numbers"]):
            raise RuntimeError("the sandbox was seeded with too few meetings")
        return list(range(first, first + n))

    def latency(self, prefixes: Sequence[str], seconds: float) -> None:
        """Every request whose operation starts with one of `prefixes` is answered after `seconds`."""
        for prefix in prefixes:
            self.fakes.post("/_sandbox/faults", json={"op": prefix, "latency_all": seconds}).raise_for_status()

    def reset(self) -> None:
        self.control.post("/reset").raise_for_status()

    def answers(self, needle: str) -> dict[str, Any]:
        return dict(self.control.get("/answers", params={"needle": needle}).json())

    def calls(self, op: str) -> dict[str, Any]:
        return dict(self.control.get("/calls", params={"op": op}).json())

    def hosted_by(self, open_id: str) -> int:
        return int(self.control.get("/hosts", params={"open_id": open_id}).json()["count"])

    def stop(self) -> None:
        self.control.close()
        self.fakes.close()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


# ---- a server process (hostbot run, or the Bolt peer) --------------------------------------------
class ServerProc:
    """One HTTP server process on 127.0.0.1; `ready_s` is the time from spawn to GET /healthz = 200."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, workdir: Path) -> None:
        self.name = name
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = workdir / f"{name}.log"
        started = time.perf_counter()
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(argv, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
        probe = httpx.Client(base_url=self.base_url, timeout=5)
        try:
            wait_until(f"{name}'s /healthz", lambda: self._healthy(probe), timeout=90, every=0.01)
        finally:
            probe.close()
        self.ready_s = time.perf_counter() - started

    def _healthy(self, probe: httpx.Client) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
        try:
            return probe.get("/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    def rss_mib(self) -> float:
        """Resident set size now (Linux /proc; 0.0 where that is not available)."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return 0.0
        m = re.search(r"^VmRSS:\s+(\d+)\s+kB", status, re.M)
        return int(m.group(1)) / 1024 if m else 0.0

    def tracebacks(self) -> int:
        return self.log.read_text().count("Traceback")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


# Where the processes measured keep their bytecode: an installed hostbot has its .pyc files (pip writes them), so a
# start must not be measured compiling hostbot's ~300 modules from source, as it was wherever PYTHONDONTWRITEBYTECODE
# is set (~70 ms of every hostbot start and nothing of the peer's, whose modules all come compiled in site-packages).
# One directory outside every checkout (a BENCH_BASE tree is never written to), kept between runs; the first start of
# changed code writes it (startup.py and versus.py start each column once unmeasured first).
BYTECODE = Path(tempfile.gettempdir()) / "hostbot-bench-pycache"


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any hostbot or vendor setting, with its bytecode cached, plus `extra`."""
    prefixes = ("HOSTBOT_", "SLACK_", "FEISHU_", "DINGTALK_", "WEBEX_", "ZOOM_", "PYTHONDONTWRITEBYTECODE")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(prefixes)}, "PYTHONUNBUFFERED": "1",
            "PYTHONPYCACHEPREFIX": str(BYTECODE), **extra}


def start_hostbot(box: SandboxProc, workdir: Path, name: str = "hostbot",
                  extra_env: dict[str, str] | None = None, db: str = "") -> ServerProc:
    """`hostbot run` pointed at the sandbox, with the admin's Slack -> Feishu mapping in its store.

    `db`: a postgresql:// URL (or a SQLite path) to use instead of a SQLite file of its own; the mapping is
    written there too. `extra_env` is added to its environment; with `_WRAP=script.py` in it,
    `python script.py bot run …` replaces `python -m bot run …` (bench/slow_loop.py); the `bot` is the one
    PYTHONPATH or the install gives.
    """
    db = db or str(workdir / f"{name}.db")
    seed_people(box, db)
    port = free_port()
    extra = dict(extra_env or {})
    wrap = extra.pop("_WRAP", "")
    env = clean_env(**box.env, SLACK_SIGNING_SECRET=SIGNING_SECRET, HOSTBOT_DB=db, HOSTBOT_PORT=str(port),
                    HOSTBOT_TZ="UTC", **extra)
    entry = [wrap, "bot"] if wrap else ["-m", "bot"]
    return ServerProc(name, [sys.executable, *entry, "run", "--host", "127.0.0.1"], env, port, workdir)


def seed_people(box: SandboxProc, db: str) -> None:
    """The sandbox's Slack people mapped to their Feishu open_ids in the store at `db` (a path or a URL)."""
    from bot.store import Store

    store = Store(db)
    try:
        for person, slack_id in box.world["slack"].items():
            store.upsert_person("slack", slack_id, name=person, email=f"{person}@example.com",
                                feishu_open_id=box.world["feishu"][person])
    finally:
        store.close()


def start_peer(box: SandboxProc, workdir: Path, extra_env: dict[str, str] | None = None) -> ServerProc:
    """The bare slack-bolt AsyncApp of bench/bolt_peer.py, served the same way (`extra_env`: as start_hostbot)."""
    port = free_port()
    extra = dict(extra_env or {})
    wrap = extra.pop("_WRAP", "")
    env = clean_env(SLACK_BOT_TOKEN=box.env["SLACK_BOT_TOKEN"], SLACK_API_URL=box.env["SLACK_API_URL"],
                    SLACK_SIGNING_SECRET=SIGNING_SECRET, PEER_PORT=str(port), PYTHONPATH=str(ROOT), **extra)
    entry = [wrap, "bench.bolt_peer"] if wrap else ["-m", "bench.bolt_peer"]
    return ServerProc("bolt-peer", [sys.executable, *entry], env, port, workdir)


def workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="hostbot-bench-")


class HealthPoller:
    """GET /healthz every `every` seconds in a thread of its own while inside `with`; the latencies (s).
    With active=False it polls nothing (the caller's figures then have no /healthz column)."""

    def __init__(self, base_url: str, every: float = 0.02, active: bool = True) -> None:
        self.base_url, self.every, self.active = base_url, every, active
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> HealthPoller:
        if self.active:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.active:
            self._thread.join(timeout=30)

    def _poll(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=10) as http:
            while not self._stop.is_set():
                started = time.perf_counter()
                with contextlib.suppress(httpx.HTTPError):
                    http.get("/healthz")
                self.latencies.append(time.perf_counter() - started)
                self._stop.wait(self.every)


# ---- signed slash commands -------------------------------------------------------------------------
def sign(body: str) -> dict[str, str]:
    return {**slack_headers(SIGNING_SECRET, body), "Content-Type": "application/x-www-form-urlencoded"}


def host_commands(box: SandboxProc, meetings: Sequence[int], *, by_id: bool = False) -> list[str]:
    """The form bodies of `/host make @alice host of meeting N`, sent by `you` (who hosts them all)."""
    w = box.world
    key = "meeting_ids" if by_id else "meeting_numbers"
    return slash_commands(box, [f"make <@{w['slack']['alice']}|alice> host of meeting {w[key][i]}" for i in meetings])


def slash_commands(box: SandboxProc, texts: Sequence[str]) -> list[str]:
    """The form bodies of `/host TEXT` for each text, sent by `you` in #general (Slack's field set)."""
    w = box.world
    return [urlencode({
        "token": "legacy", "team_id": w["team_id"], "team_domain": "sandbox", "channel_id": w["channel"],
        "channel_name": "general", "user_id": w["slack"]["you"], "user_name": "you", "command": "/host",
        "text": text, "api_app_id": "A0SANDBOX", "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.invalid/commands/1", "trigger_id": f"bench-{time.monotonic_ns()}-{n}",
    }) for n, text in enumerate(texts)]


@dataclass
class Fired:
    """What the client saw: one ack latency (seconds) and status per command, and when it all ran."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # 0 = no answer (timeout, connection error)
    errors: list[str] = field(default_factory=list)  # what went wrong where no 200 came back
    started_at: float = 0.0  # wall clock, comparable with the sandbox's request times
    acked_at: float = 0.0  # wall clock of the last ack

    @property
    def ok(self) -> int:
        return sum(1 for s in self.statuses if s == 200)


async def fire(base_url: str, bodies: Sequence[str], concurrency: int, timeout: float = 30.0) -> Fired:
    """POST every body to /slack/events, `concurrency` at a time, each signed just before it is sent."""
    result = Fired(latencies=[0.0] * len(bodies), statuses=[0] * len(bodies))
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:

        async def one(i: int, body: str) -> None:
            async with gate:
                started = time.perf_counter()
                try:
                    resp = await client.post("/slack/events", content=body, headers=sign(body))
                    result.statuses[i] = resp.status_code
                    if resp.status_code != 200:
                        result.errors.append(f"HTTP {resp.status_code}: {resp.text[:100]}")
                except httpx.HTTPError as err:
                    result.statuses[i] = 0
                    cause = f" ({type(err.__cause__).__name__}: {err.__cause__})" if err.__cause__ else ""
                    result.errors.append(f"{type(err).__name__}{cause} after {time.perf_counter() - started:.1f} s"
                                         [:200])
                result.latencies[i] = time.perf_counter() - started

        result.started_at = time.time()
        await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))
        result.acked_at = time.time()
    return result


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), nearest-rank on the sorted values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


# ---- output ---------------------------------------------------------------------------------------
def print_table(title: str, rows: Sequence[tuple[str, str, str]]) -> None:
    """rows: (measure, value, target)."""
    width = [max(len(r[i]) for r in [("measure", "value", "target"), *rows]) for i in range(3)]
    line = "+-" + "-+-".join("-" * w for w in width) + "-+"
    print(f"\n{title}\n{line}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(("measure", "value", "target"), width, strict=True)) + " |")
    print(line)
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, width, strict=True)) + " |")
    print(line, flush=True)


def record(section: str, columns: Sequence[str], values: Sequence[str], path: Path = RESULTS) -> None:
    """Append one dated row (with the machine) to the table under `## section` in RESULTS.md."""
    head = ["date", "machine", *columns]
    row = "| " + " | ".join([today(), machine(), *values]) + " |"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    lines = text.rstrip("\n").split("\n")
    title = f"## {section}"
    if title not in lines:
        lines += ["", title, "", "| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    start = lines.index(title)
    end = start + 1
    while end < len(lines) and not lines[end].startswith("## "):
        end += 1
    last_row = max((i for i in range(start, end) if lines[i].startswith("|")), default=None)
    if last_row is None:  # a section with prose only: put the table at its end
        lines[end:end] = ["", "| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|", row, ""]
    else:
        lines.insert(last_row + 1, row)
    tidy: list[str] = []
    for line in lines:  # one blank line between blocks, and before every heading
        if line.startswith("## ") and tidy and tidy[-1].strip():
            tidy.append("")
        if line.strip() or (tidy and tidy[-1].strip()):
            tidy.append(line)
    path.write_text("\n".join(tidy).rstrip("\n") + "\n")
