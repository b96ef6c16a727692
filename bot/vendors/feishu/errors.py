"""Feishu VC answers -> Outcome: set_host's and invite's error tables (each from its own doc) and
the helpers that read an SDK response (code, host_user, Retry-After).

set_host (vendor-docs/feishu-vc-set-host.md)          invite (vendor-docs/feishu-vc-invite.md)
  121001 500 UNAVAILABLE vendor_unavailable              121001 UNAVAILABLE vendor_unavailable
  121002 INVALID not_supported ->                        121002 INVALID invite_not_supported ->
         remedy_change_in_client                                remedy_invite_in_client
  121003 INVALID param_error                             121003 INVALID param_error
  121005 DENIED no_permission                            121005 DENIED invite_no_permission
  121006 CONFLICT host_changed (current host from          (not in invite's list)
         data.host_user; OK when that is the target)
  122001 INVALID meeting_not_in_progress ->              122001 INVALID invite_meeting_not_running ->
         remedy_start_meeting                                   remedy_invite_when_running
  122002 NOT_FOUND meeting_not_found                     122002 NOT_FOUND meeting_not_found
  122003 DENIED operator_not_in_meeting                  122003 DENIED inviter_not_in_meeting
  122004 INVALID target_not_in_meeting                     (not in invite's list)
  122005 INVALID cannot_operate_self                     122005 INVALID invite_self
  122009 INVALID participant_status                      122006 INVALID invite_limit_reached
                                                         122007 INVALID invite_callee_busy
                                                         122008 DENIED meeting_locked
  429 / 99991400 RATE_LIMITED (both); a refused user token (99991668/99991677, UNCONFIRMED) on invite:
  DENIED feishu_user_token_expired -> authorize hostbot again.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from bot.core.model.outcome import Kind, Outcome, VendorUser
from bot.vendors.calls import NOT_SENT
from bot.vendors.feishu.auth import TOKEN_INVALID

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
# invite's own table, row by row from vendor-docs/feishu-vc-invite.md (its codes mean other things than
# set_host's: 122001 = nobody can be called into a meeting that is not running).
INVITE_ERRORS: dict[int, tuple[Kind, str, str]] = {
    121001: (Kind.UNAVAILABLE, "vendor_unavailable", "remedy_retry_later"),
    121002: (Kind.INVALID, "invite_not_supported", "remedy_invite_in_client"),
    121003: (Kind.INVALID, "param_error", "remedy_report_bug"),
    121005: (Kind.DENIED, "invite_no_permission", "remedy_feishu_invite_permission"),
    122001: (Kind.INVALID, "invite_meeting_not_running", "remedy_invite_when_running"),
    122002: (Kind.NOT_FOUND, "meeting_not_found", "remedy_check_meeting"),
    122003: (Kind.DENIED, "inviter_not_in_meeting", "remedy_join_meeting"),  # the requester must be in it
    122005: (Kind.INVALID, "invite_self", "remedy_invite_someone_else"),
    122006: (Kind.INVALID, "invite_limit_reached", "remedy_invite_limit"),
    122007: (Kind.INVALID, "invite_callee_busy", "remedy_invite_busy"),
    122008: (Kind.DENIED, "meeting_locked", "remedy_unlock_meeting"),
}
REACHED = {1, 2, 3}  # participant status: being called, in the meeting, ringing (an invite got through)
CAS_CONFLICT = 121006
# A user_access_token Feishu refuses: invalid (99991668) or expired (99991677). The exact codes for
# a user token are UNCONFIRMED (vendor-notes §A); any token code sends the user to re-authorize.
USER_TOKEN_REJECTED = TOKEN_INVALID | {99991677}
RATE_LIMIT_CODE = 99991400


def unreadable() -> Outcome:
    """A success whose content is not what the API returns (an id that is no number...): nothing to act on."""
    return Outcome.unavailable(remedy="remedy_retry_later", detail="unexpected response")


def code_of(resp: Any) -> int:
    """Feishu's numeric error `code`; 0 when the body has none, or one that is not a number."""
    code = getattr(resp, "code", 0)
    return code if isinstance(code, int) else 0


