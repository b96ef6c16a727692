"""Fake Slack Web API (mounted under /api/): the methods hostbot calls, with Slack's real shapes.

Point slack_sdk at it with `base_url = sandbox.url + "/api/"`. Shapes follow the java-slack-sdk
JSON samples (vendor-oracles/slack/java-sdk-samples/api/*.json) and the Web API conventions:
- every answer is HTTP 200 with `{"ok": true, ...}` or `{"ok": false, "error": "<code>"}`; a missing
  scope adds `needed` and `provided`; every answer carries `X-OAuth-Scopes` (the token's scopes)
  and `X-Accepted-OAuth-Scopes` (what the method wants), as Slack does;
- rate limiting is HTTP 429 + `Retry-After` with `{"ok": false, "error": "ratelimited"}`: arm it
  with `ratelimit(method, seconds)` (a fault on op "slack.<method>");
- `users.info` hides `profile.email` unless the token has `users:read.email` (no error: the field
  is simply absent), and adds `user.locale` only when asked with `include_locale`.

Methods: auth.test, users.info, users.lookupByEmail, chat.postMessage, chat.update,
chat.postEphemeral, conversations.replies; usergroups.list and usergroups.users.list
(bot/sandbox/slack/groups.py); views.open, views.update, views.publish and
users.conversations (bot/sandbox/slack/views.py). Anything else answers `unknown_method`.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.base import FakeBase
from bot.sandbox.faults import Fault
from bot.sandbox.slack.groups import SlackUsergroup, UsergroupsMixin
from bot.sandbox.slack.people import SlackChannel, SlackToken, SlackUser
from bot.sandbox.slack.views import ViewsMixin

ALL_BOT_SCOPES = ("commands", "chat:write", "app_mentions:read", "users:read", "users:read.email",
                  "channels:history", "groups:history", "im:history", "channels:read", "groups:read",
                  "usergroups:read")
NEEDED_SCOPE: dict[str, str] = {
    "auth.test": "",
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "conversations.replies": "channels:history",
    "users.conversations": "channels:read",
    "views.open": "",  # views.* need no scope: a trigger_id (open) or the app's own view
    "views.update": "",
    "views.publish": "",
    "usergroups.list": "usergroups:read",
    "usergroups.users.list": "usergroups:read",
}


def _ok(data: dict[str, Any], scopes: tuple[str, ...] = (), accepted: str = "") -> JSONResponse:
    return JSONResponse({"ok": True, **data}, headers=_scope_headers(scopes, accepted))


def _fail(error: str, scopes: tuple[str, ...] = (), accepted: str = "", **more: Any) -> JSONResponse:
    return JSONResponse({"ok": False, "error": error, **more}, headers=_scope_headers(scopes, accepted))


def _scope_headers(scopes: tuple[str, ...], needed: str) -> dict[str, str]:
    return {"X-OAuth-Scopes": ",".join(scopes), "X-Accepted-OAuth-Scopes": needed}


Method = Callable[[dict[str, Any], SlackToken], Awaitable[Response]]


class SlackFake(FakeBase, ViewsMixin, UsergroupsMixin):
    """State and routes of the fake Slack Web API."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lock = threading.RLock()
        self.team_id = "T0SANDBOX"
        self.app_id = "A0SANDBOX"
        self.bot_id = "B0HOSTBOT"
        self.users: dict[str, SlackUser] = {}
        self.channels: dict[str, SlackChannel] = {}
        self.tokens: dict[str, SlackToken] = {}
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self.bot_user = self.add_user("hostbot", real_name="hostbot", is_bot=True)
        self.bot_token = self.issue_token(ALL_BOT_SCOPES)
        self._init_views()
        self.usergroups: dict[str, SlackUsergroup] = {}

    # ---- state helpers for seeds and tests ------------------------------------------------
    def add_user(self, name: str, *, email: str | None = None, real_name: str = "", tz: str = "Europe/Berlin",
                 tz_offset: int = 3600, locale: str = "en-US", is_bot: bool = False) -> SlackUser:
        user = SlackUser(id=f"U{next(self._ids):03d}{secrets.token_hex(3).upper()}", name=name,
                         real_name=real_name or name.title(),
                         email="" if is_bot else (f"{name.lower()}@example.com" if email is None else email),
                         tz=tz, tz_label=tz, tz_offset=tz_offset, locale=locale, is_bot=is_bot)
        with self.lock:
            self.users[user.id] = user
        return user

    def add_channel(self, name: str, members: list[SlackUser] | None = None) -> SlackChannel:
        channel = SlackChannel(id=f"C{next(self._ids):03d}{secrets.token_hex(3).upper()}", name=name,
                               members={u.id for u in (members or [])} | {self.bot_user.id})
        with self.lock:
            self.channels[channel.id] = channel
        return channel

    def issue_token(self, scopes: tuple[str, ...] | list[str]) -> str:
        token = f"xoxb-sandbox-{secrets.token_hex(12)}"
        with self.lock:
            self.tokens[token] = SlackToken(tuple(scopes), self.bot_user.id)
        return token

    def set_scopes(self, scopes: tuple[str, ...] | list[str], token: str | None = None) -> None:
        """Change what a token (default: the bot token) may do, as reinstalling the app would."""
        with self.lock:
            self.tokens[token or self.bot_token].scopes = tuple(scopes)

    def ratelimit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        self.faults.arm(Fault(f"slack.{method}", status=429, body={"ok": False, "error": "ratelimited"},
                              headers={"Retry-After": str(retry_after)}, times=times))

    def seed(self, names: tuple[str, ...] = ("alice", "bob", "carol"),
             channel: str = "general") -> dict[str, SlackUser]:
        """Users with profile email/locale/tz and one channel where they all are (for tests and demos)."""
        users = {n: self.add_user(n) for n in names}
        self.add_channel(channel, list(users.values()))
        return users

    def channel_named(self, name: str) -> SlackChannel:
        return next(c for c in self.channels.values() if c.name == name)

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    # ---- routes --------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        methods: dict[str, Method] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.lookupByEmail": self._lookup_by_email,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.replies": self._replies,
            "users.conversations": self._users_conversations,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "usergroups.list": self._usergroups_list,
            "usergroups.users.list": self._usergroups_users_list,
        }
        routes = [Route(f"/api/{name}", self.endpoint(f"slack.{name}", self._method(name, fn)), methods=["GET", "POST"])
                  for name, fn in methods.items()]
        routes.append(Route("/api/{method}", self.endpoint("slack.unknown", self._unknown), methods=["GET", "POST"]))
        return routes

    def _method(self, name: str, fn: Method) -> Callable[[Request, Any], Awaitable[Response]]:
        async def run(request: Request, body: Any) -> Response:
            args = _args(request, body)
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            token = bearer or str(args.get("token", ""))
            if not token:
                return _fail("not_authed")
            with self.lock:
                info = self.tokens.get(token)
            if info is None:
                return _fail("invalid_auth")
            needed = NEEDED_SCOPE.get(name, "")
            if needed and needed not in info.scopes:
                return _fail("missing_scope", info.scopes, needed, needed=needed, provided=",".join(info.scopes))
            response = await fn(args, info)
            response.headers.update(_scope_headers(info.scopes, needed))
            return response

        return run

    async def _unknown(self, request: Request, body: Any) -> Response:
        return _fail("unknown_method")

    async def _auth_test(self, args: dict[str, Any], token: SlackToken) -> Response:
        return _ok({"url": "https://sandbox.slack.com/", "team": "Sandbox", "user": "hostbot",
                    "team_id": self.team_id, "user_id": token.user_id, "bot_id": self.bot_id,
                    "is_enterprise_install": False})

    async def _users_info(self, args: dict[str, Any], token: SlackToken) -> Response:
        with self.lock:
            user = self.users.get(str(args.get("user", "")))
        if user is None:
            return _fail("user_not_found")
        return _ok({"user": user.as_json(self.team_id, with_email="users:read.email" in token.scopes,
                                         with_locale=_truthy(args.get("include_locale")))})

    async def _lookup_by_email(self, args: dict[str, Any], token: SlackToken) -> Response:
        email = str(args.get("email", "")).lower()
        with self.lock:
            user = next((u for u in self.users.values() if email and u.email.lower() == email), None)
        if user is None:
            return _fail("users_not_found")
        return _ok({"user": user.as_json(self.team_id, with_email=True, with_locale=False)})

    def _text_or_blocks(self, args: dict[str, Any]) -> tuple[str, list[Any] | None] | Response:
        text = str(args.get("text") or "")
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            try:
                blocks = json.loads(blocks)
            except ValueError:
                return _fail("invalid_blocks")
        if blocks is not None and not isinstance(blocks, list):
            return _fail("invalid_blocks")
        if not text and not blocks:
            return _fail("no_text")
        return text, blocks

    async def _post_message(self, args: dict[str, Any], token: SlackToken) -> Response:
        content = self._text_or_blocks(args)
        if isinstance(content, Response):
            return content
        text, blocks = content
        with self.lock:
            channel = self._channel(str(args.get("channel", "")))
            if channel is None:
                return _fail("channel_not_found")
            if token.user_id not in channel.members:
                return _fail("not_in_channel")
            message: dict[str, Any] = {"type": "message", "user": token.user_id, "bot_id": self.bot_id,
                                       "text": text, "ts": self._next_ts(), "team": self.team_id}
            if blocks:
                message["blocks"] = blocks
            thread_ts = str(args.get("thread_ts") or "")
            if thread_ts:
                message["thread_ts"] = thread_ts
                parent = channel.find(thread_ts)
                if parent is not None:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = int(parent.get("reply_count", 0)) + 1
            channel.messages.append(message)
        return _ok({"channel": channel.id, "ts": message["ts"], "message": dict(message)})

    async def _update(self, args: dict[str, Any], token: SlackToken) -> Response:
        content = self._text_or_blocks(args)
        if isinstance(content, Response):
            return content
        text, blocks = content
        with self.lock:
            channel = self._channel(str(args.get("channel", "")))
            if channel is None:
                return _fail("channel_not_found")
            message = channel.find(str(args.get("ts", "")))
            if message is None:
                return _fail("message_not_found")
            if message.get("user") != token.user_id:
                return _fail("cant_update_message")
            message["text"] = text
            if blocks is not None:
                message["blocks"] = blocks
            message["edited"] = {"user": token.user_id, "ts": self._next_ts()}
        return _ok({"channel": channel.id, "ts": message["ts"], "text": text, "message": dict(message)})

    async def _post_ephemeral(self, args: dict[str, Any], token: SlackToken) -> Response:
        content = self._text_or_blocks(args)
        if isinstance(content, Response):
            return content
        text, blocks = content
        with self.lock:
            channel = self._channel(str(args.get("channel", "")))
            if channel is None:
                return _fail("channel_not_found")
            user = str(args.get("user", ""))
            if user not in self.users:
                return _fail("user_not_found")
            if user not in channel.members:
                return _fail("user_not_in_channel")
            ts = self._next_ts()
            channel.ephemeral.append({"user": user, "text": text, "blocks": blocks, "ts": ts,
                                      "thread_ts": str(args.get("thread_ts") or "")})
        return _ok({"message_ts": ts})

    async def _replies(self, args: dict[str, Any], token: SlackToken) -> Response:
        with self.lock:
            channel = self._channel(str(args.get("channel", "")))
            if channel is None:
                return _fail("channel_not_found")
            ts = str(args.get("ts", ""))
            parent = channel.find(ts)
            if parent is None:
                return _fail("thread_not_found")
            replies = [m for m in channel.messages if m.get("thread_ts") == ts and m["ts"] != ts]
            messages = [dict(parent), *(dict(m) for m in replies)]
        return _ok({"messages": messages, "has_more": False, "response_metadata": {"next_cursor": ""}})

    def _channel(self, channel_id: str) -> SlackChannel | None:
        if channel_id in self.channels:
            return self.channels[channel_id]
        if channel_id in self.users:  # posting to a user id opens a DM
            dm = SlackChannel(id=f"D{channel_id[1:]}", name=f"dm-{channel_id}", members={channel_id, self.bot_user.id})
            self.channels.setdefault(dm.id, dm)
            return self.channels[dm.id]
        return self.channels.get(channel_id)


def _args(request: Request, body: Any) -> dict[str, Any]:
    """Slack takes arguments as query string, form body or JSON body alike."""
    args: dict[str, Any] = dict(request.query_params)
    if isinstance(body, dict):
        args.update(body)
    elif isinstance(body, str) and body:
        args.update(dict(parse_qsl(body, keep_blank_values=True)))
    return args


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes")
