"""Zoom meetings over httpx with a Server-to-Server OAuth app (vendor-notes §E).

Vendor quirks handled here:
- Token: POST ZOOM_OAUTH_URL, Basic auth (client id:secret), form grant_type=account_credentials
  &account_id=… -> {access_token, expires_in: 3600}; no refresh token, several may be valid at
  once. Cached until shortly before expires_in; fetched again once when Zoom answers 401 / code 124.
- Host change: PATCH /meetings/{id} {"schedule_for": email} -> 204. Code 3000 carries several
  answers told apart only by the message. "You cannot schedule a meeting for X" (devforum 88501 /
  129457, vendor-docs/zoom-change-host-forum-thread.md) means: the user the meeting was *created
  under* (the {userId} of POST /users/{userId}/meetings, whoever calls the API) must be an
  assistant of the new host (the new host gives them scheduling privilege), and both must be
  licensed. The reply names that user: GET meeting tells it as `assistant_id` (the scheduler),
  else it is the host itself. A scheduler is the meeting's organizer, whom the policy lets act — except
  the app's own user (GET /users/me with the app's token; what it answers for a Server-to-Server app is
  UNCONFIRMED): meetings created through the API are created under it, and whoever reads that mailbox
  must not run every one of them. While /users/me cannot be read, no scheduler counts (only the host).
- After a 3000 refusal of schedule_for ("cannot schedule for", an instant meeting), the Outcome says
  `cohost_instead`: making the person an alternative host needs nobody's privilege, and
  the handler offers it as a button (as for DingTalk). The remedy speaks to the requester first and
  sets the admin's part apart.
- Co-hosts are `settings.alternative_hosts`, one string of emails or user ids. The separator: the
  archived OpenAPI (vendor-oracles/zoom, 2021) says "separated by comma"; vendor-notes §E (the zoom/api
  meeting object) and today's reference say semicolon. We write ";" and read both. Zoom has no
  compare-and-swap: we read the list, add or remove, and write the whole list back, never dropping
  anyone we did not mean to.
- PATCH is never repeated blindly (bot/vendors/calls.py): after a 5xx, a timeout or a dropped
  connection the meeting is read back; a host or list that already is what we asked for is done,
  otherwise the PATCH is sent once more.
- Zoom changes scheduled meetings (and refuses started ones): `host_change_needs_running` is False.
- Rates are per account and plan, by label (Light 30/s, Medium 20/s, Heavy 10/s on Pro, third-party
  figures; the label of PATCH meeting is UNCONFIRMED): we keep to the Heavy 10/s and honour 429s.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import httpx

from bot.core.model.outcome import Kind, Outcome, VendorUser
from bot.core.model.vendor import Meeting, MeetingRef, MeetingVendor, plain_number
from bot.vendors.calls import answer_lost
from bot.vendors.http import RetryPolicy, Sleep, TokenCache, VendorHTTP, json_body, rate_limited

RATE_WINDOWS = ((10, 1.0),)
INVALID_TOKEN = 124
# code 3000 answers, by the start of the message (vendor-notes §E)
CODE_3000: tuple[tuple[str, Kind, str, str], ...] = (
    ("you cannot schedule a meeting for", Kind.DENIED, "zoom_cannot_schedule_for",
     "remedy_zoom_scheduling_privilege"),
    ("cannot access meeting information", Kind.DENIED, "zoom_cannot_access", "remedy_zoom_app_scopes"),
    ("instant meetings do not support schedule_for", Kind.INVALID, "zoom_instant_meeting",
     "remedy_zoom_cohost_instead"),
    ("you cannot update or delete meetings that have started", Kind.INVALID, "zoom_meeting_started",
     "remedy_zoom_in_meeting"),
)
CODES: dict[int, tuple[Kind, str, str]] = {
    3001: (Kind.NOT_FOUND, "zoom_meeting_not_found", "remedy_check_meeting"),
    1001: (Kind.NOT_FOUND, "zoom_user_not_found", "remedy_check_zoom_email"),
    3003: (Kind.DENIED, "zoom_not_meeting_host", "remedy_zoom_app_scopes"),
    3161: (Kind.DENIED, "zoom_hosting_not_allowed", "remedy_zoom_license"),
}
INVALID_FIELD = 300  # "invalid schedule_for", or "Validation Failed." with errors[{field, message}]
COHOST_INSTEAD = {"zoom_cannot_schedule_for", "zoom_instant_meeting"}  # refusals an alternative host avoids
ENDED = {"finished", "ended"}  # UNCONFIRMED: the archived spec names no status for a meeting that is over
SEPARATOR = ";"


class ZoomVendor(MeetingVendor):
    key = "zoom"
    operations = frozenset({"set_host", "add_cohost", "remove_cohost", "who_is_host"})
    reports_cohosts = True  # who_is_host lists settings.alternative_hosts

    def __init__(self, account_id: str, client_id: str, client_secret: str,
                 api_base: str = "https://api.zoom.us/v2", oauth_url: str = "https://zoom.us/oauth/token", *,
                 transport: httpx.AsyncBaseTransport | None = None, sleep: Sleep = asyncio.sleep,
                 retry: RetryPolicy | None = None) -> None:
        self.account_id, self.client_id, self._secret = account_id, client_id, client_secret
        self.oauth_url = oauth_url
        self.http = VendorHTTP(self.key, api_base, transport=transport, sleep=sleep, windows=RATE_WINDOWS,
                               retry=retry)
        self.tokens = TokenCache(self._fetch_token, margin=60.0)
        self._emails: dict[str, str] = {}  # user id -> email: a user's email seldom changes
        self._schedulers: dict[str, str] = {}  # meeting id -> the user it was created under (the 3000 remedy)
        self._me: frozenset[str] | None = None  # the app's own user: id and email, lower case (None: unknown)

    # ---- meetings --------------------------------------------------------------------------
    def display_ref(self, ref_id: str) -> str:
        return zoom_digits(plain_number(ref_id))

    def claims(self, ref: MeetingRef) -> bool:
        if ref.vendor is not None:
            return ref.vendor == self.key and ref.id.isdigit() and 9 <= len(ref.id) <= 11
        # Zoom ids issued today have 10 or 11 digits; a bare 9-digit number is left to Feishu
        # (its meeting numbers have 9) unless Zoom is named: "zoom meeting 123456789".
        return ref.id.isdigit() and len(ref.id) in (10, 11)

    async def find_meeting(self, ref: MeetingRef) -> Meeting | Outcome:
        got = await self._get_meeting(plain_number(ref.id))
        if isinstance(got, Outcome):
            return got
        return await self._to_meeting(got, plain_number(ref.id))

    async def _to_meeting(self, got: dict[str, Any], asked: str) -> Meeting:
        host_email = str(got.get("host_email") or "")
        if not host_email and got.get("host_id"):  # the archived API returned host_id only
            host_email = await self._email_of(str(got["host_id"])) or str(got["host_id"])
        host = VendorUser(host_email) if host_email else None
        number = str(got.get("id") or asked)
        organizer = host
        if got.get("assistant_id"):  # scheduled on the host's behalf: created under the scheduler
            scheduler = await self._email_of(str(got["assistant_id"]))
            self._schedulers[number] = scheduler
            # The scheduler runs the meeting with the host, unless it is this app's own user: every meeting
            # created through the API is created under it, and whoever reads that mailbox is nobody's host.
            if scheduler and await self._a_person(str(got["assistant_id"]), scheduler):
                organizer = VendorUser(scheduler)
        return Meeting(vendor=self.key, id=number, display=zoom_digits(number), topic=str(got.get("topic") or ""),
                       host=host, in_progress=got.get("status") == "started", organizer=organizer,
                       ended=got.get("status") in ENDED)

    async def _a_person(self, user_id: str, email: str) -> bool:
        """Is this scheduler somebody other than the app's own user (GET /users/me with the app's token)?
        While that cannot be read, no scheduler counts: only the host runs the meeting (never too much)."""
        if self._me is None:
            resp = await self._send("GET", "/users/me", op="zoom.get_user")
            body = json_body(resp) if not isinstance(resp, Outcome) else {}
            own = frozenset(str(body.get(k) or "").lower() for k in ("id", "email")) - {""}
            self._me = own or None
        return self._me is not None and not ({user_id.lower(), email.lower()} & self._me)

    async def running_meetings(self, host: VendorUser) -> list[str] | Outcome:
        """List meetings of the user (their id or email) with type=live: the meetings running now
        (archived OpenAPI, GET /users/{userId}/meetings; page_size ≤ 300: one page is plenty)."""
        resp = await self._send("GET", f"/users/{host.id}/meetings", op="zoom.list_meetings",
                                params={"type": "live", "page_size": "300"})
        if isinstance(resp, Outcome):
            return resp
        meetings = json_body(resp).get("meetings")
        return [str(m["id"]) for m in meetings if isinstance(m, dict) and str(m.get("id", "")).isdigit()] \
            if isinstance(meetings, list) else []

    async def who_is_host(self, meeting: Meeting) -> Outcome:
        got = await self._get_meeting(meeting.id)
        if isinstance(got, Outcome):
            return got
        found = await self._to_meeting(got, meeting.id)
        scheduler = self._schedulers.get(found.id, "") if got.get("assistant_id") else ""
        apart = bool(scheduler) and found.host is not None and scheduler.lower() != found.host.id.lower()
        return Outcome.success(current_host=found.host, cohosts=tuple(_alt_hosts(got)), ended=found.ended,
                               organizer=scheduler if apart else "")

    # ---- host and co-hosts ----------------------------------------------------------------------
    async def set_host(self, meeting: Meeting, target: VendorUser, expected_host: VendorUser | None) -> Outcome:
        def moved(got: dict[str, Any]) -> bool:
            return str(got.get("host_email") or "").lower() == target.id.lower() or got.get("host_id") == target.id

        outcome = await self._patch(meeting.id, {"schedule_for": target.id}, moved)
        if outcome.ok:
            return replace(outcome, current_host=target)
        # cohost_instead: the handler offers "add as co-host (alternative host) instead".
        # organizer: the remedy names the user whose scheduling privilege counts (see the module docstring).
        scheduler = self._schedulers.get(meeting.id) or (meeting.organizer.id if meeting.organizer else "")
        organizer = scheduler if outcome.reason == "zoom_cannot_schedule_for" else ""
        return replace(outcome, cohost_instead=outcome.reason in COHOST_INSTEAD, organizer=organizer)

    async def add_cohost(self, meeting: Meeting, users: Sequence[VendorUser]) -> Outcome:
        got = await self._get_meeting(meeting.id)
        if isinstance(got, Outcome):
            return got
        current = _alt_hosts(got)
        have = {e.lower() for e in current}
        new = [u.id for u in users if u.id.lower() not in have]
        if not new:
            return Outcome.success(unchanged=True, cohosts=tuple(current))
        return await self._write_alt_hosts(meeting.id, current + list(dict.fromkeys(new)))

    async def remove_cohost(self, meeting: Meeting, users: Sequence[VendorUser]) -> Outcome:
        got = await self._get_meeting(meeting.id)
        if isinstance(got, Outcome):
            return got
        current = _alt_hosts(got)
        drop = {u.id.lower() for u in users}
        kept = [e for e in current if e.lower() not in drop]
        if len(kept) == len(current):
            return Outcome.success(unchanged=True, cohosts=tuple(current))
        return await self._write_alt_hosts(meeting.id, kept)

    async def _write_alt_hosts(self, meeting_id: str, wanted: list[str]) -> Outcome:
        def done(got: dict[str, Any]) -> bool:
            return [e.lower() for e in _alt_hosts(got)] == [e.lower() for e in wanted]

        outcome = await self._patch(meeting_id, {"settings": {"alternative_hosts": SEPARATOR.join(wanted)}}, done)
        return replace(outcome, cohosts=tuple(wanted)) if outcome.ok else outcome

    # ---- plumbing ---------------------------------------------------------------------------
    async def _get_meeting(self, meeting_id: str) -> dict[str, Any] | Outcome:
        resp = await self._send("GET", f"/meetings/{meeting_id}", op="zoom.get_meeting")
        if isinstance(resp, Outcome):
            return resp
        got = json_body(resp)
        # A 200 of another shape than the API's (a proxy, a vendor bug): nothing in it can be acted on.
        if not str(got.get("id", "")).isdigit() or not isinstance(got.get("host_email", ""), str) \
                or not isinstance(got.get("settings") or {}, dict):
            return Outcome.unavailable(remedy="remedy_retry_later", detail="unexpected response")
        return got

    async def _email_of(self, user_id: str) -> str:
        if user_id not in self._emails:
            resp = await self._send("GET", f"/users/{user_id}", op="zoom.get_user")
            if isinstance(resp, Outcome):
                return ""
            self._emails[user_id] = str(json_body(resp).get("email") or "")
        return self._emails[user_id]

    async def _patch(self, meeting_id: str, body: dict[str, Any], done: Callable[[dict[str, Any]], bool]) -> Outcome:
        """PATCH the meeting; when the answer is lost, read it back (`done` tells whether the change is
        there) and send it once more only if it is not (bot/vendors/calls.py)."""
        resp = await self._send("PATCH", f"/meetings/{meeting_id}", op="zoom.update_meeting", json=body)
        if not isinstance(resp, Outcome):
            return Outcome.success()
        if resp.kind is not Kind.UNKNOWN:
            return resp
        for attempt in (0, 1):
            got = await self._get_meeting(meeting_id)
            if isinstance(got, Outcome):  # cannot read it back: whether it happened is unknown
                return replace(resp, answer_lost=True)
            resent = (meeting_id,) if attempt else ()
            if done(got):  # http_status: a 5xx is the vendor's error, not a lost answer (handlers/common.py)
                return Outcome.success(answer_lost=True, resent=resent, http_status=resp.http_status)
            if attempt:  # read back twice: the change did not happen and Zoom keeps failing
                return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=resp.vendor_code,
                                           detail=resp.detail, answer_lost=True, resent=resent)
            again = await self._send("PATCH", f"/meetings/{meeting_id}", op="zoom.update_meeting", json=body)
            if not isinstance(again, Outcome):
                return Outcome.success(answer_lost=True, resent=(meeting_id,), http_status=resp.http_status)
            if again.kind is not Kind.UNKNOWN:
                return replace(again, answer_lost=True, resent=(meeting_id,), http_status=resp.http_status)
            resp = again
        raise AssertionError("unreachable")

    async def _fetch_token(self) -> tuple[str, float] | Outcome:
        resp = await self.http.request(
            "POST", self.oauth_url, op="zoom.token", auth=(self.client_id, self._secret),
            data={"grant_type": "account_credentials", "account_id": self.account_id})
        if isinstance(resp, Outcome):
            return resp
        body = json_body(resp)
        if resp.status_code == 200 and body.get("access_token"):
            return str(body["access_token"]), float(body.get("expires_in") or 3600)
        if resp.status_code >= 500 or resp.status_code == 429:
            return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=str(resp.status_code))
        return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_zoom_credentials",
                       vendor_code=str(body.get("error") or resp.status_code),
                       detail=str(body.get("reason") or body.get("error_description") or ""))

    async def _send(self, method: str, path: str, *, op: str, **kwargs: Any) -> httpx.Response | Outcome:
        """One API call with the account token: a 2xx response, or the Outcome of Zoom's error."""
        for attempt in (0, 1):
            token = await self.tokens.get(refresh=attempt == 1)
            if isinstance(token, Outcome):
                return token
            resp = await self.http.request(method, path, op=op, headers={"Authorization": f"Bearer {token}"},
                                           **kwargs)
            if isinstance(resp, Outcome) or resp.is_success:
                return resp
            if method == "PATCH" and answer_lost(resp.status_code):  # a change: maybe done, answer lost
                body = json_body(resp)
                return Outcome.unknown(vendor_code=str(body.get("code") or resp.status_code),
                                       detail=str(body.get("message") or ""), http_status=resp.status_code)
            if attempt == 0 and (resp.status_code == 401 or json_body(resp).get("code") == INVALID_TOKEN):
                continue
            return _outcome_for_error(resp)
        return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_zoom_credentials")


