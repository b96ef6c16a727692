"""Fake Webex Meetings API (webexapis.com/v1, mounted under /webex/v1): meetings and reassignHost.

Written from vendor-docs/webex-reassign-host.md, vendor-notes.md §D and the OpenAPI subset in
vendor-oracles/webex. State: users (host privilege, calling, session types, licences, the sites
they may host on), meeting series on two sites (host, state, what they need from a host, whether
a third-party integration scheduled them). Reachable from state (D = documented, G = GUESS):

    401  no or unknown bearer token (D: general Webex codes)
    415  reassignHost body not sent as application/json (D: the response-code list has 415;
         G: that this endpoint checks it)
    400  body is not {hostEmail, meetingIds[1..100]} (D), or the same id twice (G)
    403  the token is a non-admin user's: Webex's generic 403 body "missing required scopes ... or
         roles" (G: the wording); hostEmail is not a Webex user allowed to host on the site (D)
    204  every meeting moved; 207 items otherwise, per meeting (D):
           404 not found, or on another site than the siteUrl header (or the preferred site)
           400 not a series id (scheduled meeting / instance), in progress, TC/EC1.0/SC,
               created on behalf of somebody, scheduled from Outlook / Google (G: the wording)
           403 the new host lacks calling/callback, the session type, or the MC / Webinar licence
    429 / 423 with Retry-After, 5xx: faults ("webex.reassign"); an answer lost after the change
    was made: Fault(after=True) (sandbox/base.py)
`httpstatus_as` chooses how 207 items spell httpStatus: "string" (the schema) or "number" (its example).
GET /meetings/{id} answers a series, or an instance ("<series>_<start>", D: meeting types) with
its `meetingSeriesId`. GET /meetingPreferences/sites lists the admin's sites (D: Get Site List).
GET /people/me answers who the token belongs to (the site admin): `hostbot doctor` checks the token with it.
Lists are paginated with `Link: <…>; rel="next"`, `max` per page.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.base import FakeBase, error_json

PREFIX = "/webex/v1"
SITE = "hostbot-demo.webex.com"
OTHER_SITE = "hostbot-emea.webex.com"  # a second site of the same admin
IN_PROGRESS, ACTIVE, ENDED = "inProgress", "active", "ended"
NOT_FOUND = "The meeting is not found."
# Webex's generic 403 (G: wording from its general error text; no body is specified for this endpoint)
NOT_ADMIN = ("The server understood the request, but refused to fulfill it because the access token is missing "
             "required scopes or the user is missing required roles or licenses.")


@dataclass
class WebexUser:
    email: str
    name: str
    can_host: bool = True
    calling: bool = True
    session_types: set[str] = field(default_factory=lambda: {"Meeting Center"})
    licenses: set[str] = field(default_factory=lambda: {"MC"})
    sites: set[str] = field(default_factory=lambda: {SITE, OTHER_SITE})  # where they may host


@dataclass
class WebexMeeting:
    id: str  # 32 hex: a meeting series
    number: str
    title: str
    host_email: str
    state: str = ACTIVE
    site: str = SITE
    needs_calling: bool = False
    session_type: str = "Meeting Center"
    license: str = "MC"  # "MC" or "Webinar"
    legacy_type: str = ""  # "TC" / "EC1.0" / "SC": cannot be reassigned
    on_behalf: bool = False  # created on somebody's behalf: cannot be reassigned
    integration: str = ""  # "Outlook" / "Google": scheduled by a third-party integration, cannot be reassigned


def _json_only(request: Request) -> Response | None:
    """415 unless the body is declared JSON (the POST endpoints take application/json only)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        text = "The request was made to a resource without specifying a media type or used a media type " \
               "that is not supported."
        return _error(415, "Unsupported Media Type", text)
    return None


def _error(status: int, message: str, description: str) -> JSONResponse:
    return error_json(status, {"message": message, "errors": [{"description": description}],
                               "trackingId": f"ROUTER_{secrets.token_hex(8).upper()}"})


