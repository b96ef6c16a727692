"""Webex answers -> Outcome: the whole-request table of reassignHost and the per-meeting 207 items.

    status  when                                        Outcome       reason -> remedy
    400     malformed body (e.g. the same id twice)     INVALID       param_error -> remedy_report_bug
    401     token missing, expired or revoked           DENIED        vendor_credentials_rejected -> remedy_webex_token
    403     the token is not an admin's (scope / role)  DENIED        webex_token_not_admin -> remedy_webex_admin_token
    403     hostEmail not qualified to host on the site DENIED        webex_host_not_qualified
                                                                      -> remedy_webex_host_privileges
    404/410 meeting not found                           NOT_FOUND     meeting_not_found -> remedy_check_meeting
    409     conflict with the meeting's state           INVALID       webex_conflict -> remedy_retry_later
    415     not sent as JSON (a bug of ours)            INVALID       param_error -> remedy_report_bug
    423     locked for now (Retry-After)                UNAVAILABLE   webex_locked -> remedy_retry_later
    429     rate limited (Retry-After)                  RATE_LIMITED  rate_limited
    5xx     on a read                                   UNAVAILABLE   vendor_unavailable -> remedy_retry_later
    5xx, timeout on reassignHost: the meetings are read back (bot/vendors/calls.py); moved ones are done,
            the rest sent once more; still unknown      UNKNOWN       vendor_answer_lost -> remedy_check_then_retry
The two 403s are told apart by the body: Webex's generic 403 says the token "is missing required
scopes" or the user "is missing required roles" (GUESS from its general error text; the spec has
no body for this endpoint), the doc's 403 is about hostEmail. Anything that mentions the host we
asked for, or neither, reads as "not qualified" (the documented meaning).

207 items: a 2xx `httpStatus` is done; otherwise the vendor's description is kept, except that a
meeting from a third-party integration (Outlook, Google) gets our words: `webex_third_party_meeting`.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from bot.core.model.outcome import ItemResult, Kind, Outcome
from bot.vendors.http import json_body, rate_limited, retry_after

STATUS_TABLE: dict[int, tuple[Kind, str, str]] = {
    400: (Kind.INVALID, "param_error", "remedy_report_bug"),
    401: (Kind.DENIED, "vendor_credentials_rejected", "remedy_webex_token"),
    403: (Kind.DENIED, "webex_host_not_qualified", "remedy_webex_host_privileges"),
    404: (Kind.NOT_FOUND, "meeting_not_found", "remedy_check_meeting"),
    409: (Kind.INVALID, "webex_conflict", "remedy_retry_later"),  # not a host CAS: nothing to retry against
    410: (Kind.NOT_FOUND, "meeting_not_found", "remedy_check_meeting"),
    415: (Kind.INVALID, "param_error", "remedy_report_bug"),
}
TOKEN_NOT_ADMIN = re.compile(r"missing required (scopes|roles)|not an? (full |meeting )?admin|admin (privilege|role)",
                             re.I)
THIRD_PARTY = re.compile(r"third[- ]party|integrat|outlook|google", re.I)


def words_of(body: dict[str, Any]) -> str:
    """The descriptions of a Webex error body, else its message."""
    errors = body.get("errors")
    words = "; ".join(str(e.get("description")) for e in errors if isinstance(e, dict) and e.get("description")) \
        if isinstance(errors, list) else ""
    message = body.get("message")
    return words or (message if isinstance(message, str) else "")


def outcome_for_error(resp: httpx.Response, sent: Any = None) -> Outcome:
    """The Outcome of a Webex error answer; `sent` is the request body (to see whose name a 403 carries)."""
    body = json_body(resp)
    detail = words_of(body)
    status = resp.status_code
    if status == 429:
        return rate_limited(resp)
    if status == 423:  # locked for now; Retry-After may say how long
        return Outcome(Kind.UNAVAILABLE, reason="webex_locked", remedy="remedy_retry_later",
                       retry_after=retry_after(resp.headers), vendor_code="423", detail=detail)
    if status == 403:
        host = str(sent.get("hostEmail") or "") if isinstance(sent, dict) else ""
        text = f"{detail} {body.get('message') or ''}"
        if TOKEN_NOT_ADMIN.search(text) and not (host and host.lower() in text.lower()):
            return Outcome(Kind.DENIED, reason="webex_token_not_admin", remedy="remedy_webex_admin_token",
                           vendor_code="403", detail=detail)
    if status in STATUS_TABLE:
        kind, reason, remedy = STATUS_TABLE[status]
        return Outcome(kind, reason=reason, remedy=remedy, vendor_code=str(status), detail=detail)
    if status >= 500:
        return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=str(status), detail=detail)
    return Outcome(Kind.INVALID, reason="vendor_error_unknown", remedy="remedy_report_bug",
                   vendor_code=str(status), detail=detail)


def item_results(body: dict[str, Any], asked: list[str]) -> list[ItemResult]:
    """Per-meeting results of a 207; `httpStatus` may be "200" or 200. A meeting Webex left out counts as failed
    (reason webex_no_result: whether it moved is not known)."""
    seen: dict[str, ItemResult] = {}
    found = body.get("items")
    for item in found if isinstance(found, list) else []:
        if not isinstance(item, dict):
            continue
        mid = str(item.get("meetingId") or "")
        try:
            status = int(str(item.get("httpStatus", "0")).strip())
        except ValueError:
            status = 0
        if 200 <= status < 300:
            seen[mid] = ItemResult(mid, True)
            continue
        words = words_of(item) or f"HTTP {status}"
        reason = "webex_third_party_meeting" if THIRD_PARTY.search(words) else words
        seen[mid] = ItemResult(mid, False, reason, str(status))
    return [seen.get(m) or ItemResult(m, False, "webex_no_result", "") for m in asked]
