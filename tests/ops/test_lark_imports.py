"""lark-oapi is loaded piece by piece: starting hostbot with every platform configured imports none of it,
and serving Feishu imports only the services hostbot calls, never the whole Open API (bot/lark_lazy.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USED = {"vc", "im", "contact", "auth", "authen"}  # the Open API services hostbot calls

# In a fresh interpreter, as `hostbot run` starts: the runtime built from settings (every platform, Feishu
# in webhook mode, all pointed at a sandbox), the SDK modules loaded as `hostbot run` loads them at the first
# Feishu need, then one Feishu message answered end to end.
CHILD = """
import asyncio, json, sys, tempfile
from pathlib import Path
import bot.app
from bot.lark_lazy import PACKAGES

def loaded():  # the lark-oapi modules whose code ran (bot/lark_lazy.py registers PACKAGES without running them)
    return sorted(n for n, m in list(sys.modules.items())
                  if n.startswith("lark_oapi") and (n not in PACKAGES or "__builtins__" in vars(m)))

after_import = loaded()
from bot.config import settings_from_mapping
from bot.ops.server import build_runtime, create_asgi
from bot.sandbox import Sandbox
from tests.support.feishu import feishu_world, first_text
from tests.support.slack import wait_for

async def main(box, tmp):
    settings = settings_from_mapping({**box.env(), "HOSTBOT_DB": str(Path(tmp) / "start.db")})
    assert settings.feishu_configured and settings.slack_bot_token and settings.feishu_mode != "ws"
    runtime = build_runtime(settings)
    create_asgi(runtime)
    started = loaded()
    await runtime.aclose()
    from bot.lark_lazy import preload
    from bot.vendors.feishu.auth import SDK_MODULES

    preload(SDK_MODULES)  # what `hostbot run` loads in a worker thread at the first Feishu need
    preloaded = loaded()
    async with feishu_world(box, Path(tmp)) as world:
        msg, resp = await world.ask("you")
        done = await wait_for(lambda: first_text(world.texts(msg["message_id"]), "is now host"))
    return {"after_import": after_import, "started": started, "answer": done, "preloaded": preloaded,
            "served": loaded()}

with Sandbox() as box, tempfile.TemporaryDirectory() as tmp:
    print(json.dumps(asyncio.run(main(box, tmp))))
"""


def services(modules: list[str]) -> set[str]:
    return {m.split(".")[2] for m in modules if m.startswith("lark_oapi.api.") and m.count(".") >= 2}


def test_hostbot_starts_without_lark_oapi_and_serves_feishu_with_only_the_services_it_calls() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["after_import"] == []
    # The sandbox in this process speaks the long connection's protobuf frames (lark_oapi.ws.pb); the
    # bot itself imports nothing of lark-oapi until the first Feishu event or call.
    assert [m for m in seen["started"] if not m.startswith("lark_oapi.ws.pb")] == []
    assert seen["answer"].startswith("✅ @alice is now host of Feishu meeting 123 456 789.")  # (+ the Undo line)
    for served in (seen["served"], seen["preloaded"]):
        assert services(served) <= USED, f"services hostbot never calls: {sorted(services(served) - USED)}"
        assert "lark_oapi.api.drive" not in served and "lark_oapi.api.bitable" not in served
        # lark.Client builds all ~60 services; the SDK's dispatcher imports the event models of 24 of them.
        assert not {"lark_oapi", "lark_oapi.api", "lark_oapi.ws"} & set(served), "a package __init__ ran"
        assert "lark_oapi.client" not in served and "lark_oapi.event.dispatcher_handler" not in served
    # SDK_MODULES names all hostbot needs: serving a message imported no lark-oapi module on the event loop
    assert sorted(set(seen["served"]) - set(seen["preloaded"])) == []


# In a fresh interpreter: lark-oapi's modules are being preloaded (as `hostbot run` does at the first need), held
# halfway at a module of the test's (GATE) that stays in import until released; meanwhile a Feishu message
# arrives. Each lark-oapi module is noted with the thread that loaded it (a finder first on sys.meta_path).
DURING_PRELOAD = """
import asyncio, importlib.abc, importlib.machinery, json, sys, tempfile, threading, time
from pathlib import Path
import bot.app

loaded_by = {}
entered, release = threading.Event(), threading.Event()

