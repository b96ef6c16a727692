"""Feishu VC through lark-oapi's async API: meeting lookup and set_host with CAS.

Vendor quirks handled here (vendor-notes §A):
- lark-oapi fetches tenant tokens synchronously (requests) and caches them process-wide by app_id.
  We fetch the token ourselves through the SDK's async `ainternal` call, cache it per vendor
  instance, and hand it to each call with `enable_set_token` so nothing blocks the event loop.
- The SDK parses the JSON body whatever the HTTP status is; a non-JSON body (an HTML 502) raises
  ValueError; transport failures raise httpx errors. All of those become Outcomes here.
- A 9-digit meeting number is reused over time: list_by_no needs a time window.
- invite takes only a user_access_token (the SDK declares it USER-only and the doc agrees): it runs
  with the requester's own token from the store, at most 10 invitees per call, and the per-invitee
  `status` (1 invited, 2 failed) of every call is merged into one OK / PARTIAL outcome.
- Both calls are limited to 50/s and 1000/min (doc); a 429 is waited out when the vendor asks for
  at most a few seconds. GETs are repeated after a 5xx or a timeout; set_host and invite are not
  (a repeated set_host would meet its own CAS, a repeated invite would ring people twice).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol, TypeVar

import httpx
import lark_oapi as lark
from lark_oapi.api.vc.v1 import (
    GetMeetingRequest,
    InviteMeetingRequest,
    InviteMeetingRequestBody,
    ListByNoMeetingRequest,
    MeetingUser,
    SetHostMeetingRequest,
    SetHostMeetingRequestBody,
)
from lark_oapi.core.exception import UnmarshalException

from bot.core.logs import event
from bot.core.outcome import ItemResult, Kind, Outcome, VendorUser
from bot.core.vendor import ChunkDone, Meeting, MeetingRef, MeetingVendor, group_digits
from bot.store import UserToken
from bot.vendors.base import chunked
from bot.vendors.feishu_auth import TOKEN_INVALID, FeishuAuth, build_client
from bot.vendors.http import RateLimiter, RetryPolicy, Sleep

log = logging.getLogger(__name__)

R = TypeVar("R")

# code -> (kind, reason key, remedy key); 121006 (CAS conflict) is handled on its own.
ERROR_TABLE: dict[int, tuple[Kind, str, str]] = {
    121001: (Kind.UNAVAILABLE, "vendor_unavailable", "remedy_retry_later"),
    121002: (Kind.INVALID, "not_supported", "remedy_change_in_client"),
    121003: (Kind.INVALID, "param_error", "remedy_report_bug"),
    121005: (Kind.DENIED, "no_permission", "remedy_feishu_permission"),
    122001: (Kind.INVALID, "meeting_not_in_progress", "remedy_start_meeting"),
    122002: (Kind.NOT_FOUND, "meeting_not_found", "remedy_check_meeting"),
    122003: (Kind.DENIED, "operator_not_in_meeting", "remedy_join_meeting"),
    122004: (Kind.INVALID, "target_not_in_meeting", "remedy_target_join"),
    122005: (Kind.INVALID, "cannot_operate_self", "remedy_other_person"),
    122009: (Kind.INVALID, "participant_status", "remedy_wait_and_retry"),
}
# invite's own codes (vendor-docs/feishu-vc-invite.md); the rest of its list is ERROR_TABLE's.
INVITE_ERRORS: dict[int, tuple[Kind, str, str]] = {
    122006: (Kind.INVALID, "invite_limit_reached", "remedy_invite_limit"),
    122007: (Kind.INVALID, "invite_callee_busy", "remedy_invite_busy"),
    122008: (Kind.DENIED, "meeting_locked", "remedy_unlock_meeting"),
}
CALLEE_BUSY = 122007  # concerns the invitees of one call: later chunks are still tried
CAS_CONFLICT = 121006
# A user_access_token Feishu refuses: invalid (99991668) or expired (99991677). The exact codes for
# a user token are UNCONFIRMED (vendor-notes §A); any token code sends the user to re-authorize.
USER_TOKEN_REJECTED = TOKEN_INVALID | {99991677}
RATE_LIMIT_CODE = 99991400
IN_PROGRESS = 2
NUMBER_WINDOW_S = 24 * 3600  # list_by_no looks back this far for a meeting number
INVITE_MAX = 10  # "一次性最多支持邀请10人"
RATE_WINDOWS = ((50, 1.0), (1000, 60.0))  # set_host / invite: 50/s and 1000/min
INVITE_OK, INVITE_FAILED = 1, 2


class UserTokens(Protocol):
    """Where user tokens come from (the Store; the Feishu OAuth flow puts them there)."""

    def user_token(self, vendor: str, subject: str) -> UserToken | None: ...


class FeishuVendor(MeetingVendor):
    key = "feishu"
    operations = frozenset({"set_host", "invite", "who_is_host"})

    def __init__(self, app_id: str, app_secret: str, domain: str, timeout: float = 10.0,
                 clock: Callable[[], float] = time.time, user_tokens: UserTokens | None = None,
                 sleep: Sleep = asyncio.sleep, retry: RetryPolicy | None = None,
                 auth: FeishuAuth | None = None) -> None:
        self.app_id = app_id
        self.clock = clock
        self.user_tokens = user_tokens
        self.limiter = RateLimiter(RATE_WINDOWS, sleep=sleep, name=self.key,
                                   spacing=RATE_WINDOWS[0][1] / RATE_WINDOWS[0][0])  # 50/s: 20 ms apart
        # Single answers in chat: wait out short Retry-Afters only; longer ones are told to the user.
        self.retry = retry or RetryPolicy(attempts=3, backoff=0.5, max_wait=5.0)
        # The one Feishu client and tenant-token cache of the app (bot/app.py), or our own.
        self.auth = auth or FeishuAuth(build_client(app_id, app_secret, domain, timeout), app_id, app_secret, clock)
        self.client = self.auth.client

    # ---- identity of meetings ----------------------------------------------------------------
    def claims(self, ref: MeetingRef) -> bool:
        if ref.vendor not in (None, self.key):
            return False
        return ref.id.isdigit() and len(ref.id) in (9, 19)

    async def find_meeting(self, ref: MeetingRef) -> Meeting | Outcome:
        if len(ref.id) == 9:
            return await self._find_by_number(ref.id)
        return await self._get_meeting(ref.id)

    async def _find_by_number(self, number: str) -> Meeting | Outcome:
        now = int(self.clock())
        req = (ListByNoMeetingRequest.builder().meeting_no(number).start_time(str(now - NUMBER_WINDOW_S))
               .end_time(str(now)).page_size(20).build())
        resp = await self._call(self.client.vc.v1.meeting.alist_by_no, req)
        if isinstance(resp, Outcome):
            return resp
        briefs = list(resp.data.meeting_briefs or []) if resp.data else []
        if not briefs:
            return Outcome(Kind.NOT_FOUND, reason="meeting_no_match", remedy="remedy_check_meeting",
                           data={"meeting": number})
        if not all(str(b.id or "").isdigit() for b in briefs):
            return _unreadable()
        found: list[Meeting] = []
        for brief in briefs:
            got = await self._get_meeting(str(brief.id))
            if isinstance(got, Outcome):
                return got
            found.append(got)
        running = [m for m in found if m.in_progress]
        if len(running) == 1:
            return running[0]
        if len(found) == 1:
            return found[0]  # not running: set_host will say so precisely
        return Outcome(Kind.INVALID, reason="meeting_several_matches", remedy="remedy_check_meeting",
                       data={"meeting": number, "candidates": [m.id for m in (running or found)]})

    async def _get_meeting(self, meeting_id: str) -> Meeting | Outcome:
        req = GetMeetingRequest.builder().meeting_id(int(meeting_id)).user_id_type("open_id").build()
        resp = await self._call(self.client.vc.v1.meeting.aget, req)
        if isinstance(resp, Outcome):
            return resp
        m = resp.data.meeting if resp.data else None
        if m is None or not str(m.id or "").isdigit():
            return _unreadable()
        return Meeting(vendor=self.key, id=str(m.id), display=group_digits(str(m.meeting_no or m.id)),
                       topic=str(m.topic or ""), host=_user(m.host_user), in_progress=m.status == IN_PROGRESS)

    # ---- host change ---------------------------------------------------------------------
    async def set_host(self, meeting: Meeting, target: VendorUser, expected_host: VendorUser | None) -> Outcome:
        body = SetHostMeetingRequestBody.builder().host_user(
            MeetingUser.builder().id(target.id).user_type(target.user_type).build())
        old = expected_host or meeting.host
        if old is not None:  # CAS: Feishu refuses with 121006 if the host is no longer `old`
            body = body.old_host_user(MeetingUser.builder().id(old.id).user_type(old.user_type).build())
        req = (SetHostMeetingRequest.builder().meeting_id(int(meeting.id)).user_id_type("open_id")
               .request_body(body.build()).build())
        resp = await self._call(self.client.vc.v1.meeting.aset_host, req)
        if isinstance(resp, Outcome):
            return resp
        host = _user(resp.data.host_user) if resp.data else None
        return Outcome.success(current_host=host or target)

    # ---- invite (user token only) -----------------------------------------------------------
    async def invite(self, meeting: Meeting, users: Sequence[VendorUser], actor: VendorUser | None,
                     progress: ChunkDone | None = None) -> Outcome:
        refresh = getattr(self.user_tokens, "refresh_if_due", None)  # bot/feishu_oauth.py renews a token
        if refresh is not None and actor is not None:  # that is about to expire
            await refresh(actor.id)
        token = self._user_token(actor)
        if isinstance(token, Outcome):
            return self._with_authorization(token, actor)
        items: list[ItemResult] = []
        errors: list[Outcome] = []  # answers that failed a whole call
        stopped: Outcome | None = None
        for chunk in chunked(list(users), INVITE_MAX):
            if stopped is not None:  # what stopped us applies to the rest as well
                items += [ItemResult(u.id, False, stopped.reason, stopped.detail) for u in chunk]
                continue
            body = InviteMeetingRequestBody.builder().invitees(
                [MeetingUser.builder().id(u.id).user_type(u.user_type).build() for u in chunk]).build()
            req = (InviteMeetingRequest.builder().meeting_id(int(meeting.id)).user_id_type("open_id")
                   .request_body(body).build())
            resp = await self._call(self.client.vc.v1.meeting.ainvite, req, user_token=token,
                                    on_error=_invite_outcome)
            if isinstance(resp, Outcome):
                errors.append(resp)
                items += [ItemResult(u.id, False, resp.reason, resp.detail) for u in chunk]
                if resp.vendor_code != str(CALLEE_BUSY):
                    stopped = resp
                continue
            results = {str(r.id): r.status if isinstance(r.status, int) else 0
                       for r in (resp.data.invite_results or [])} if resp.data else {}
            items += [ItemResult(u.id, results.get(u.id) == INVITE_OK,
                                 "" if results.get(u.id) == INVITE_OK else "invite_failed") for u in chunk]
            if progress is not None:
                await progress(len(items))
        if errors and {i.reason for i in items} == {errors[0].reason}:
            # Nobody was invited, for one reason: answer with that reason rather than a list.
            return self._with_authorization(replace(errors[0], items=tuple(items)), actor)
        return Outcome.from_items(items)

    async def precheck(self, op: str, meeting: Meeting, users: Sequence[VendorUser],
                       actor: VendorUser | None) -> Outcome | None:
        """Feishu changes hosts and invites only in a running meeting, and invites only with the
        requester's own authorization: both are known before anybody is asked to approve."""
        if op in ("set_host", "invite") and not meeting.in_progress:
            return Outcome(Kind.INVALID, reason="meeting_not_in_progress", remedy="remedy_start_meeting")
        if op == "invite":
            refresh = getattr(self.user_tokens, "refresh_if_due", None)
            if refresh is not None and actor is not None:
                await refresh(actor.id)
            token = self._user_token(actor)
            if isinstance(token, Outcome):
                return self._with_authorization(token, actor)
        return None

    def _user_token(self, actor: VendorUser | None) -> str | Outcome:
        """The requester's user_access_token, or DENIED telling them to authorize hostbot."""
        grant = self.user_tokens.user_token(self.key, actor.id) if actor and self.user_tokens else None
        if grant is None or not grant.token:
            return Outcome(Kind.DENIED, reason="feishu_user_token_missing", remedy="remedy_authorize_hostbot")
        if grant.expires_at is not None and grant.expires_at.timestamp() <= self.clock():
            return Outcome(Kind.DENIED, reason="feishu_user_token_expired", remedy="remedy_authorize_hostbot")
        return grant.token

    def _with_authorization(self, outcome: Outcome, actor: VendorUser | None) -> Outcome:
        """A DENIED asking the person to authorize hostbot carries the link to do it (data["authorize_url"]),
        when the token source can make one (bot/feishu_oauth.py: it needs HOSTBOT_PUBLIC_URL)."""
        offer = getattr(self.user_tokens, "authorization", None)
        if outcome.remedy != "remedy_authorize_hostbot" or offer is None or actor is None:
            return outcome
        link = offer(actor.id)
        if link is None:
            return outcome
        url, remedy = link
        return replace(outcome, remedy=remedy, data={**outcome.data, "authorize_url": url})

    # ---- plumbing ------------------------------------------------------------------------
    async def _call(self, method: Callable[..., Awaitable[R]], req: Any, *, user_token: str = "",
                    on_error: Callable[[Any], Outcome] | None = None) -> R | Outcome:
        """Run one SDK call under the rate limit, with our tenant token (or `user_token`).

        A rejected tenant token is refreshed once. A 429 asking for at most `retry.max_wait` s is
        waited out; GETs (safe to repeat) are also repeated after a 5xx or a timeout.
        """
        safe = req.http_method == lark.HttpMethod.GET
        last = self.retry.attempts - 1
        refreshed = False
        attempt = 0
        while True:
            if user_token:
                option = lark.RequestOption.builder().user_access_token(user_token).build()
            else:
                token = await self.auth.token(refresh=refreshed)
                if isinstance(token, Outcome):
                    return token
                option = lark.RequestOption.builder().tenant_access_token(token).build()
            await self.limiter.acquire()
            started = time.monotonic()
            try:
                resp: Any = await method(req, option)
            except httpx.TimeoutException:
                if safe and attempt < last:
                    attempt += 1
                    await self.limiter.sleep(self.retry.delay(attempt))
                    continue
                return Outcome.unavailable("vendor_timeout", remedy="remedy_retry_later")
            except (httpx.HTTPError, OSError):
                return Outcome.unavailable(remedy="remedy_retry_later")
            except (ValueError, TypeError, AttributeError, UnmarshalException):
                # The SDK could not read the body: an HTML error page, truncated JSON (ValueError), fields
                # of the wrong shape (UnmarshalException), a body that is no JSON object (AttributeError).
                return Outcome.unavailable(remedy="remedy_retry_later", detail="unparseable response")
            status = int(getattr(resp.raw, "status_code", 0) or 0)
            event(log, "vendor http", vendor=self.key, call=type(req).__name__, status=status, code=resp.code,
                  ms=round((time.monotonic() - started) * 1000, 1), attempt=attempt + 1)
            if resp.code in TOKEN_INVALID and not user_token and not refreshed:
                refreshed = True
                continue
            if resp.success():
                return resp
            if attempt < last and (status == 429 or resp.code == RATE_LIMIT_CODE):
                wait = _retry_after(resp)
                if wait <= self.retry.max_wait:
                    attempt += 1
                    self.limiter.pause(wait)  # the next acquire() waits it out, for every caller
                    continue
            if safe and status >= 500 and attempt < last:
                attempt += 1
                await self.limiter.sleep(self.retry.delay(attempt))
                continue
            return (on_error or _outcome_for_error)(resp)


