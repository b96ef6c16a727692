"""Webex meetings over httpx: host reassignment of meeting series, by an admin (vendor-notes §D).

Vendor quirks handled here:
- POST /meetings/reassignHost {hostEmail, meetingIds}: 1..100 meeting *series* ids per call (a
  scheduled meeting or an instance is reassigned through its series), optional `siteUrl` header.
  204 = every meeting moved; 207 = per-meeting `items` whose `httpStatus` is a string in the
  schema and a number in its example (both accepted); 403 = hostEmail may not host on the site.
- 429 (and 423) carry Retry-After: waited out by VendorHTTP, and the batch goes on.
- Errors follow the general Webex shape {"message", "errors": [{"description"}], "trackingId"}.
- "All of @dave's meetings": GET /meetings?hostEmail=…&meetingType=meetingSeries, paginated by
  RFC 5988 `Link: <…>; rel="next"` headers. In-progress series cannot be reassigned; the handler
  reports them as skipped.
- set_host on one meeting is a reassignment of its series; Webex has no compare-and-swap.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import httpx

from bot.core.outcome import ItemResult, Kind, Outcome, VendorUser
from bot.core.vendor import ChunkDone, Meeting, MeetingRef, MeetingVendor
from bot.vendors.base import chunked
from bot.vendors.http import RetryPolicy, Sleep, VendorHTTP, json_body, rate_limited, retry_after

log = logging.getLogger(__name__)

REASSIGN_MAX = 100
PAGE_SIZE = 100
MAX_PAGES = 200  # 20,000 series: far beyond one host, and a stop if "next" never ends
SERIES_ID = re.compile(r"^[0-9a-f]{32}$", re.I)
MEETING_ID = re.compile(r"^[0-9a-f]{32}(?:_[\w-]+)*$", re.I)  # series, scheduled meeting or instance
IN_PROGRESS_STATES = {"inProgress"}
# Whole-request answers of reassignHost -> outcome (403 has its own remedy: the doc's list of limits)
STATUS_TABLE: dict[int, tuple[Kind, str, str]] = {
    400: (Kind.INVALID, "param_error", "remedy_report_bug"),
    401: (Kind.DENIED, "vendor_credentials_rejected", "remedy_webex_token"),
    403: (Kind.DENIED, "webex_host_not_qualified", "remedy_webex_host_privileges"),
    404: (Kind.NOT_FOUND, "meeting_not_found", "remedy_check_meeting"),
    409: (Kind.INVALID, "webex_conflict", "remedy_retry_later"),  # not a host CAS: nothing to retry against
    410: (Kind.NOT_FOUND, "meeting_not_found", "remedy_check_meeting"),
}
# A failed item of a 207, by its httpStatus
ITEM_KINDS = {400: Kind.INVALID, 403: Kind.DENIED, 404: Kind.NOT_FOUND}


class WebexVendor(MeetingVendor):
    key = "webex"
    operations = frozenset({"set_host", "reassign", "who_is_host", "list_host_meetings"})

    def __init__(self, token: str, api_base: str = "https://webexapis.com/v1", site_url: str = "", *,
                 transport: httpx.AsyncBaseTransport | None = None, sleep: Sleep = asyncio.sleep,
                 retry: RetryPolicy | None = None) -> None:
        self._token = token
        # The header wants the site's host name ("example.webex.com"); accept a URL too.
        self.site = re.sub(r"^https?://", "", site_url).strip("/")
        # No published rate for these endpoints: Retry-After drives the pace. Batches wait up to a minute.
        self.http = VendorHTTP(self.key, api_base, transport=transport, sleep=sleep,
                               retry=retry or RetryPolicy(attempts=4, max_wait=60.0))

    # ---- meetings --------------------------------------------------------------------------
    def claims(self, ref: MeetingRef) -> bool:
        if ref.vendor is not None:
            return ref.vendor == self.key
        return bool(MEETING_ID.match(ref.id))

    async def find_meeting(self, ref: MeetingRef) -> Meeting | Outcome:
        if ref.id.isdigit():  # a meeting number: Webex lists the meetings that have it
            resp = await self._send("GET", "/meetings", params=self._site_params({"meetingNumber": ref.id}))
            if isinstance(resp, Outcome):
                return resp
            items = _items(json_body(resp))
            if not items:
                return Outcome(Kind.NOT_FOUND, reason="meeting_not_found", remedy="remedy_check_meeting")
            return _readable(_meeting(items[0]))
        resp = await self._send("GET", f"/meetings/{ref.id}", params=self._site_params({}))
        if isinstance(resp, Outcome):
            return resp
        return _readable(_meeting(json_body(resp)))

    async def list_host_meetings(self, host: VendorUser) -> list[Meeting] | Outcome:
        params = self._site_params({"hostEmail": host.id, "meetingType": "meetingSeries", "max": str(PAGE_SIZE)})
        resp = await self._send("GET", "/meetings", params=params)
        found: list[Meeting] = []
        for _ in range(MAX_PAGES):
            if isinstance(resp, Outcome):
                return resp
            found += [m for m in map(_meeting, _items(json_body(resp))) if MEETING_ID.match(m.id)]
            url = resp.links.get("next", {}).get("url", "")
            if not url:
                return found
            if not self._same_origin(url):  # the admin token goes only to the configured API host
                log.warning("webex: ignored a next-page link off WEBEX_API_BASE's host")
                return found
            # The next link carries the whole query (httpx would drop it if given params, even empty ones).
            resp = await self._send("GET", url)
        return found  # a vendor that never stops paging: keep what we have

    def _same_origin(self, url: str) -> bool:
        """A relative link, or an absolute one on WEBEX_API_BASE's scheme, host and port."""
        try:
            link, base = httpx.URL(url), self.http.client.base_url
        except (httpx.InvalidURL, ValueError):
            return False
        return not link.is_absolute_url or (link.scheme, link.host, link.port) == (base.scheme, base.host, base.port)

    # ---- host changes --------------------------------------------------------------------------
    async def set_host(self, meeting: Meeting, target: VendorUser, expected_host: VendorUser | None) -> Outcome:
        outcome = await self.reassign(target, [meeting.id])
        if outcome.kind is Kind.OK:
            return Outcome.success(current_host=target)
        failed = [i for i in outcome.items if not i.ok]
        if outcome.kind is Kind.PARTIAL and len(failed) == 1:
            # One meeting: its 207 item is the answer.
            item = failed[0]
            if item.reason == "webex_no_result":  # Webex said nothing about it: whether it moved is unknown
                return Outcome.unavailable("webex_no_result", remedy="remedy_retry_later")
            return Outcome(_item_kind(item.detail), reason="vendor_refused", remedy="remedy_webex_item",
                           vendor_code=item.detail, detail=item.reason)
        return outcome

    async def reassign(self, new_host: VendorUser, meeting_ids: Sequence[str],
                       progress: ChunkDone | None = None) -> Outcome:
        items: list[ItemResult] = []
        stopped: Outcome | None = None
        for chunk in chunked(list(meeting_ids), REASSIGN_MAX):
            if stopped is not None:  # the same host and token: the rest would fail the same way
                items += [ItemResult(m, False, stopped.reason, _item_detail(stopped)) for m in chunk]
                continue
            body = {"hostEmail": new_host.id, "meetingIds": chunk}
            # Reassigning to the same host again changes nothing: safe to repeat after a 5xx.
            resp = await self._send("POST", "/meetings/reassignHost", json=body, headers=self._site_header())
            if isinstance(resp, Outcome):
                stopped = resp
                items += [ItemResult(m, False, resp.reason, _item_detail(resp)) for m in chunk]
            elif resp.status_code == 204:
                items += [ItemResult(m, True) for m in chunk]
            else:  # 207
                items += _items_of_207(json_body(resp), chunk)
            if progress is not None and stopped is None:
                await progress(len(items))
        if stopped is not None and not any(i.ok for i in items):
            return replace(stopped, items=tuple(items))
        return Outcome.from_items(items, data={"stopped": stopped.reason} if stopped else {})

    # ---- plumbing ---------------------------------------------------------------------------
    def _site_params(self, params: dict[str, str]) -> dict[str, str]:
        return {**params, "siteUrl": self.site} if self.site else params

    def _site_header(self) -> dict[str, str]:
        return {"siteUrl": self.site} if self.site else {}

    async def _send(self, method: str, url: str, *, headers: dict[str, str] | None = None,
                    **kwargs: Any) -> httpx.Response | Outcome:
        resp = await self.http.request(method, url, safe=True,
                                       headers={"Authorization": f"Bearer {self._token}", **(headers or {})},
                                       **kwargs)
        if isinstance(resp, Outcome) or resp.status_code in (200, 204, 207):
            return resp
        return _outcome_for_error(resp)


