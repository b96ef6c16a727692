"""Slack surfaces in tests: a bot wired to the sandbox (as tests/adapters/test_slack.py's fixture), and
signed bodies for what Slack sends about views — a form's field change and submission, the Home tab
opened, a Home tab button — built from the view the fake recorded, as Slack would send them."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bot.app import build
from bot.config import settings_from_mapping
from bot.devtools.demo import seed
from bot.ops.server import build_runtime, create_asgi
from bot.sandbox import Sandbox
from tests.support.slack import SIGNING_SECRET, SlackWorld


@asynccontextmanager
async def slack_world(sandbox: Sandbox, tmp_path: Path, clock: Callable[[], datetime] | None = None,
                      restart_of: SlackWorld | None = None, **env: str) -> AsyncIterator[SlackWorld]:
    """The demo's Feishu meeting (you host it), Slack users you/alice/bob/carol mapped to their Feishu
    accounts, in #general; the bot served over ASGI with a signing secret (and `clock`, when given).
    `restart_of`: a new bot on that world's database and sandbox, nothing seeded again (a restart)."""
    demo = restart_of.demo if restart_of is not None else seed(sandbox)
    users = restart_of.users if restart_of is not None else sandbox.slack.seed(("you", "alice", "bob", "carol"))
    settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "h.db"),
                                      "SLACK_SIGNING_SECRET": SIGNING_SECRET, **env})
    bot = build(settings, clock=clock)
    for name, user in users.items() if restart_of is None else ():
        await bot.services.store.upsert_person("slack", user.id, name=name, email=user.email,
                                         feishu_open_id=demo.users[name].open_id)
    runtime = build_runtime(settings, bot)
    transport = httpx.ASGITransport(app=create_asgi(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://hostbot.test") as http:
        yield SlackWorld(sandbox, demo, runtime, http, users, sandbox.slack.channel_named("general"))
    await runtime.aclose()


def _interactive(world: SlackWorld, user: str, payload: dict[str, Any]) -> dict[str, Any]:
    u = world.users[user]
    return {"team": {"id": world.sandbox.slack.team_id, "domain": "sandbox"},
            "user": {"id": u.id, "username": u.name, "name": u.name, "team_id": world.sandbox.slack.team_id},
            "api_app_id": world.sandbox.slack.app_id, "token": "legacy", "is_enterprise_install": False,
            "trigger_id": world.sandbox.slack.issue_trigger(u.id), **payload}


def form_values(view: dict[str, Any], what: str, people: list[str], meeting: str | None = None,
                at: int | None = None) -> dict[str, Any]:
    """`view.state.values` as Slack sends it for the form's fields (the block ids the view has)."""
    blocks = {b["block_id"]: b for b in view["blocks"]}
    values: dict[str, Any] = {"what": {"hostbot.form.what": {"type": "radio_buttons", "selected_option": {
        "text": {"type": "plain_text", "text": what}, "value": what}}}}
    if "who_many" in blocks:
        values["who_many"] = {"who": {"type": "multi_users_select", "selected_users": people}}
    else:
        values["who_one"] = {"who": {"type": "users_select", "selected_user": people[0] if people else None}}
    if meeting is None:
        meeting = blocks["meeting"]["element"].get("initial_value")
    values["meeting"] = {"meeting": {"type": "plain_text_input", "value": meeting or None}}
    values["at"] = {"at": {"type": "datetimepicker", "selected_date_time": at}}
    return values


async def submit(world: SlackWorld, user: str, view: dict[str, Any], values: dict[str, Any]) -> httpx.Response:
    """The view_submission Slack sends when `user` presses the form's submit button."""
    sent = {**view, "state": {"values": values}}
    payload = _interactive(world, user, {"type": "view_submission", "view": sent, "response_urls": []})
    return await world.post_form({"payload": json.dumps(payload)})


async def choose(world: SlackWorld, user: str, view: dict[str, Any], what: str) -> httpx.Response:
    """The block_actions Slack sends when the form's radio (dispatch_action) changes."""
    action = {"type": "radio_buttons", "action_id": "hostbot.form.what", "block_id": "what",
              "selected_option": {"text": {"type": "plain_text", "text": what}, "value": what},
              "action_ts": f"{time.time():.6f}"}
    payload = _interactive(world, user, {"type": "block_actions", "container": {"type": "view", "view_id": view["id"]},
                                         "view": view, "actions": [action]})
    return await world.post_form({"payload": json.dumps(payload)})


async def home_opened(world: SlackWorld, user: str, event_id: str, tab: str = "home") -> httpx.Response:
    event = {"type": "app_home_opened", "user": world.users[user].id, "channel": f"D{world.users[user].id[1:]}",
             "tab": tab, "event_ts": f"{time.time():.6f}"}
    return await world.event(event, event_id)


async def home_click(world: SlackWorld, user: str, action_id: str, value: str,
                     view: dict[str, Any] | None = None) -> httpx.Response:
    """A button of `user`'s published Home tab (or of `view`, a tab they still have open), pressed."""
    view = view or world.sandbox.slack.home_views[world.users[user].id]
    button = next(e for b in view["blocks"] for e in ([b.get("accessory")] if b.get("accessory") else b.get(
        "elements", [])) if e and e.get("action_id") == action_id and e.get("value") == value)
    action = {"type": "button", "action_id": action_id, "block_id": "b", "text": button["text"],
              "value": value, "action_ts": f"{time.time():.6f}"}
    payload = _interactive(world, user, {"type": "block_actions", "container": {"type": "view", "view_id": view["id"]},
                                         "view": view, "actions": [action]})
    return await world.post_form({"payload": json.dumps(payload)})


def text_objects(view: dict[str, Any]) -> list[str]:
    """Every text object's text in a view's blocks, in order."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(view.get("blocks"))
    return out


def texts(view: dict[str, Any]) -> str:
    """Every text a view shows, joined (to assert on what the person reads)."""
    return "\n".join(text_objects(view))
