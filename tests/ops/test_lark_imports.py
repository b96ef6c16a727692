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
# in webhook mode, all pointed at a sandbox), the SDK modules loaded as `hostbot run` loads them once it
# serves, then one Feishu message answered end to end.
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

    preload(SDK_MODULES)  # what `hostbot run` loads in a worker thread once it serves
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
