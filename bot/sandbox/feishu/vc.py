"""Fake Feishu Open API: tenant tokens and VC meetings (get, list_by_no, set_host with CAS).

Written from vendor-docs/feishu-vc-set-host.md and vendor-notes.md §A. Every error code of the
set_host doc is reachable from state (meeting ended, target not in meeting, ...) or by a fault:

    121001 internal error ........ fault only (status 500)
    121002 not support ........... target is not a Lark user (user_type != 1)
    121003 param error ........... missing/invalid host_user, meeting_no, time window
    121005 no permission ......... meeting of another tenant; a user operator who is not host
    121006 data conflict (CAS) ... old_host_user differs from the host now (data.host_user = host)
    122001 status unexpected ..... meeting not in progress (status 1 or 3)
    122002 meeting not exist ..... unknown meeting_id
    122003 operator not in mtg ... a user operator who is not a participant
    122004 target not in mtg ..... target absent or has left
    122005 cannot operate self ... a user operator naming themselves
    122009 participant status .... target still being called / ringing
Strict like Feishu (D = documented, G = GUESS): `user_id_type` (D) decides which of a user's ids
the request's host_user / invitees and the answer's host_user / participants are (an id of another
type matches nobody: 122004); a user_id_type outside open_id/union_id/user_id is 99992402 (G: the
code of Feishu's field validation). set_host and invite share the app's budget of 50/s and
1000/min (D) -> 429 / 99991400 (G here: from Feishu's rate-limit page, not vendor-docs), see
limits.py; `rate` can be replaced (tests that null the client's waits on purpose). Both require
Content-Type application/json (D: a fixed value in both docs; G: the refusal, 400 / 99992402).
"""

from __future__ import annotations

import itertools
import math
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.base import FakeBase, error_json
from bot.sandbox.feishu.limits import AppRateLimit
from bot.sandbox.feishu.state import (  # noqa: F401 - re-exported for the tests and the demo
    CALLING,
    ENDED,
    ERRORS,
    IN_PROGRESS,
    P_CALLING,
    P_IN_MEETING,
    P_LEFT,
    P_RINGING,
    FeishuMeeting,
    FeishuUser,
)
from bot.sandbox.feishu.state import err as _err

ID_TYPES = ("open_id", "union_id", "user_id")
RATE_LIMIT_CODE = 99991400