def _unreadable() -> Outcome:
    """A success whose content is not what the API returns (an id that is no number...): nothing to act on."""
    return Outcome.unavailable(remedy="remedy_retry_later", detail="unexpected response")


def _code(resp: Any) -> int:
    """Feishu's numeric error `code`; 0 when the body has none, or one that is not a number."""
    code = getattr(resp, "code", 0)
    return code if isinstance(code, int) else 0


def _user(user: Any) -> VendorUser | None:
    """An SDK MeetingUser as a VendorUser (None when absent or unreadable)."""
    if user is None or not isinstance(user.id, str) or not user.id:
        return None
    return VendorUser(user.id, user.user_type if isinstance(user.user_type, int) and user.user_type else 1)


def _outcome_for_error(resp: Any) -> Outcome:
    code = _code(resp)
    status = int(getattr(resp.raw, "status_code", 0) or 0)
    detail = str(resp.msg or "")
    if code == CAS_CONFLICT:
        host = _host_from_error(resp)
        return Outcome.conflict(host, vendor_code=str(code), detail=detail)
    if code in ERROR_TABLE:
        kind, reason, remedy = ERROR_TABLE[code]
        return Outcome(kind, reason=reason, remedy=remedy, vendor_code=str(code), detail=detail)
    if status == 429 or code == RATE_LIMIT_CODE:
        return Outcome(Kind.RATE_LIMITED, reason="rate_limited", retry_after=_retry_after(resp), vendor_code=str(code))
    if status >= 500 or code == 0:
        return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=str(code or status), detail=detail)
    return Outcome(Kind.INVALID, reason="vendor_error_unknown", remedy="remedy_report_bug",
                   vendor_code=str(code), detail=detail)


