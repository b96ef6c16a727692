"""Fake Slack surfaces: views.open / views.update / views.publish (modals, the App Home) and
users.conversations, checked as strictly as Slack checks them (a mixin of SlackFake).

What Slack refuses, the fake refuses, with Slack's error codes:
- views.open needs a trigger_id the fake issued (`issue_trigger`, as Slack issues one with each
  slash command and click), used at most once (`exchanged_trigger_id`) within 3 s
  (`expired_trigger_id`); unknown ones are `invalid_trigger_id`;
- the view is JSON (a string in a form body or an object in a JSON body) with a `type`
  (modal for open/update, home for publish), a plain_text title of ≤ 24 characters for modals,
  at most 100 blocks, unique block_ids, ≤ 3000 characters in any text object (and Slack's
  tighter limits for headers, buttons, options, labels and placeholders), private_metadata of
  ≤ 3000 characters; else `invalid_arguments` with `response_metadata.messages` saying where;
- views.update names a view by view_id (or external_id) it knows (`not_found`) and, with a
  hash, only the current version of it (`hash_conflict`); views.publish likewise per user.
Every accepted view is recorded (`views`, `home_views`) with Slack's answer shape: id, hash,
state, the app and bot ids.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any

from starlette.responses import JSONResponse, Response

from bot.sandbox.slack.people import SlackChannel, SlackToken, SlackUser

TRIGGER_TTL_S = 3.0
MAX_BLOCKS = 100
MAX_TEXT = 3000
# Tighter limits of particular text objects (Block Kit reference), by the path's last keys.
TEXT_LIMITS = {("header", "text"): 150, ("button", "text"): 75, ("option", "text"): 75,
               ("input", "label"): 2000, ("input", "hint"): 2000, ("placeholder",): 150, ("view", "title"): 24,
               ("view", "submit"): 24, ("view", "close"): 24, ("option", "description"): 75}
SURFACE_BLOCKS = {"actions", "context", "divider", "file", "header", "image", "input", "section", "rich_text",
                  "video"}


def _invalid(*messages: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": "invalid_arguments",
                         "response_metadata": {"messages": [f"[ERROR] {m}" for m in messages]}})


def _fail(error: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": error})


def _text_problems(node: Any, path: str, kind: str, out: list[str]) -> None:
    """Walk a view: every text object within its limits (`kind` is the owner's Block Kit type)."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _text_problems(item, f"{path}/{i}", kind, out)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in ("plain_text", "mrkdwn"):
        text = node.get("text")
        key = path.rsplit("/", 1)[-1]
        limit = TEXT_LIMITS.get((kind, key)) or TEXT_LIMITS.get((key,)) or MAX_TEXT
        if not isinstance(text, str) or not text:
            out.append(f"must provide a non-empty string [json-pointer:{path}/text]")
        elif len(text) > limit:
            out.append(f"must be less than {limit + 1} characters [json-pointer:{path}/text]")
        return
    own = node["type"] if isinstance(node.get("type"), str) else kind
    for key, value in node.items():
        child_kind = "option" if key in ("options", "initial_options", "initial_option") else own
        _text_problems(value, f"{path}/{key}", child_kind, out)


def view_problems(view: Any, surface: str) -> list[str]:
    """Why Slack would refuse `view` on `surface` ("modal" or "home"), or [] when it would take it."""
    if not isinstance(view, dict):
        return ["failed to match all allowed schemas [json-pointer:/view]"]
    problems: list[str] = []
    if view.get("type") != surface:
        problems.append(f"must be '{surface}' here [json-pointer:/view/type]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return [*problems, "must provide an array [json-pointer:/view/blocks]"]
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/view/blocks]")
    if surface == "modal":
        if not isinstance(view.get("title"), dict) or view["title"].get("type") != "plain_text":
            problems.append("must provide a plain_text object [json-pointer:/view/title]")
        if any(isinstance(b, dict) and b.get("type") == "input" for b in blocks) and not view.get("submit"):
            problems.append("must provide submit when there are input blocks [json-pointer:/view/submit]")
    if len(str(view.get("private_metadata") or "")) > MAX_TEXT:
        problems.append("must be less than 3001 characters [json-pointer:/view/private_metadata]")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or block.get("type") not in SURFACE_BLOCKS:
            problems.append(f"unsupported block type [json-pointer:/view/blocks/{i}/type]")
            continue
        bid = block.get("block_id")
        if bid is not None and (bid in seen or not 0 < len(str(bid)) <= 255):
            problems.append(f"duplicate or invalid block_id [json-pointer:/view/blocks/{i}/block_id]")
        seen.add(str(bid))
        if block["type"] == "input" and (not isinstance(block.get("element"), dict) or "label" not in block):
            problems.append(f"input needs label and element [json-pointer:/view/blocks/{i}]")
    _text_problems({k: v for k, v in view.items() if k not in ("blocks", "type")}, "/view", "view", problems)
    _text_problems(blocks, "/view/blocks", "block", problems)
    return problems


class ViewsMixin:
    """Views state and methods of SlackFake (it supplies users, channels, the lock and ids)."""

    lock: threading.RLock
    users: dict[str, SlackUser]
    channels: dict[str, SlackChannel]
    team_id: str
    app_id: str
    bot_id: str

    def _init_views(self) -> None:
        self.triggers: dict[str, tuple[str, float, bool]] = {}  # trigger_id -> (user, expires, used)
        self.views: dict[str, dict[str, Any]] = {}  # view id -> the modal as Slack holds it now
        self.home_views: dict[str, dict[str, Any]] = {}  # user id -> their Home tab view

    def issue_trigger(self, user: str = "", ttl: float = TRIGGER_TTL_S) -> str:
        """A trigger_id as Slack sends with a slash command or a click: one views.open, within `ttl` s."""
        trigger = f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        with self.lock:
            self.triggers[trigger] = (user, time.monotonic() + ttl, False)
        return trigger

    def _stored_view(self, view: dict[str, Any], user: str, view_id: str = "") -> dict[str, Any]:
        stored = {**view, "id": view_id or f"V{secrets.token_hex(5).upper()}", "team_id": self.team_id,
                  "state": {"values": {}}, "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
                  "private_metadata": str(view.get("private_metadata") or ""),
                  "callback_id": str(view.get("callback_id") or ""), "external_id": str(view.get("external_id") or ""),
                  "root_view_id": view_id or None, "app_id": self.app_id, "bot_id": self.bot_id, "user": user}
        if stored["root_view_id"] is None:
            stored["root_view_id"] = stored["id"]
        return stored

    async def _views_open(self, args: dict[str, Any], token: SlackToken) -> Response:
        view = _view_arg(args)
        trigger = str(args.get("trigger_id") or "")
        if not trigger:
            return _invalid("missing required field: trigger_id")
        with self.lock:
            found = self.triggers.get(trigger)
            if found is None:
                return _fail("invalid_trigger_id")
            user, expires, used = found
            if used:
                return _fail("exchanged_trigger_id")
            if time.monotonic() > expires:
                return _fail("expired_trigger_id")
            problems = view_problems(view, "modal")
            if problems:
                return _invalid(*problems)
            self.triggers[trigger] = (user, expires, True)
            stored = self._stored_view(view, user)
            self.views[stored["id"]] = stored
        return JSONResponse({"ok": True, "view": _public(stored)})

    async def _views_update(self, args: dict[str, Any], token: SlackToken) -> Response:
        view = _view_arg(args)
        view_id, external = str(args.get("view_id") or ""), str(args.get("external_id") or "")
        if not view_id and not external:
            return _invalid("must provide view_id or external_id")
        with self.lock:
            old = self.views.get(view_id) if view_id else next(
                (v for v in self.views.values() if v.get("external_id") == external), None)
            if old is None:
                return _fail("not_found")
            if args.get("hash") and args["hash"] != old["hash"]:
                return _fail("hash_conflict")
            problems = view_problems(view, "modal")
            if problems:
                return _invalid(*problems)
            stored = self._stored_view(view, str(old.get("user", "")), view_id=old["id"])
            self.views[old["id"]] = stored
        return JSONResponse({"ok": True, "view": _public(stored)})

    async def _views_publish(self, args: dict[str, Any], token: SlackToken) -> Response:
        view = _view_arg(args)
        user = str(args.get("user_id") or "")
        if not user:
            return _invalid("missing required field: user_id")
        with self.lock:
            if user not in self.users:
                return _fail("user_not_found")
            old = self.home_views.get(user)
            if args.get("hash") and (old is None or args["hash"] != old["hash"]):
                return _fail("hash_conflict")
            problems = view_problems(view, "home")
            if problems:
                return _invalid(*problems)
            stored = self._stored_view(view, user, view_id=old["id"] if old else "")
            self.home_views[user] = stored
        return JSONResponse({"ok": True, "view": _public(stored)})

    async def _users_conversations(self, args: dict[str, Any], token: SlackToken) -> Response:
        """The channels a user (default: the token's) is a member of; the fake's channels are public."""
        user = str(args.get("user") or token.user_id)
        types = {t.strip() for t in str(args.get("types") or "public_channel").split(",")}
        with self.lock:
            if user not in self.users:
                return _fail("user_not_found")
            if "private_channel" in types and "groups:read" not in token.scopes:
                return _fail("missing_scope")
            found = [{"id": c.id, "name": c.name, "is_channel": True, "is_private": False, "is_archived": False,
                      "is_member": token.user_id in c.members}
                     for c in self.channels.values() if user in c.members and not c.id.startswith("D")]
        return JSONResponse({"ok": True, "channels": found if "public_channel" in types else [],
                             "response_metadata": {"next_cursor": ""}})


def _view_arg(args: dict[str, Any]) -> Any:
    """`view` as sent: an object in a JSON body, a JSON string in a form body; None when unreadable."""
    view = args.get("view")
    if isinstance(view, str):
        try:
            return json.loads(view)
        except ValueError:
            return None
    return view


def _public(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stored.items() if k != "user"}