class FeishuFake(FakeBase):
    """State and routes of the fake Feishu Open API."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lock = threading.RLock()
        self.app_id = f"cli_sandbox_{secrets.token_hex(6)}"  # unique: lark caches tokens per app_id
        self.app_secret = secrets.token_hex(16)
        self.users: dict[str, FeishuUser] = {}
        self.meetings: dict[str, FeishuMeeting] = {}
        self.tenant_tokens: dict[str, str] = {}  # token -> app_id
        self.user_tokens: dict[str, str] = {}  # token -> open_id (the user the token acts for)
        self.race_hosts: dict[str, tuple[str, int]] = {}  # meeting_id -> host set just before set_host
        self.busy: set[str] = set()  # open_ids in another call: invite fails for them (122007)
        self.expired_user_tokens: set[str] = set()
        self._ids = itertools.count(1)
        self.rate = AppRateLimit()  # set_host + invite: 50/s and 1000/min for this app (limits.py)
        # Contact scopes of this fake app: without contact:user.email:readonly Feishu simply leaves `email`
        # out of a user; without the contact scopes the contact calls fail with 99991672.
        self.email_scope_granted = True
        self.contact_scope_granted = True
        # Told (kind "started" | "ended", the meeting) when a meeting starts or ends: the tenant events
        # vc.meeting.all_meeting_started_v1 / _ended_v1 (bot/sandbox/feishu/events.py builds them).
        self.meeting_observers: list[Callable[[str, FeishuMeeting], None]] = []

    # ---- state helpers for seeds and tests ------------------------------------------------
    def add_user(self, name: str, email: str = "") -> FeishuUser:
        n = next(self._ids)
        user = FeishuUser(
            open_id=f"ou_{secrets.token_hex(16)}",
            union_id=f"on_{secrets.token_hex(16)}",
            user_id=f"u{n:05d}",
            name=name,
            email=email or f"{name.lower()}@example.com",
        )
        with self.lock:
            self.users[user.open_id] = user
        return user

    def add_meeting(
        self,
        host: FeishuUser,
        participants: list[FeishuUser] | None = None,
        *,
        topic: str = "Weekly sync",
        meeting_no: str | None = None,
        meeting_id: str | None = None,
        status: int = IN_PROGRESS,
        started_ago: int = 600,
    ) -> FeishuMeeting:
        now = int(time.time())
        meeting = FeishuMeeting(
            id=meeting_id or str(6_900_000_000_000_000_000 + secrets.randbelow(10**17)),
            meeting_no=meeting_no or str(100_000_000 + secrets.randbelow(900_000_000)),
            topic=topic,
            host=(host.open_id, 1),
            status=status,
            start_time=now - started_ago,
            end_time=now if status == ENDED else 0,
        )
        meeting.participants[host.open_id] = (1, P_IN_MEETING)
        for p in participants or []:
            meeting.participants[p.open_id] = (1, P_IN_MEETING)
        with self.lock:
            self.meetings[meeting.id] = meeting
        if status == IN_PROGRESS:
            self._tell("started", meeting)
        return meeting

    def _tell(self, kind: str, meeting: FeishuMeeting) -> None:
        for observer in list(self.meeting_observers):
            observer(kind, meeting)

    def set_participant(self, meeting_id: str, open_id: str, status: int, user_type: int = 1) -> None:
        with self.lock:
            self.meetings[meeting_id].participants[open_id] = (user_type, status)

    def change_host(self, meeting_id: str, open_id: str) -> None:
        """Somebody changed the host in the Feishu client (outside hostbot)."""
        with self.lock:
            self.meetings[meeting_id].host = (open_id, 1)

    def race_host_change(self, meeting_id: str, open_id: str) -> None:
        """The host changes between hostbot's lookup and its set_host call (tests the CAS path)."""
        with self.lock:
            self.race_hosts[meeting_id] = (open_id, 1)

    def end_meeting(self, meeting_id: str) -> None:
        with self.lock:
            m = self.meetings[meeting_id]
            m.status, m.end_time = ENDED, int(time.time())
        self._tell("ended", m)

    def user_by_name(self, name: str) -> FeishuUser:
        return next(u for u in self.users.values() if u.name == name)

    def issue_user_token(self, open_id: str) -> str:
        token = f"u-{secrets.token_urlsafe(24)}"
        with self.lock:
            self.user_tokens[token] = open_id
        return token

    # ---- routes --------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route("/open-apis/auth/v3/tenant_access_token/internal",
                  self.endpoint("feishu.token", self._token), methods=["POST"]),
            Route("/open-apis/vc/v1/meetings/list_by_no",
                  self.endpoint("feishu.list_by_no", self._list_by_no), methods=["GET"]),
            Route("/open-apis/vc/v1/meetings/{meeting_id}",
                  self.endpoint("feishu.get_meeting", self._get_meeting), methods=["GET"]),
            Route("/open-apis/vc/v1/meetings/{meeting_id}/set_host",
                  self.endpoint("feishu.set_host", self._set_host), methods=["PATCH"]),
            Route("/open-apis/vc/v1/meetings/{meeting_id}/invite",
                  self.endpoint("feishu.invite", self._invite), methods=["PATCH"]),
            Route("/open-apis/contact/v3/users/batch_get_id",
                  self.endpoint("feishu.batch_get_id", self._batch_get_id), methods=["POST"]),
            Route("/open-apis/contact/v3/users/{user_id}",
                  self.endpoint("feishu.get_user", self._get_user), methods=["GET"]),
        ]

    # ---- contact v3 (identity lookups) ---------------------------------------------------------
    # Error codes: 99991672 = the app lacks a scope (the msg names it); 41050 = the user is outside the
    # app's contact range, which is also what an unknown id looks like to an app (UNCONFIRMED:
    # vendor-notes §A did not read the official error list); 99992402 = field validation failed.
    def _no_scope(self, scope: str) -> JSONResponse:
        return error_json(400, {"code": 99991672, "msg": f"Access denied. One of the following scopes is required: "
                                f"[{scope}].", "error": {"log_id": secrets.token_hex(8)}})

    def _user_json(self, user: FeishuUser) -> dict[str, Any]:
        out: dict[str, Any] = {"open_id": user.open_id, "union_id": user.union_id, "user_id": user.user_id,
                               "name": user.name, "en_name": user.name, "status": {"is_activated": True}}
        if self.email_scope_granted and user.email:
            out["email"] = user.email
            out["enterprise_email"] = user.email
        return out

    async def _get_user(self, request: Request, body: Any) -> Response:
        op = self._operator(request)
        if isinstance(op, Response):
            return op
        if not self.contact_scope_granted:
            return self._no_scope("contact:user.base:readonly")
        id_type = request.query_params.get("user_id_type", "open_id")
        if id_type not in ("open_id", "union_id", "user_id"):
            return error_json(400, {"code": 99992402, "msg": "field validation failed"})
        wanted = request.path_params["user_id"]
        with self.lock:
            user = next((u for u in self.users.values() if getattr(u, id_type) == wanted), None)
        if user is None:
            return error_json(400, {"code": 41050, "msg": "no user authority error"})
        return JSONResponse({"code": 0, "msg": "success", "data": {"user": self._user_json(user)}})

    async def _batch_get_id(self, request: Request, body: Any) -> Response:
        op = self._operator(request)
        if isinstance(op, Response):
            return op
        if not self.contact_scope_granted:
            return self._no_scope("contact:user.id:readonly")
        id_type = request.query_params.get("user_id_type", "open_id")
        emails = body.get("emails") if isinstance(body, dict) else None
        if id_type not in ("open_id", "union_id", "user_id") or not isinstance(emails, list) or len(emails) > 50:
            return error_json(400, {"code": 99992402, "msg": "field validation failed"})
        found: list[dict[str, Any]] = []
        with self.lock:
            for email in emails:
                user = next((u for u in self.users.values() if u.email.lower() == str(email).lower()), None)
                # Feishu answers an unknown email with an item that has no user_id.
                found.append({"email": email, "user_id": getattr(user, id_type)} if user else {"email": email})
        return JSONResponse({"code": 0, "msg": "success", "data": {"user_list": found}})

    async def _token(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict) or body.get("app_id") != self.app_id:
            return error_json(400, {"code": 10003, "msg": "invalid param: app_id"})
        if body.get("app_secret") != self.app_secret:
            return error_json(400, {"code": 10014, "msg": "app secret invalid"})
        token = f"t-{secrets.token_urlsafe(24)}"
        with self.lock:
            self.tenant_tokens[token] = self.app_id
        return JSONResponse({"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200})

    async def _invite(self, request: Request, body: Any) -> Response:
        from bot.sandbox.feishu.invite import invite  # kept in its own module: see its docstring

        return invite(self, request, body)

    def _operator(self, request: Request) -> tuple[str, str] | Response:
        """('tenant', app_id) or ('user', open_id) for the bearer token; an error response if invalid."""
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        with self.lock:
            if token in self.tenant_tokens:
                return ("tenant", self.tenant_tokens[token])
            if token in self.user_tokens:
                return ("user", self.user_tokens[token])
        if not token:
            return error_json(400, {"code": 99991661, "msg": "Missing access token for authorization."})
        return error_json(400, {"code": 99991663, "msg": "Invalid access token for authorization."})

    async def _list_by_no(self, request: Request, body: Any) -> Response:
        op = self._operator(request)
        if isinstance(op, Response):
            return op
        q = request.query_params
        no, start, end = q.get("meeting_no", ""), q.get("start_time", ""), q.get("end_time", "")
        if not (no.isdigit() and len(no) == 9 and start.isdigit() and end.isdigit()):
            return _err(121003)
        lo, hi, now = int(start), int(end), int(time.time())
        with self.lock:
            found = [
                m for m in self.meetings.values()
                if m.meeting_no == no and m.start_time <= hi and (m.end_time or now) >= lo
            ]
        briefs = [{"id": m.id, "topic": m.topic, "url": f"https://vc.feishu.cn/j/{m.meeting_no}",
                   "meeting_no": m.meeting_no} for m in found]
        return JSONResponse({"code": 0, "msg": "success", "data": {"has_more": False, "meeting_briefs": briefs}})

    async def _get_meeting(self, request: Request, body: Any) -> Response:
        op = self._operator(request)
        if isinstance(op, Response):
            return op
        kind = self.id_type(request)
        if isinstance(kind, Response):
            return kind
        mid = request.path_params["meeting_id"]
        with self.lock:
            meeting = self.meetings.get(mid)
            if meeting is None:
                return _err(122002)
            if meeting.foreign_tenant:
                return _err(121005)
            # lark-oapi sends Python's spelling ("True"); read it case-insensitively (GUESS: as Feishu does)
            with_p = request.query_params.get("with_participants", "false").lower() == "true"
            out = meeting.as_json(with_p)
        out["host_user"]["id"] = self.from_open_id(kind, meeting.host[0])
        for p in out.get("participants", []):
            p["id"] = self.from_open_id(kind, p["id"])
        return JSONResponse({"code": 0, "msg": "success", "data": {"meeting": out}})

    async def _set_host(self, request: Request, body: Any) -> Response:
        from bot.sandbox.feishu.host import set_host  # kept in its own module: see its docstring

        return set_host(self, request, body)

    # ---- user_id_type: which of a user's ids a request and its answer speak ------------------------
    def id_type(self, request: Request) -> str | Response:
        """The request's user_id_type (default open_id); anything else is refused (99992402)."""
        kind = request.query_params.get("user_id_type", "open_id")
        if kind not in ID_TYPES:
            return error_json(400, {"code": 99992402, "msg": "field validation failed",
                                    "error": {"field_violations": [{"field": "user_id_type"}]}})
        return kind

    def to_open_id(self, kind: str, raw: str) -> str:
        """The open_id of the user that `raw` names as a `kind` id; `raw` itself when no user has it
        (Rooms devices and the like are known by their id alone; a wrong kind then matches nobody)."""
        if kind == "open_id":
            return raw
        with self.lock:
            user = next((u for u in self.users.values() if getattr(u, kind) == raw), None)
        return user.open_id if user else f"unknown:{raw}"

    def from_open_id(self, kind: str, open_id: str) -> str:
        with self.lock:
            user = self.users.get(open_id)
        return getattr(user, kind) if user is not None else open_id

    def admit_change(self, request: Request, *, user_token_only: bool = False
                     ) -> tuple[tuple[str, str], str] | Response:
        """The checks set_host and invite share, in this order: the caller's token ((kind, who)), for invite
        a user token only (99991668), the user_id_type, a JSON body, the app's rate. ((kind, who), id type)
        when all pass, else the refusal."""
        op = self._operator(request)
        if isinstance(op, Response):
            return op
        if user_token_only and op[0] != "user":
            return error_json(400, {"code": 99991668, "msg": "this API accepts a user_access_token only"})
        kind = self.id_type(request)
        if isinstance(kind, Response):
            return kind
        refused = self.json_only(request) or self.limited()
        return refused if refused is not None else (op, kind)

    @staticmethod
    def json_only(request: Request) -> Response | None:
        """set_host and invite require "Content-Type: application/json; charset=utf-8" (both docs: a
        fixed value). GUESS: how Feishu refuses another type (400 with field-validation code 99992402)."""
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return error_json(400, {"code": 99992402, "msg": "field validation failed: Content-Type must be "
                                    "application/json; charset=utf-8"})
        return None

    def limited(self) -> Response | None:
        """429 with 99991400 when this app is over set_host / invite's documented 50/s or 1000/min."""
        wait = self.rate.admit()
        if wait is None:
            return None
        return error_json(429, {"code": RATE_LIMIT_CODE, "msg": "request trigger frequency limit",
                                "error": {"log_id": secrets.token_hex(8)}},
                          headers={"x-ogw-ratelimit-limit": str(self.rate.windows[0][0]),
                                   "x-ogw-ratelimit-reset": str(max(1, math.ceil(wait)))})