def _retry_after(resp: Any) -> float:
    """Seconds Feishu asks us to wait: Retry-After, or its gateway's x-ogw-ratelimit-reset."""
    headers = {k.lower(): v for k, v in (getattr(resp.raw, "headers", None) or {}).items()}
    raw = headers.get("retry-after") or headers.get("x-ogw-ratelimit-reset") or "1"
    try:
        return max(0.0, float(raw))
    except ValueError:
        return 1.0


def _invite_outcome(resp: Any) -> Outcome:
    """invite's errors: its own codes, a refused user token, then the codes it shares with set_host."""
    code = _code(resp)
    if code in INVITE_ERRORS:
        kind, reason, remedy = INVITE_ERRORS[code]
        return Outcome(kind, reason=reason, remedy=remedy, vendor_code=str(code), detail=str(resp.msg or ""))
    if code in USER_TOKEN_REJECTED:
        return Outcome(Kind.DENIED, reason="feishu_user_token_expired", remedy="remedy_authorize_hostbot",
                       vendor_code=str(code), detail=str(resp.msg or ""))
    if code == 122003:  # the one inviting (the requester) must be in the meeting
        return Outcome(Kind.DENIED, reason="inviter_not_in_meeting", remedy="remedy_join_meeting",
                       vendor_code=str(code), detail=str(resp.msg or ""))
    return _outcome_for_error(resp)


def _host_from_error(resp: Any) -> VendorUser | None:
    """121006 carries `data.host_user`; the SDK parsed it into resp.data when the body had it."""
    data = getattr(resp, "data", None)
    host = getattr(data, "host_user", None)
    if host is not None and host.id:
        return VendorUser(str(host.id), int(host.user_type or 1))
    try:
        raw = json.loads(resp.raw.content)
        h = raw["data"]["host_user"]
        return VendorUser(str(h["id"]), int(h.get("user_type") or 1))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