def user_of(user: Any) -> VendorUser | None:
    """An SDK MeetingUser as a VendorUser (None when absent or unreadable)."""
    if user is None or not isinstance(user.id, str) or not user.id:
        return None
    return VendorUser(user.id, user.user_type if isinstance(user.user_type, int) and user.user_type else 1)


def outcome_for_error(resp: Any) -> Outcome:
    code = code_of(resp)
    status = int(getattr(resp.raw, "status_code", 0) or 0)
    detail = str(resp.msg or "")
    if code == CAS_CONFLICT:
        host = host_from_error(resp)
        return Outcome.conflict(host, vendor_code=str(code), detail=detail)
    if code in ERROR_TABLE:
        kind, reason, remedy = ERROR_TABLE[code]
        return Outcome(kind, reason=reason, remedy=remedy, vendor_code=str(code), detail=detail)
    if status == 429 or code == RATE_LIMIT_CODE:
        return Outcome(Kind.RATE_LIMITED, reason="rate_limited", retry_after=retry_after_of(resp),
                       vendor_code=str(code))
    if status >= 500 or code == 0:
        return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=str(code or status), detail=detail)
    return Outcome(Kind.INVALID, reason="vendor_error_unknown", remedy="remedy_report_bug",
                   vendor_code=str(code), detail=detail)


def retry_after_of(resp: Any) -> float:
    """Seconds Feishu asks us to wait: Retry-After, or its gateway's x-ogw-ratelimit-reset."""
    headers = {k.lower(): v for k, v in (getattr(resp.raw, "headers", None) or {}).items()}
    raw = headers.get("retry-after") or headers.get("x-ogw-ratelimit-reset") or "1"
    try:
        return max(0.0, float(raw))
    except ValueError:
        return 1.0


def invite_outcome(resp: Any) -> Outcome:
    """invite's errors: its own table (never set_host's advice), a refused user token, then the
    generic answers (429, 5xx, an unknown code)."""
    code = code_of(resp)
    if code in INVITE_ERRORS:
        kind, reason, remedy = INVITE_ERRORS[code]
        return Outcome(kind, reason=reason, remedy=remedy, vendor_code=str(code), detail=str(resp.msg or ""))
    if code in USER_TOKEN_REJECTED:
        return Outcome(Kind.DENIED, reason="feishu_user_token_expired", remedy="remedy_authorize_hostbot",
                       vendor_code=str(code), detail=str(resp.msg or ""))
    if code in ERROR_TABLE:  # a set_host-only code on invite: not in invite's doc, so no set_host advice
        return Outcome(Kind.INVALID, reason="vendor_error_unknown", remedy="remedy_report_bug",
                       vendor_code=str(code), detail=str(resp.msg or ""))
    return outcome_for_error(resp)


def host_from_error(resp: Any) -> VendorUser | None:
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


def no_answer(exc: Exception, safe: bool) -> Outcome:
    """No usable answer: a read (or a change never sent) is UNAVAILABLE, a change maybe made is UNKNOWN."""
    if isinstance(exc, NOT_SENT) or (safe and isinstance(exc, httpx.HTTPError | OSError)):
        if isinstance(exc, httpx.TimeoutException):
            return Outcome.unavailable("vendor_timeout", remedy="remedy_retry_later")
        return Outcome.unavailable(remedy="remedy_retry_later")
    if safe:
        # The SDK could not read the body: an HTML error page, truncated JSON (ValueError), fields
        # of the wrong shape (UnmarshalException), a body that is no JSON object (AttributeError).
        return Outcome.unavailable(remedy="remedy_retry_later", detail="unparseable response")
    return Outcome.unknown(detail="timeout" if isinstance(exc, httpx.TimeoutException) else type(exc).__name__)