def _meeting(m: dict[str, Any]) -> Meeting:
    host = VendorUser(str(m.get("hostEmail") or ""), name=str(m.get("hostDisplayName") or ""))
    number = str(m.get("meetingNumber") or "")
    # reassignHost takes series ids only: a scheduled meeting or an instance stands for its series.
    series = str(m.get("meetingSeriesId") or m.get("id") or "")
    return Meeting(vendor="webex", id=series, display=number or series,
                   topic=str(m.get("title") or ""), host=host if host.id else None,
                   in_progress=str(m.get("state") or "") in IN_PROGRESS_STATES)


def _items(body: dict[str, Any], key: str = "items") -> list[dict[str, Any]]:
    """The objects of a list field; anything of another shape (a vendor or proxy gone wrong) is left out."""
    found = body.get(key)
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def _readable(meeting: Meeting) -> Meeting | Outcome:
    """The meeting, when the answer named it by a series id (else nothing can be reassigned: unavailable)."""
    if MEETING_ID.match(meeting.id):
        return meeting
    return Outcome.unavailable(remedy="remedy_retry_later", detail="unexpected response")


def _items_of_207(body: dict[str, Any], asked: list[str]) -> list[ItemResult]:
    """Per-meeting results; `httpStatus` may be "200" or 200. A meeting Webex left out counts as failed."""
    seen: dict[str, ItemResult] = {}
    for item in _items(body):
        mid = str(item.get("meetingId") or "")
        try:
            status = int(str(item.get("httpStatus", "0")).strip())
        except ValueError:
            status = 0
        if 200 <= status < 300:
            seen[mid] = ItemResult(mid, True)
            continue
        words = "; ".join(str(e.get("description")) for e in _items(item, "errors") if e.get("description"))
        seen[mid] = ItemResult(mid, False, words or str(item.get("message") or "") or f"HTTP {status}", str(status))
    return [seen.get(m) or ItemResult(m, False, "webex_no_result", "") for m in asked]