def zoom_digits(number: str) -> str:
    """A meeting id the way Zoom prints it: 850 1234 5678, 123 456 7890, 123 456 789."""
    if not number.isdigit() or not 9 <= len(number) <= 11:
        return number
    first, rest = number[:3], number[3:]
    half = len(rest) // 2
    return f"{first} {rest[:half]} {rest[half:]}"


def _alt_hosts(meeting: dict[str, Any]) -> list[str]:
    raw = str((meeting.get("settings") or {}).get("alternative_hosts") or "")
    return [e.strip() for e in re.split(r"[;,]", raw) if e.strip()]


def _outcome_for_error(resp: httpx.Response) -> Outcome:
    body = json_body(resp)
    try:
        code = int(body.get("code") or 0)
    except (TypeError, ValueError):
        code = 0
    message = str(body.get("message") or "")
    fields = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in body.get("errors") or [] if isinstance(e, dict))
    detail = f"{message} {fields}".strip()
    status = resp.status_code
    if status == 429:
        return rate_limited(resp, str(code or status))
    if code == 3000:
        for prefix, kind, reason, remedy in CODE_3000:
            if message.lower().startswith(prefix):
                return Outcome(kind, reason=reason, remedy=remedy, vendor_code="3000", detail=message)
    if code in CODES:
        kind, reason, remedy = CODES[code]
        return Outcome(kind, reason=reason, remedy=remedy, vendor_code=str(code), detail=message)
    if code == INVALID_FIELD:
        if "schedule_for" in message.lower():
            return Outcome(Kind.INVALID, reason="zoom_invalid_schedule_for", remedy="remedy_check_zoom_email",
                           vendor_code="300", detail=message)
        return Outcome(Kind.INVALID, reason="param_error", remedy="remedy_report_bug", vendor_code="300", detail=detail)
    if status == 401 or code == INVALID_TOKEN:
        return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_zoom_credentials",
                       vendor_code=str(code or status), detail=message)
    if status >= 500:
        return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=str(code or status), detail=message)
    return Outcome(Kind.INVALID, reason="vendor_error_unknown", remedy="remedy_report_bug",
                   vendor_code=str(code or status), detail=detail)