class Gate(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name.startswith("lark_oapi"):
            loaded_by.setdefault(name, threading.current_thread().name)
        return importlib.machinery.ModuleSpec(name, self) if name == "hostbot_test_gate" else None
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        entered.set()
        release.wait(30)

sys.meta_path.insert(0, Gate())
from bot.lark_lazy import start_preload
from bot.sandbox import Sandbox
from bot.vendors.feishu.auth import SDK_MODULES
from tests.support.feishu import feishu_world, first_text
from tests.support.slack import wait_for

async def main(box, tmp):
    async with feishu_world(box, Path(tmp)) as world:
        half = len(SDK_MODULES) // 2
        before = set(loaded_by)  # the sandbox's (lark_oapi.ws.pb: it speaks the long connection's frames)
        start_preload(SDK_MODULES[:half] + ("hostbot_test_gate",) + SDK_MODULES[half:])
        assert entered.wait(30)
        halfway = sorted(loaded_by)
        asked = asyncio.create_task(world.ask("you"))
        await asyncio.sleep(0.5)
        waiting = not asked.done()
        on_loop = sorted(n for n, by in loaded_by.items() if by != "lark-oapi preload" and n not in before)
        release.set()
        msg, resp = await asked
        done = await wait_for(lambda: first_text(world.texts(msg["message_id"]), "is now host"))
    return {"halfway": halfway, "waiting": waiting, "on_loop_during": on_loop, "status": resp.status_code,
            "answer": done, "elsewhere": sorted(n for n, by in loaded_by.items()
                                                if by != "lark-oapi preload" and n not in before)}

with Sandbox() as box, tempfile.TemporaryDirectory() as tmp:
    print(json.dumps(asyncio.run(main(box, tmp))))
"""


def test_a_feishu_message_during_the_preload_waits_for_it_and_gets_its_answer() -> None:
    out = subprocess.run([sys.executable, "-c", DURING_PRELOAD], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert any(m.startswith("lark_oapi.core") for m in seen["halfway"])  # the preload was under way, halfway
    # The message waited for the preload instead of importing lark-oapi on the event loop beside it (two
    # threads in lark-oapi's circular imports at once: "partially initialized module", an internal error).
    assert seen["waiting"] and seen["on_loop_during"] == []
    assert seen["status"] == 200
    assert seen["answer"].startswith("✅ @alice is now host of Feishu meeting 123 456 789.")
    assert seen["elsewhere"] == []  # nor after it: every lark-oapi module the answer needed was preloaded


# In a fresh interpreter, as `hostbot run` in webhook mode: the preload is deferred to the first Feishu need
# (bot/ops/server.py feishu_warm_up), so an idle bot holds none of lark-oapi; the first message starts it.
ON_FIRST_NEED = """
import asyncio, importlib.abc, json, sys, tempfile, threading
from pathlib import Path
import bot.app

loaded_by = {}

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.startswith("lark_oapi"):
            loaded_by.setdefault(name, threading.current_thread().name)
        return None

sys.meta_path.insert(0, Watch())
from bot.ops.server import feishu_warm_up
from bot.sandbox import Sandbox
from tests.support.feishu import feishu_world, first_text
from tests.support.slack import wait_for

async def main(box, tmp):
    async with feishu_world(box, Path(tmp)) as world:
        before = set(loaded_by)  # the sandbox's (lark_oapi.ws.pb)
        vault = world.runtime.bot.services.store.vault
        feishu_warm_up(world.runtime)
        await asyncio.sleep(0.5)
        idle = sorted(set(loaded_by) - before)
        keys_idle = len(vault._keys)
        msg, resp = await world.ask("you")
        done = await wait_for(lambda: first_text(world.texts(msg["message_id"]), "is now host"))
        await wait_for(lambda: vault._keys and all(k.done() for k in vault._keys.values()))
    return {"idle": idle, "keys_idle": keys_idle, "status": resp.status_code, "answer": done,
            "keys": len(vault._keys), "threads": sorted({by for n, by in loaded_by.items() if n not in before})}

with Sandbox() as box, tempfile.TemporaryDirectory() as tmp:
    print(json.dumps(asyncio.run(main(box, tmp))))
"""


def test_an_idle_bot_loads_no_lark_oapi_and_the_first_feishu_message_loads_it_off_the_loop() -> None:
    out = subprocess.run([sys.executable, "-c", ON_FIRST_NEED], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["idle"] == [] and seen["keys_idle"] == 0  # no lark-oapi, no scrypt before any Feishu traffic
    assert seen["status"] == 200
    assert seen["answer"].startswith("✅ @alice is now host of Feishu meeting 123 456 789.")
    assert seen["threads"] == ["lark-oapi preload"]  # every lark-oapi module, loaded by the preload thread
    assert seen["keys"] == 1  # and the vault's sealing key derived after it, in that thread
