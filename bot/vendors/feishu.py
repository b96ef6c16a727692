"""Feishu VC through lark-oapi's async API: meeting lookup and set_host with CAS.

Vendor quirks handled here (vendor-notes §A):
- lark-oapi fetches tenant tokens synchronously (requests) and caches them process-wide by app_id.
  We fetch the token ourselves through the SDK's async `ainternal` call, cache it per vendor
  instance, and hand it to each call with `enable_set_token` so nothing blocks the event loop.
- The SDK parses the JSON body whatever the HTTP status is; a non-JSON body (an HTML 502) raises
  ValueError; transport failures raise httpx errors. All of those become Outcomes here.
- A 9-digit meeting number is reused over time: list_by_no needs a time window.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import lark_oapi as lark
from lark_oapi.api.auth.v3 import InternalTenantAccessTokenRequest, InternalTenantAccessTokenRequestBody
from lark_oapi.api.vc.v1 import (
    GetMeetingRequest,
    ListByNoMeetingRequest,
    MeetingUser,
    SetHostMeetingRequest,
    SetHostMeetingRequestBody,
)

from bot.outcome import Kind, Outcome, VendorUser
from bot.vendors.base import Meeting, MeetingRef, MeetingVendor, group_digits

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
CAS_CONFLICT = 121006
TOKEN_INVALID = {99991661, 99991663, 99991664, 99991668}  # missing / invalid / expired tenant token
RATE_LIMIT_CODE = 99991400
IN_PROGRESS = 2
NUMBER_WINDOW_S = 24 * 3600  # list_by_no looks back this far for a meeting number


class FeishuVendor(MeetingVendor):
    key = "feishu"
    id_kind = "open_id"

    def __init__(self, app_id: str, app_secret: str, domain: str, timeout: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.app_id, self._secret = app_id, app_secret
        self.clock = clock
        self.client = (
            lark.Client.builder().app_id(app_id).app_secret(app_secret).domain(domain.rstrip("/"))
            .timeout(timeout).enable_set_token(True).log_level(lark.LogLevel.ERROR).build()
        )
        self._token = ""
        self._token_expires = 0.0

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
        m = resp.data.meeting
        host = VendorUser(str(m.host_user.id), int(m.host_user.user_type or 1)) if m.host_user else None
        return Meeting(vendor=self.key, id=str(m.id), display=group_digits(str(m.meeting_no or m.id)),
                       topic=m.topic or "", host=host, in_progress=m.status == IN_PROGRESS)

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
        host = resp.data.host_user if resp.data else None
        return Outcome.success(current_host=VendorUser(str(host.id), int(host.user_type or 1)) if host else target)

    # ---- plumbing ------------------------------------------------------------------------
    async def _tenant_token(self, refresh: bool = False) -> str | Outcome:
        if self._token and not refresh and self.clock() < self._token_expires:
            return self._token
        req = InternalTenantAccessTokenRequest.builder().request_body(
            InternalTenantAccessTokenRequestBody.builder().app_id(self.app_id).app_secret(self._secret).build()
        ).build()
        try:
            resp = await self.client.auth.v3.tenant_access_token.ainternal(req)
            body = json.loads(resp.raw.content)
        except httpx.TimeoutException:
            return Outcome.unavailable("vendor_timeout", remedy="remedy_retry_later")
        except (httpx.HTTPError, ValueError, OSError):
            return Outcome.unavailable(remedy="remedy_retry_later")
        if body.get("code") != 0 or not body.get("tenant_access_token"):
            if resp.raw.status_code >= 500:
                return Outcome.unavailable(remedy="remedy_retry_later")
            return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_feishu_credentials",
                           vendor_code=str(body.get("code", "")), detail=str(body.get("msg", "")))
        self._token = body["tenant_access_token"]
        # Treat it as expired 10 minutes early, as lark-oapi itself does.
        self._token_expires = self.clock() + max(60, int(body.get("expire", 7200)) - 600)
        return self._token

    async def _call(self, method: Callable[..., Awaitable[R]], req: Any) -> R | Outcome:
        """Run one SDK call with our tenant token; refresh the token once if Feishu rejects it."""
        for attempt in (0, 1):
            token = await self._tenant_token(refresh=attempt == 1)
            if isinstance(token, Outcome):
                return token
            option = lark.RequestOption.builder().tenant_access_token(token).build()
            started = time.monotonic()
            try:
                resp: Any = await method(req, option)
            except httpx.TimeoutException:
                return Outcome.unavailable("vendor_timeout", remedy="remedy_retry_later")
            except (httpx.HTTPError, OSError):
                return Outcome.unavailable(remedy="remedy_retry_later")
            except ValueError:  # the SDK could not parse the body: an HTML error page, truncated JSON
                return Outcome.unavailable(remedy="remedy_retry_later", detail="unparseable response")
            log.debug("feishu %s -> %s code=%s in %.0f ms", type(req).__name__,
                      getattr(resp.raw, "status_code", "?"), resp.code, (time.monotonic() - started) * 1000)
            if resp.code in TOKEN_INVALID and attempt == 0:
                continue
            if resp.success():
                return resp
            return _outcome_for_error(resp)
        return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_feishu_credentials")


def _outcome_for_error(resp: Any) -> Outcome:
    code = int(resp.code or 0)
    status = int(getattr(resp.raw, "status_code", 0) or 0)
    detail = str(resp.msg or "")
    if code == CAS_CONFLICT:
        host = _host_from_error(resp)
        return Outcome.conflict(host, vendor_code=str(code), detail=detail)
    if code in ERROR_TABLE:
        kind, reason, remedy = ERROR_TABLE[code]
        return Outcome(kind, reason=reason, remedy=remedy, vendor_code=str(code), detail=detail)
    if status == 429 or code == RATE_LIMIT_CODE:
        headers = {k.lower(): v for k, v in (getattr(resp.raw, "headers", None) or {}).items()}
        retry = headers.get("retry-after") or headers.get("x-ogw-ratelimit-reset") or "1"
        try:
            seconds = max(0.0, float(retry))
        except ValueError:
            seconds = 1.0
        return Outcome(Kind.RATE_LIMITED, reason="rate_limited", retry_after=seconds, vendor_code=str(code))
    if status >= 500 or code == 0:
        return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=str(code or status), detail=detail)
    return Outcome(Kind.INVALID, reason="vendor_error_unknown", remedy="remedy_report_bug",
                   vendor_code=str(code), detail=detail)


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
