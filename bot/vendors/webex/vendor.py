"""Webex meetings over httpx: host reassignment of meeting series, by an admin (vendor-notes §D).

Vendor quirks handled here:
- POST /meetings/reassignHost {hostEmail, meetingIds}: 1..100 meeting *series* ids per call (a
  scheduled meeting or an instance is reassigned through its series: GET /meetings/{id} of an
  instance answers its `meetingSeriesId`), and every id of one call must belong to the site named in
  the `siteUrl` header (else the admin's preferred site). Meetings are grouped by their own `siteUrl`
  (from the meeting object) and sent one call per site; with one global site, meetings of the
  others failed as 404s.
  204 = every meeting moved; 207 = per-meeting `items` whose `httpStatus` is a string in the schema
  and a number in its example (both accepted).
- reassignHost is never repeated blindly (bot/vendors/calls.py): each call mails the old host a
  cancellation. After a 5xx, a timeout or a dropped connection, the meetings are read back; those
  whose host already is the new one count as moved, and only the others are sent again, once.
- 403 has two meanings, told apart by the error body (GUESS: the wording of Webex's generic 403,
  "missing required scopes or ... roles", versus the doc's "hostEmail not qualified to host"): a
  token that is not a full/meeting admin's, or a new host not qualified on the site.
- Meetings scheduled from Outlook or Google (third-party integrations) cannot be reassigned (doc);
  Webex says so per meeting in the 207 and the reply says it in words.
- What a reassignment does (for the confirmation, `host_change_notice`): the whole series moves, the
  old host gets a cancellation email, instances that already ended stay with the old host.
- Meeting numbers are printed grouped as Webex clients show them (`webex_digits`, 4-3-3 for ten
  digits; UNCONFIRMED beyond what Webex invitations show) and accepted back with or without spaces.
  A number is looked up on the configured site, then on the admin's other sites
  (GET /meetingPreferences/sites).
- "All of @dave's meetings": GET /meetings?hostEmail=…&meetingType=meetingSeries, paginated by
  RFC 5988 `Link: <…>; rel="next"` headers.
- 429 (and 423) carry Retry-After: waited out by VendorHTTP, and the batch goes on.
- Errors follow the general Webex shape {"message", "errors": [{"description"}], "trackingId"}.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import httpx

from bot.core.model.outcome import ItemResult, Kind, Outcome, VendorUser
from bot.core.model.vendor import ChunkDone, Meeting, MeetingRef, MeetingVendor, plain_number
from bot.vendors.base import chunked
from bot.vendors.calls import answer_lost
from bot.vendors.http import RetryPolicy, Sleep, VendorHTTP, json_body
from bot.vendors.webex.errors import item_results, outcome_for_error

log = logging.getLogger(__name__)

REASSIGN_MAX = 100
PAGE_SIZE = 100
MAX_PAGES = 200  # 20,000 series: far beyond one host, and a stop if "next" never ends
MEETING_ID = re.compile(r"^[0-9a-f]{32}(?:_[\w-]+)*$", re.I)  # series, scheduled meeting or instance
IN_PROGRESS_STATES = {"inProgress"}
ENDED_STATES = {"ended", "expired", "missed"}


@dataclass(frozen=True)
class Lost:
    """A reassignHost whose answer was lost: `code` is the status (or "timeout") seen instead."""

    code: str


def webex_digits(number: str) -> str:
    """A meeting number as Webex clients print it: 2820 653 693 (10 digits), 2634 794 5871 (11),
    123 456 789 (9). UNCONFIRMED: the grouping is what Webex invitations show, not a documented rule."""
    if not number.isdigit():
        return number
    if len(number) in (10, 11):
        return f"{number[:4]} {number[4:7]} {number[7:]}"
    if len(number) == 9:
        return f"{number[:3]} {number[3:6]} {number[6:]}"
    return number


class WebexVendor(MeetingVendor):
    key = "webex"
    operations = frozenset({"set_host", "reassign", "who_is_host", "list_host_meetings"})
    host_change_notice = "webex_reassign_effects"

    def __init__(self, token: str, api_base: str = "https://webexapis.com/v1", site_url: str = "", *,
                 transport: httpx.AsyncBaseTransport | None = None, sleep: Sleep = asyncio.sleep,
                 retry: RetryPolicy | None = None) -> None:
        self._token = token
        # The header wants the site's host name ("example.webex.com"); accept a URL too.
        self.site = _site_name(site_url)
        # No published rate for these endpoints: Retry-After drives the pace. Batches wait up to a minute.
        self.http = VendorHTTP(self.key, api_base, transport=transport, sleep=sleep,
                               retry=retry or RetryPolicy(attempts=4, max_wait=60.0))
        self._sites: dict[str, str] = {}  # series id -> its siteUrl, as the meeting object said
        self._site_list: list[str] | None = None  # the admin's sites, once read

    # ---- meetings --------------------------------------------------------------------------
    def claims(self, ref: MeetingRef) -> bool:
        if ref.vendor is not None:
            return ref.vendor == self.key
        return bool(MEETING_ID.match(ref.id))

    def display_ref(self, ref_id: str) -> str:
        return webex_digits(plain_number(ref_id))

    async def find_meeting(self, ref: MeetingRef) -> Meeting | Outcome:
        number = plain_number(ref.id)
        if number.isdigit():  # a meeting number, as printed or typed: Webex lists the meetings that have it
            return await self._find_by_number(number)
        resp = await self._send("GET", f"/meetings/{ref.id}", op="webex.get_meeting", params=self._site_params({}))
        if isinstance(resp, Outcome):
            return resp
        return self._readable(_meeting(json_body(resp)))

    async def _find_by_number(self, number: str) -> Meeting | Outcome:
        first: Outcome | None = None
        for site in await self._sites_to_search():
            params = {"meetingNumber": number, **({"siteUrl": site} if site else {})}
            resp = await self._send("GET", "/meetings", op="webex.list_meetings", params=params)
            if isinstance(resp, Outcome):
                first = first or resp
                continue
            items = _items(json_body(resp))
            if items:
                return self._readable(_meeting(items[0]))
        return first or Outcome(Kind.NOT_FOUND, reason="meeting_not_found", remedy="remedy_check_meeting")

    async def _sites_to_search(self) -> list[str]:
        """The configured site first, then the admin's other sites (GET /meetingPreferences/sites, read
        once per process; when it cannot be read, the configured site alone)."""
        if self._site_list is not None:
            return self._site_list
        sites = [self.site]
        resp = await self._send("GET", "/meetingPreferences/sites", op="webex.sites")
        if not isinstance(resp, httpx.Response):
            return sites
        for entry in _items(json_body(resp), "sites"):
            name = _site_name(str(entry.get("siteUrl") or ""))
            if name and name not in sites:
                sites.append(name)
        self._site_list = sites
        return sites

    async def list_host_meetings(self, host: VendorUser) -> list[Meeting] | Outcome:
        """Every series `host` hosts, on each of the admin's sites (a list call names one site)."""
        found: list[Meeting] = []
        for site in await self._sites_to_search():
            params = {"hostEmail": host.id, "meetingType": "meetingSeries", "max": str(PAGE_SIZE),
                      **({"siteUrl": site} if site else {})}
            got = await self._list_pages(params)
            if isinstance(got, Outcome):
                if site == self.site:
                    return got
                continue  # another site we may not read: its meetings are simply not listed
            found += [m for m in got if all(m.id != f.id for f in found)]
        return found

    async def running_meetings(self, host: VendorUser) -> list[str] | Outcome:
        """List Meetings of `host` (hostEmail: the admin token lists for a host) with meetingType=meeting
        and state=inProgress: the meeting instances running now, on the configured site."""
        params = {"hostEmail": host.id, "meetingType": "meeting", "state": "inProgress", "max": str(PAGE_SIZE),
                  **({"siteUrl": self.site} if self.site else {})}
        resp = await self._send("GET", "/meetings", op="webex.list_meetings", params=params)
        if isinstance(resp, Outcome):
            return resp
        return [str(m.get("id")) for m in _items(json_body(resp)) if m.get("id") and m.get("state") == "inProgress"]

    async def _list_pages(self, params: dict[str, str]) -> list[Meeting] | Outcome:
        resp = await self._send("GET", "/meetings", op="webex.list_meetings", params=params)
        found: list[Meeting] = []
        for _ in range(MAX_PAGES):
            if isinstance(resp, Outcome):
                return resp
            found += [self._remember(m) for m in map(_meeting, _items(json_body(resp))) if MEETING_ID.match(m.id)]
            url = resp.links.get("next", {}).get("url", "")
            if not url:
                return found
            if not self._same_origin(url):  # the admin token goes only to the configured API host
                log.warning("webex: ignored a next-page link off WEBEX_API_BASE's host")
                return found
            # The next link carries the whole query (httpx would drop it if given params, even empty ones).
            resp = await self._send("GET", url, op="webex.list_meetings")
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
        if meeting.site:
            self._sites[meeting.id] = meeting.site
        outcome = await self.reassign(target, [meeting.id])
        if outcome.kind is Kind.OK:
            return replace(outcome, current_host=target)
        failed = [i for i in outcome.items if not i.ok]
        if outcome.kind is Kind.PARTIAL and len(failed) == 1:
            item = failed[0]  # one meeting: its 207 item (or what reading it back said) is the answer
            if item.reason == "webex_no_result":  # Webex said nothing about it: whether it moved is unknown
                return Outcome.unknown("webex_no_result", answer_lost=outcome.answer_lost, resent=outcome.resent)
            if item.reason == "vendor_answer_lost":
                return Outcome.unknown(vendor_code=item.detail, answer_lost=outcome.answer_lost, resent=outcome.resent)
            if item.reason == "vendor_unavailable":  # read back: not moved, and Webex keeps failing
                return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=item.detail,
                                           answer_lost=outcome.answer_lost, resent=outcome.resent)
            if item.reason == "webex_third_party_meeting":
                return Outcome(Kind.INVALID, reason=item.reason, remedy="remedy_webex_third_party",
                               vendor_code=item.detail)
            return Outcome(_item_kind(item.detail), reason="vendor_refused", remedy="remedy_webex_item",
                           vendor_code=item.detail, detail=item.reason)
        return outcome

    async def reassign(self, new_host: VendorUser, meeting_ids: Sequence[str],
                       progress: ChunkDone | None = None) -> Outcome:
        ids = list(dict.fromkeys(meeting_ids))  # Webex refuses a list with the same id twice
        by_site = await self._group_by_site(ids)
        results: dict[str, ItemResult] = {}
        stopped: Outcome | None = None
        resent: list[str] = []
        for site, site_ids in by_site.items():
            for chunk in chunked(site_ids, REASSIGN_MAX):
                if stopped is not None:  # the same host and token: the rest would fail the same way
                    results.update({m: ItemResult(m, False, stopped.reason, _item_detail(stopped)) for m in chunk})
                    continue
                got, again = await self._reassign_chunk(new_host, site, chunk)
                resent += again
                if isinstance(got, Outcome):
                    stopped = got
                    results.update({m: ItemResult(m, False, got.reason, _item_detail(got)) for m in chunk})
                else:
                    results.update({i.item: i for i in got})
                if progress is not None and stopped is None:
                    await progress(len(results))
        items = [results[m] for m in ids]
        lost = bool(resent) or any(i.reason == "vendor_answer_lost" for i in items) or _verified(items)
        if stopped is not None and not any(i.ok for i in items):
            return replace(stopped, items=tuple(items), answer_lost=lost or stopped.answer_lost,
                           resent=tuple(resent) or stopped.resent)
        return Outcome.from_items(items, answer_lost=lost, resent=tuple(resent))

    async def _reassign_chunk(self, new_host: VendorUser, site: str,
                              chunk: list[str]) -> tuple[list[ItemResult] | Outcome, list[str]]:
        """One reassignHost call for one site; after a lost answer, read back and resend what did not move."""
        got = await self._post_reassign(new_host, site, chunk)
        if not isinstance(got, Lost):
            return got, []
        hosts = await self._hosted_by(new_host, chunk)
        done = [ItemResult(m, True, "verified_after_lost_answer") for m in chunk if hosts[m]]
        todo = [m for m in chunk if not hosts[m]]
        if not todo:
            return done, []
        again = await self._post_reassign(new_host, site, todo)
        if isinstance(again, Outcome):
            return done + [ItemResult(m, False, again.reason, _item_detail(again)) for m in todo], todo
        if not isinstance(again, Lost):
            return done + again, todo
        # Lost twice: read once more. Not moved (read) = Webex failing; unreadable = unknown.
        hosts = await self._hosted_by(new_host, todo)
        return done + [ItemResult(m, bool(hosts[m]), _lost_reason(hosts[m]), again.code) for m in todo], todo

    async def _post_reassign(self, new_host: VendorUser, site: str,
                             chunk: list[str]) -> list[ItemResult] | Outcome | Lost:
        """The call's per-meeting results, the Outcome of a refusal, or Lost when the answer was lost."""
        body = {"hostEmail": new_host.id, "meetingIds": chunk}
        resp = await self._send("POST", "/meetings/reassignHost", op="webex.reassign", json=body,
                                headers={"siteUrl": site} if site else {}, lost_is_none=True)
        if isinstance(resp, Lost):
            return resp
        if isinstance(resp, Outcome):
            return resp
        if resp.status_code == 204:
            return [ItemResult(m, True) for m in chunk]
        return item_results(json_body(resp), chunk)  # 207

    async def _hosted_by(self, new_host: VendorUser, ids: list[str]) -> dict[str, bool | None]:
        """For each of `ids`: is its host, read back now, `new_host`? (None: it could not be read.)"""
        found: dict[str, bool | None] = {}
        for mid in ids:
            resp = await self._send("GET", f"/meetings/{mid}", op="webex.get_meeting")
            host = json_body(resp).get("hostEmail") if isinstance(resp, httpx.Response) else None
            found[mid] = None if not isinstance(host, str) else host.lower() == new_host.id.lower()
        return found

    async def _group_by_site(self, ids: list[str]) -> dict[str, list[str]]:
        """Meeting ids by the site they belong to (read from the meeting when not known yet)."""
        groups: dict[str, list[str]] = {}
        for mid in ids:
            if mid not in self._sites:
                resp = await self._send("GET", f"/meetings/{mid}", op="webex.get_meeting")
                if isinstance(resp, httpx.Response):
                    self._remember(_meeting(json_body(resp)))
            groups.setdefault(self._sites.get(mid, self.site), []).append(mid)
        return groups

    # ---- plumbing ---------------------------------------------------------------------------
    def _remember(self, meeting: Meeting) -> Meeting:
        if meeting.site and MEETING_ID.match(meeting.id):
            self._sites[meeting.id] = meeting.site
        return meeting

    def _readable(self, meeting: Meeting) -> Meeting | Outcome:
        """The meeting, when the answer named it by a series id (else nothing can be reassigned: unavailable)."""
        if MEETING_ID.match(meeting.id):
            return self._remember(meeting)
        return Outcome.unavailable(remedy="remedy_retry_later", detail="unexpected response")

    def _site_params(self, params: dict[str, str]) -> dict[str, str]:
        return {**params, "siteUrl": self.site} if self.site else params

    async def _send(self, method: str, url: str, *, op: str, headers: dict[str, str] | None = None,
                    lost_is_none: bool = False, **kwargs: Any) -> Any:
        """A 2xx/207 response, an Outcome for Webex's error, or (`lost_is_none`) Lost when a change's
        answer was lost (a 5xx, a timeout, a dropped connection: see bot/vendors/calls.py)."""
        resp = await self.http.request(method, url, op=op,
                                       headers={"Authorization": f"Bearer {self._token}", **(headers or {})},
                                       **kwargs)
        if isinstance(resp, Outcome):
            return Lost(resp.detail) if lost_is_none and resp.kind is Kind.UNKNOWN else resp
        if resp.status_code in (200, 204, 207):
            return resp
        if lost_is_none and answer_lost(resp.status_code):
            return Lost(str(resp.status_code))
        return outcome_for_error(resp, kwargs.get("json"))


