"""The intent grammar is not part of start-up: `hostbot run` serves /healthz without it and loads it in a thread
once it listens (bot/ops/server.Listening, bot.intents.preload); a command that arrives meanwhile waits for it
and gets its answer, and the grammar is imported by that thread alone, never beside it on the event loop."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter: `serve()` (what `hostbot run` runs) with every platform configured against a
# sandbox, on a real port. A finder first on sys.meta_path notes which thread loads each module of the
# grammar and holds the preload thread inside bot.intents.rules until the test releases it; meanwhile /healthz
# is asked and a signed Slack slash command arrives, over HTTP.
DURING_PRELOAD = """
import asyncio, importlib.abc, importlib.machinery, json, sys, tempfile, threading
from pathlib import Path
from urllib.parse import urlencode

loaded_by, held = {}, []
entered, release = threading.Event(), threading.Event()

class Held(importlib.abc.Loader):  # holds the module's import itself (a finder would hold the global import lock)
    def __init__(self, real):
        self.real = real
    def create_module(self, spec):
        return self.real.create_module(spec)
    def exec_module(self, module):
        entered.set()
        held.append(release.wait(30))
        self.real.exec_module(module)

class Gate(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.startswith("bot.intents.") or name.startswith("rapidfuzz"):
            loaded_by.setdefault(name, threading.current_thread().name)
        if name == "bot.intents.rules" and threading.current_thread().name == "grammar preload":
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            spec.loader = Held(spec.loader)
            return spec
        return None

sys.meta_path.insert(0, Gate())
import httpx
from bot.app import build
from bot.config import settings_from_mapping
from bot.devtools.demo import seed
from bot.ops.server import serve
from bot.sandbox import Sandbox
from tests.support.operate import map_people
from tests.support.run import free_port
from tests.support.slack import SIGNING_SECRET, sign

async def main(box, tmp):
    demo, users = seed(box), box.slack.seed(("you", "alice"))
    port = free_port()
    settings = settings_from_mapping({**box.env(), "HOSTBOT_DB": str(Path(tmp) / "run.db"), "HOSTBOT_TZ": "UTC",
                                      "SLACK_SIGNING_SECRET": SIGNING_SECRET, "HOSTBOT_PORT": str(port)})
    mapped = build(settings)
    await map_people(mapped, demo, users)
    await mapped.aclose()
    before = sorted(loaded_by)  # building the bot imported no grammar
    server = asyncio.create_task(serve(settings, "127.0.0.1"))
    assert await asyncio.to_thread(entered.wait, 30)  # listening: the preload thread is inside the grammar
    channel = box.slack.channel_named("general")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        health = (await http.get("/healthz")).status_code
        body = urlencode({"token": "legacy", "team_id": box.slack.team_id, "team_domain": "sandbox",
                          "channel_id": channel.id, "channel_name": channel.name, "user_id": users["you"].id,
                          "user_name": "you", "command": "/host", "api_app_id": box.slack.app_id,
                          "text": f"make <@{users['alice'].id}> host of meeting 123456789", "trigger_id": "t1",
                          "response_url": "https://hooks.slack.invalid/commands/1"})
        acked = (await http.post("/slack/events", content=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", **sign(body)})).status_code
        await asyncio.sleep(0.5)
        texts = lambda: [m.get("text", "") for m in channel.messages]
        answered_while_held = any("is now host" in t for t in texts())
        health_while_held = (await http.get("/healthz")).status_code
        release.set()
        for _ in range(300):
            if any("is now host" in t for t in texts()):
                break
            await asyncio.sleep(0.05)
    server.cancel()
    await asyncio.gather(server, return_exceptions=True)
    return {"before": before, "health": health, "acked": acked, "answered_while_held": answered_while_held,
            "health_while_held": health_while_held, "held": held, "answer": [t for t in texts() if "host" in t],
            "set_host": len(box.recorder.all("feishu.set_host")),
            "elsewhere": sorted(n for n, by in loaded_by.items() if by != "grammar preload")}

with Sandbox() as box, tempfile.TemporaryDirectory() as tmp:
    print(json.dumps(asyncio.run(main(box, tmp))))
"""


def test_a_command_while_the_grammar_loads_after_listening_waits_for_it_and_gets_its_answer() -> None:
    out = subprocess.run([sys.executable, "-c", DURING_PRELOAD], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == []  # building everything `hostbot run` serves with loaded none of the grammar
    assert seen["health"] == 200 and seen["health_while_held"] == 200  # ready: the store open, the timer running
    assert seen["acked"] == 200  # Slack's ack does not wait for the grammar either
    assert seen["answered_while_held"] is False and seen["held"] == [True]  # the command waited for the preload
    assert any("is now host of Feishu meeting 123 456 789" in t for t in seen["answer"]), seen["answer"]
    assert seen["set_host"] == 1
    # Every module of the grammar (rapidfuzz too) was loaded by the preload thread: none beside it on the loop.
    assert seen["elsewhere"] == []