class WebexFake(FakeBase):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lock = threading.RLock()
        self.token = f"webex-admin-{secrets.token_urlsafe(18)}"
        self.user_token = f"webex-user-{secrets.token_urlsafe(18)}"  # a valid token of a non-admin user
        self.site = SITE
        self.sites = [SITE, OTHER_SITE]
        self.users: dict[str, WebexUser] = {}  # lower-case email -> user
        self.meetings: dict[str, WebexMeeting] = {}
        self.httpstatus_as = "string"
        self.admin = WebexUser(email="webex-admin@example.com", name="hostbot admin")  # whose token `token` is

    # ---- state helpers ---------------------------------------------------------------------
    def add_user(self, name: str, email: str = "", **kw: Any) -> WebexUser:
        user = WebexUser(email=email or f"{name.lower()}@example.com", name=name, **kw)
        with self.lock:
            self.users[user.email.lower()] = user
        return user

    def add_meeting(self, host: WebexUser, title: str = "Team sync", **kw: Any) -> WebexMeeting:
        meeting = WebexMeeting(id=secrets.token_hex(16), number=str(2_000_000_000 + secrets.randbelow(10**9)),
                               title=title, host_email=host.email, **kw)
        with self.lock:
            self.meetings[meeting.id] = meeting
        return meeting

    def meetings_of(self, email: str) -> list[WebexMeeting]:
        with self.lock:
            return [m for m in self.meetings.values() if m.host_email.lower() == email.lower()]

    # ---- routes ------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route(f"{PREFIX}/meetings/reassignHost", self.endpoint("webex.reassign", self._reassign),
                  methods=["POST"]),
            Route(f"{PREFIX}/meetings", self.endpoint("webex.list_meetings", self._list), methods=["GET"]),
            Route(f"{PREFIX}/meetings/{{meeting_id}}", self.endpoint("webex.get_meeting", self._get),
                  methods=["GET"]),
            Route(f"{PREFIX}/people/me", self.endpoint("webex.people_me", self._me), methods=["GET"]),
            Route(f"{PREFIX}/meetingPreferences/sites", self.endpoint("webex.sites", self._sites), methods=["GET"]),
        ]

    async def _sites(self, request: Request, body: Any) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        return JSONResponse({"sites": [{"siteUrl": s, "default": s == self.site} for s in self.sites]})

    async def _me(self, request: Request, body: Any) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        return JSONResponse({"id": f"Y2lzY29zcGFyazovL3VzL1BFT1BMRS8{secrets.token_hex(8)}",
                             "emails": [self.admin.email], "displayName": self.admin.name, "type": "person",
                             "siteUrls": [f"{self.site}#meetings"]})

    def _authorized(self, request: Request) -> Response | None:
        if request.headers.get("authorization", "") not in (f"Bearer {self.token}", f"Bearer {self.user_token}"):
            text = "The request requires a valid access token set in the Authorization request header."
            return _error(401, text, text)
        return None

    def _json(self, m: WebexMeeting) -> dict[str, Any]:
        host = self.users.get(m.host_email.lower())
        return {"id": m.id, "meetingNumber": m.number, "title": m.title, "meetingType": "meetingSeries",
                "state": m.state, "hostEmail": m.host_email, "hostDisplayName": host.name if host else "",
                "siteUrl": m.site, "webLink": f"https://{m.site}/{m.site.split('.')[0]}/j.php?MTID=m{m.id}",
                "timezone": "UTC"}

    async def _get(self, request: Request, body: Any) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        wanted = request.path_params["meeting_id"]
        series, _, start = wanted.partition("_")  # "<series>_<start>" names one instance of a series
        with self.lock:
            m = self.meetings.get(series)
            if m is None:
                return _error(404, "The requested resource could not be found.", NOT_FOUND)
            out = self._json(m)
        if start:
            out.update({"id": wanted, "meetingSeriesId": m.id, "meetingType": "meetingInstance",
                        "state": ENDED if m.state == ENDED else m.state})
        return JSONResponse(out)

    async def _list(self, request: Request, body: Any) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        q = request.query_params
        if q.get("meetingType") == "meeting" and not q.get("meetingNumber"):
            return self._instances(q)
        # With meetingNumber, meetingType is ignored (the List Meetings doc); only series live here.
        if not q.get("meetingNumber") and q.get("meetingType", "meetingSeries") != "meetingSeries":
            return JSONResponse({"items": []})  # only series live here
        try:
            size = max(1, min(100, int(q.get("max", "10"))))
            offset = max(0, int(q.get("offset", "0")))
        except ValueError:
            return _error(400, "The request was invalid.", "max and offset must be numbers")
        with self.lock:
            found = [m for m in self.meetings.values()
                     if (not q.get("hostEmail") or m.host_email.lower() == q["hostEmail"].lower())
                     and (not q.get("meetingNumber") or m.number == q["meetingNumber"])
                     and m.site == (q.get("siteUrl") or self.site)]
            page = [self._json(m) for m in found[offset:offset + size]]
        headers = {}
        if offset + size < len(found):
            params = {k: v for k, v in q.items() if k != "offset"}
            query = urlencode({**params, "offset": str(offset + size)})
            headers["Link"] = f'<{request.url.scheme}://{request.url.netloc}{request.url.path}?{query}>; rel="next"'
        return JSONResponse({"items": page}, headers=headers)

    def _instances(self, q: Any) -> Response:
        """meetingType=meeting: the meeting instances (ended or running) of the series here; `state`
        filters them (D: List Meetings' state filter). GUESS: the instance id "<series>_<start>" and
        that only the running one of a series in progress is listed (ended instances are not modelled)."""
        state = q.get("state", "")
        if state and state not in ("inProgress", "ended", "missed", "expired", "scheduled", "ready", "lobby"):
            return _error(400, "The request was invalid.", f"state {state!r} is not a meeting state")
        with self.lock:
            found = [m for m in self.meetings.values()
                     if m.state == IN_PROGRESS and (not state or state == IN_PROGRESS)
                     and (not q.get("hostEmail") or m.host_email.lower() == q["hostEmail"].lower())
                     and m.site == (q.get("siteUrl") or self.site)]
            items = [{**self._json(m), "id": f"{m.id}_20260101T090000Z", "meetingSeriesId": m.id,
                      "meetingType": "meeting", "state": IN_PROGRESS} for m in found]
        return JSONResponse({"items": items})

    async def _reassign(self, request: Request, body: Any) -> Response:
        refused = self._authorized(request) or self._admin_only(request) or _json_only(request)
        if refused is not None:
            return refused
        ids = body.get("meetingIds") if isinstance(body, dict) else None
        email = body.get("hostEmail") if isinstance(body, dict) else None
        if not isinstance(email, str) or not email or not isinstance(ids, list) or not 1 <= len(ids) <= 100 \
                or not all(isinstance(i, str) for i in ids):
            return _error(400, "The request was invalid or cannot be otherwise served.",
                          "hostEmail is required and meetingIds must hold 1 to 100 meeting series ids.")
        if len(set(ids)) != len(ids):  # GUESS: Webex's exact answer to a repeated id is not documented
            return _error(400, "The request was invalid or cannot be otherwise served.",
                          "meetingIds must not contain the same meeting twice.")
        site = request.headers.get("siteurl") or self.site
        with self.lock:
            host = self.users.get(email.lower())
            if host is None or not host.can_host or site not in host.sites:
                return _error(403, "The request is understood, but it has been refused or access is not allowed.",
                              f"{email} is not qualified to be a host of site {site}.")
            items = [self._reassign_one(mid, host, site) for mid in ids]
        if all(i["httpStatus"] == 200 for i in items):
            return Response(status_code=204)
        if self.httpstatus_as == "string":
            items = [{**i, "httpStatus": str(i["httpStatus"])} for i in items]
        return JSONResponse({"items": items}, status_code=207, media_type="application/json;charset=UTF-8")

    def _admin_only(self, request: Request) -> Response | None:
        if request.headers.get("authorization", "") == f"Bearer {self.user_token}":
            return _error(403, NOT_ADMIN, NOT_ADMIN)
        return None

    def _reassign_one(self, mid: str, host: WebexUser, site: str) -> dict[str, Any]:
        def fail(status: int, description: str) -> dict[str, Any]:
            message = {404: "The requested resource could not be found.",
                       403: "Access to the requested resource is not allowed."}.get(status, "The request was invalid.")
            return {"meetingId": mid, "httpStatus": status, "message": message,
                    "errors": [{"description": description}]}

        m = self.meetings.get(mid.split("_", 1)[0])
        if m is None or m.site != site:
            return fail(404, NOT_FOUND)
        if "_" in mid:
            return fail(400, "Only IDs of meeting series are supported.")
        if m.state == IN_PROGRESS:
            return fail(400, "Cannot reassign an in-progress meeting.")
        if m.legacy_type:
            return fail(400, f"Cannot reassign a {m.legacy_type} meeting.")
        if m.on_behalf:
            return fail(400, "Cannot reassign a meeting that was created on behalf of another user.")
        if m.integration:  # D: the limitation; G: the wording
            return fail(400, f"Cannot reassign a meeting scheduled by a third-party integration ({m.integration}).")
        if m.needs_calling and not host.calling:
            return fail(403, "The new host does not have calling/callback privileges.")
        if m.session_type not in host.session_types:
            return fail(403, f"The new host does not have the session type privilege: {m.session_type}.")
        if m.license not in host.licenses:
            return fail(403, f"The new host does not have a {m.license} license.")
        m.host_email = host.email
        return {"meetingId": mid, "httpStatus": 200}