def _site_name(url: str) -> str:
    return re.sub(r"^https?://", "", url).split("#")[0].strip("/")


def _meeting(m: dict[str, Any]) -> Meeting:
    host = VendorUser(str(m.get("hostEmail") or ""), name=str(m.get("hostDisplayName") or ""))
    number = str(m.get("meetingNumber") or "")
    # reassignHost takes series ids only: a scheduled meeting or an instance stands for its series.
    series = str(m.get("meetingSeriesId") or m.get("id") or "")
    state = str(m.get("state") or "")
    return Meeting(vendor="webex", id=series, display=webex_digits(number) if number else series,
                   topic=str(m.get("title") or ""), host=host if host.id else None,
                   in_progress=state in IN_PROGRESS_STATES, ended=state in ENDED_STATES,
                   site=_site_name(str(m.get("siteUrl") or "")))


def _items(body: dict[str, Any], key: str = "items") -> list[dict[str, Any]]:
    """The objects of a list field; anything of another shape (a vendor or proxy gone wrong) is left out."""
    found = body.get(key)
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def _lost_reason(moved: bool | None) -> str:
    """The reason of an item whose answer was lost twice: none when it moved after all."""
    if moved:
        return ""
    return "vendor_answer_lost" if moved is None else "vendor_unavailable"


def _verified(items: list[ItemResult]) -> bool:
    return any(i.reason == "verified_after_lost_answer" for i in items)


def _item_detail(outcome: Outcome) -> str:
    """What an item stopped by `outcome` keeps: the seconds to wait when rate-limited, else the code."""
    if outcome.retry_after is not None:
        return f"{outcome.retry_after:.0f}"
    return outcome.vendor_code


def _item_kind(status: str) -> Kind:
    try:
        return {400: Kind.INVALID, 403: Kind.DENIED, 404: Kind.NOT_FOUND}.get(int(status), Kind.INVALID)
    except ValueError:
        return Kind.INVALID