def _item_detail(outcome: Outcome) -> str:
    """What an item stopped by `outcome` keeps: the seconds to wait when rate-limited, else the code."""
    if outcome.retry_after is not None:
        return f"{outcome.retry_after:.0f}"
    return outcome.vendor_code


def _item_kind(status: str) -> Kind:
    try:
        return ITEM_KINDS.get(int(status), Kind.INVALID)
    except ValueError:
        return Kind.INVALID


def _outcome_for_error(resp: httpx.Response) -> Outcome:
    body = json_body(resp)
    words = "; ".join(str(e.get("description")) for e in body.get("errors") or []
                      if isinstance(e, dict) and e.get("description"))
    detail = words or str(body.get("message") or "")
    status = resp.status_code
    if status == 429:
        return rate_limited(resp)
    if status == 423:  # locked for now; Retry-After may say how long
        seconds = retry_after(resp.headers)
        return Outcome(Kind.UNAVAILABLE, reason="webex_locked", remedy="remedy_retry_later",
                       retry_after=seconds, vendor_code="423", detail=detail)
    if status in STATUS_TABLE:
        kind, reason, remedy = STATUS_TABLE[status]
        return Outcome(kind, reason=reason, remedy=remedy, vendor_code=str(status), detail=detail)
    if status >= 500:
        return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=str(status), detail=detail)
    return Outcome(Kind.INVALID, reason="vendor_error_unknown", remedy="remedy_report_bug",
                   vendor_code=str(status), detail=detail)
