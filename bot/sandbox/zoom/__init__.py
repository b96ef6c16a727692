"""Fake Zoom API (api.zoom.us/v2 under /zoom/v2, zoom.us/oauth/token at /zoom/oauth/token).

Written from vendor-notes.md §E, vendor-docs/zoom-change-host-forum-thread.md and the archived
OpenAPI + error examples in vendor-oracles/zoom. State: users (licensed, hosting allowed, who may
schedule for them = their assistants), meetings (host, the user they were created under, type,
status, alternative hosts). Reachable from state:

    token   Basic client_id:secret, grant_type=account_credentials, account_id -> {access_token,
            expires_in 3600}; a wrong one -> 400 {"reason", "error"}
    401 124 no, unknown or expired access token
    GET /users/{id|email|me} 404 1001 unknown; `me` = the app's own user (`app_user_id`, GUESS)
    GET /meetings/{id}       404 3001 unknown; 400 3000 "Cannot access meeting information." (another account)
    PATCH schedule_for       3000 "Instant meetings do not support schedule_for." (type 1)
                             3000 "You cannot update or delete meetings that have started using this method."
                             404 1001 the new host is no user; 3161 not licensed / hosting not allowed
                             300 not an email or user id
                             3000 "You cannot schedule a meeting for X." unless the user the meeting was
                             *created under* is X or one of X's assistants (the seed thread's finding),
                             and that user is licensed (GUESS: the thread only says "all 3 users are
                             licensed"; the Add-assistant API wants both licensed)
    PATCH settings.alternative_hosts
                             emails or user ids, separated by ";" (vendor-notes, today's reference) or ","
                             (the archived 2021 OpenAPI): both accepted; GET answers with `alt_separator`.
                             Every entry must be a licensed user of the account, else 300 "Validation
                             Failed." with errors[{field, message}] (the envelope of zoom_error_examples.json;
                             the exact code Zoom uses here is UNCONFIRMED)
    3003 "You are not the meeting host", 429, 5xx: faults ("zoom.update_meeting")
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.base import FakeBase, error_json

INSTANT, SCHEDULED = 1, 2
WAITING, STARTED = "waiting", "started"
# The fields of a meeting in List meetings (archived OpenAPI MeetingList.meetings[]); `status` is not among them.
LISTED = ("uuid", "id", "host_id", "topic", "type", "start_time", "duration", "timezone", "join_url")
EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")


@dataclass
class ZoomUser:
    id: str
    email: str
    first_name: str
    type: int = 2  # 1 basic, 2 licensed
    hosting_allowed: bool = True
    assistants: set[str] = field(default_factory=set)  # user ids that may schedule for this user


@dataclass
class ZoomMeeting:
    id: int
    uuid: str
    host_id: str
    created_under: str  # the {userId} of POST /users/{userId}/meetings
    topic: str
    type: int = SCHEDULED
    status: str = WAITING
    alternative_hosts: list[str] = field(default_factory=list)
    other_account: bool = False


def _err(status: int, code: int, message: str, errors: list[dict[str, str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return error_json(status, body)


class ZoomFake(FakeBase):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lock = threading.RLock()
        self.account_id = secrets.token_urlsafe(12)
        self.client_id = secrets.token_urlsafe(12)
        self.client_secret = secrets.token_urlsafe(24)
        self.tokens: dict[str, float] = {}  # token -> expiry
        self.users: dict[str, ZoomUser] = {}  # id -> user
        self.meetings: dict[int, ZoomMeeting] = {}
        self.alt_separator = ";"  # how GET spells alternative_hosts: ";" today, "," in the archived spec
        # GET /users/me with the app's token: the user the S2S app acts as (GUESS: Zoom documents `me` for
        # user-level apps; for an account-level app it answers the app's own user — UNCONFIRMED). "": 404.
        self.app_user_id = ""

    # ---- state helpers ---------------------------------------------------------------------
    def add_user(self, name: str, email: str = "", **kw: Any) -> ZoomUser:
        user = ZoomUser(id=secrets.token_urlsafe(16).replace("-", "A").replace("_", "B"),
                        email=email or f"{name.lower()}@example.com", first_name=name, **kw)
        with self.lock:
            self.users[user.id] = user
        return user

    def user(self, ref: str) -> ZoomUser | None:
        with self.lock:
            return self.users.get(ref) or next((u for u in self.users.values() if u.email.lower() == ref.lower()), None)

    def add_meeting(self, host: ZoomUser, topic: str = "All hands", *, created_under: ZoomUser | None = None,
                    meeting_id: int = 0, **kw: Any) -> ZoomMeeting:
        meeting = ZoomMeeting(id=meeting_id or 80_000_000_000 + secrets.randbelow(10**10),
                              uuid=base64.b64encode(secrets.token_bytes(16)).decode(), host_id=host.id,
                              created_under=(created_under or host).id, topic=topic, **kw)
        with self.lock:
            self.meetings[meeting.id] = meeting
        return meeting

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    # ---- routes ------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route("/zoom/oauth/token", self.endpoint("zoom.token", self._token), methods=["POST"]),
            Route("/zoom/v2/meetings/{meeting_id}", self.endpoint("zoom.get_meeting", self._get), methods=["GET"]),
            Route("/zoom/v2/meetings/{meeting_id}", self.endpoint("zoom.update_meeting", self._patch),
                  methods=["PATCH"]),
            Route("/zoom/v2/users/{user_id}", self.endpoint("zoom.get_user", self._get_user), methods=["GET"]),
            Route("/zoom/v2/users/{user_id}/meetings", self.endpoint("zoom.list_meetings", self._list),
                  methods=["GET"]),
            Route("/zoom/v2/users", self.endpoint("zoom.list_users", self._list_users), methods=["GET"]),
        ]

    async def _list(self, request: Request, body: Any) -> Response:
        """List meetings (archived OpenAPI, operationId `meetings`): `type` scheduled | live | upcoming
        (default live), page_size ≤ 300 (default 30), page_number; 404 1001 for an unknown user; the
        MeetingList envelope (page_count, page_number, page_size, total_records, meetings[]).
        live = started; upcoming = not started yet; scheduled = every scheduled (type 2) one. GUESS: the
        answer to a type outside the enum or a page_size over 300 (300 "Invalid field.")."""
        refused = self._authorized(request)
        if refused is not None:
            return refused
        q = request.query_params
        kind, size, number = q.get("type", "live"), q.get("page_size", "30"), q.get("page_number", "1")
        if kind not in ("scheduled", "live", "upcoming") or not (size.isdigit() and 1 <= int(size) <= 300) \
                or not (number.isdigit() and int(number) >= 1):
            return _err(400, 300, "Invalid field.")
        user = self.user(request.path_params["user_id"])
        if user is None:
            return _err(404, 1001, f"User does not exist: {request.path_params['user_id']}.")
        keep = {"live": lambda m: m.status == STARTED, "upcoming": lambda m: m.status == WAITING,
                "scheduled": lambda m: m.type == SCHEDULED}[kind]
        with self.lock:
            mine = [m for m in self.meetings.values() if m.host_id == user.id and not m.other_account and keep(m)]
            start = (int(number) - 1) * int(size)
            page = [{k: v for k, v in self._json(m).items() if k in LISTED} for m in mine[start:start + int(size)]]
        return JSONResponse({"page_count": max(1, -(-len(mine) // int(size))), "page_number": int(number),
                             "page_size": int(size), "total_records": len(mine), "meetings": page})

    async def _token(self, request: Request, body: Any) -> Response:
        auth = request.headers.get("authorization", "")
        try:
            client, _, secret = base64.b64decode(auth.removeprefix("Basic ").strip()).decode().partition(":")
        except ValueError:
            client, secret = "", ""
        form = {k: v[0] for k, v in parse_qs(body if isinstance(body, str) else "").items()}
        if client != self.client_id or secret != self.client_secret:
            return error_json(400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
        if form.get("grant_type") != "account_credentials":
            return error_json(400, {"reason": "unsupported grant type", "error": "unsupported_grant_type"})
        if form.get("account_id") != self.account_id:
            return error_json(400, {"reason": "Invalid account_id", "error": "invalid_request"})
        token = f"eyJ{secrets.token_urlsafe(32)}"
        with self.lock:
            self.tokens[token] = time.time() + 3600
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 3600,
                             "scope": "meeting:read:admin meeting:write:admin user:read:admin",
                             "api_url": "https://api.zoom.us"})

    def _authorized(self, request: Request) -> Response | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is None or expiry < time.time():
            return _err(401, 124, "Invalid access token.")
        return None

    def _meeting(self, raw: str) -> ZoomMeeting | Response:
        meeting = self.meetings.get(int(raw)) if raw.isdigit() else None
        if meeting is None:
            return _err(404, 3001, f"Meeting does not exist: {raw}.")
        if meeting.other_account:
            return _err(400, 3000, "Cannot access meeting information.")
        return meeting

    def _json(self, m: ZoomMeeting) -> dict[str, Any]:
        host = self.users[m.host_id]
        out: dict[str, Any] = {
            "uuid": m.uuid, "id": m.id, "host_id": m.host_id, "host_email": host.email, "topic": m.topic,
            "type": m.type, "status": m.status, "start_time": "2025-01-06T09:00:00Z", "duration": 60,
            "timezone": "UTC", "join_url": f"https://zoom.us/j/{m.id}",
            "settings": {"alternative_hosts": self.alt_separator.join(m.alternative_hosts), "join_before_host": False},
        }
        if m.created_under != m.host_id:
            out["assistant_id"] = m.created_under  # the scheduler who created it on the host's behalf
        return out

    async def _get(self, request: Request, body: Any) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        with self.lock:
            found = self._meeting(request.path_params["meeting_id"])
            return found if isinstance(found, Response) else JSONResponse(self._json(found))

    async def _get_user(self, request: Request, body: Any) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        ref = request.path_params["user_id"]
        user = self.users.get(self.app_user_id) if ref == "me" else self.user(ref)
        if user is None:
            return _err(404, 1001, f"User does not exist: {ref}.")
        return JSONResponse({"id": user.id, "email": user.email, "first_name": user.first_name, "type": user.type})

    async def _list_users(self, request: Request, body: Any) -> Response:
        """GET /users (List Users, archived spec: status, page_size, page_number; Pagination + users). The
        fake has no page tokens (GUESS: the 2021 spec pages by number); page_size is capped at 300 as documented."""
        refused = self._authorized(request)
        if refused is not None:
            return refused
        raw = request.query_params.get("page_size", "30")
        if not raw.isdigit() or not 1 <= int(raw) <= 300:
            return _err(400, 300, "Invalid field: page_size.")
        size = int(raw)
        with self.lock:
            users = list(self.users.values())
        return JSONResponse({"page_count": max(1, -(-len(users) // size)), "page_number": 1, "page_size": size,
                             "total_records": len(users),
                             "users": [{"id": u.id, "email": u.email, "first_name": u.first_name, "type": u.type}
                                       for u in users[:size]]})

    async def _patch(self, request: Request, body: Any) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        if not isinstance(body, dict):
            return _err(400, 300, "Request Body should be a valid JSON object.")
        with self.lock:
            found = self._meeting(request.path_params["meeting_id"])
            if isinstance(found, Response):
                return found
            meeting = found
            if "schedule_for" in body:
                refused = self._schedule_for(meeting, body["schedule_for"])
                if refused is not None:
                    return refused
            settings = body.get("settings")
            if isinstance(settings, dict) and "alternative_hosts" in settings:
                refused = self._alternative_hosts(meeting, str(settings["alternative_hosts"] or ""))
                if refused is not None:
                    return refused
            if isinstance(body.get("topic"), str):
                meeting.topic = body["topic"]
        return Response(status_code=204)

    def _schedule_for(self, meeting: ZoomMeeting, value: Any) -> Response | None:
        ref = str(value or "").strip()
        if not ref or ("@" in ref and not EMAIL.match(ref)):
            return _err(400, 300, "Invalid schedule_for value.")
        if meeting.type == INSTANT:
            return _err(400, 3000, "Instant meetings do not support schedule_for.")
        if meeting.status == STARTED:
            return _err(400, 3000, "You cannot update or delete meetings that have started using this method.")
        new = self.user(ref)
        if new is None:
            return _err(404, 1001, f"User does not exist: {ref}.")
        if new.type != 2 or not new.hosting_allowed:
            return _err(400, 3161, "Meeting hosting and scheduling capabilities are not allowed for your user account.")
        # Whoever calls the API, only the user the meeting was created under counts (devforum 88501).
        if meeting.created_under != new.id and meeting.created_under not in new.assistants:
            return _err(400, 3000, f"You cannot schedule a meeting for {ref}.")
        scheduler = self.users.get(meeting.created_under)
        if scheduler is None or scheduler.type != 2:  # GUESS: an unlicensed scheduler is refused alike
            return _err(400, 3000, f"You cannot schedule a meeting for {ref}.")
        meeting.host_id = new.id
        return None

    def _alternative_hosts(self, meeting: ZoomMeeting, raw: str) -> Response | None:
        emails = [e.strip() for e in re.split(r"[;,]", raw) if e.strip()]
        for email in emails:
            user = self.user(email)  # an email or a user id (the archived spec: "emails or IDs")
            if user is None or user.type != 2:
                return _err(400, 300, "Validation Failed.",
                            [{"field": "settings.alternative_hosts",
                              "message": f"{email} is not a licensed user of this account."}])
        meeting.alternative_hosts = emails
        return None
