"""DingTalk video conferences over httpx: co-hosts add/remove and conference lookup (vendor-notes §C).

API host: the default is https://api.dingtalk.com, the host of the official SDK (aliyun/dingtalk-sdk,
conference_1_0) and of vendor-notes §C; it is the one that works for apps of dingtalk.com tenants.
The seed doc (vendor-docs/dingtalk-conference-cohosts.md) names https://api.dingtalk.io, the host of
DingTalk's international site: a tenant there sets DINGTALK_API_BASE=https://api.dingtalk.io (same
paths, same bodies; UNCONFIRMED beyond the doc's sample request). README "Vendors" says the same.

Vendor quirks handled here:
- DingTalk has no "transfer host" API, only co-hosts (`coHosts/set`, action add|remove): set_host
  answers op_not_supported and handlers offer add_cohost instead.
- App token: POST /v1.0/oauth2/accessToken with JSON {appKey, appSecret} (form bodies are refused)
  -> {accessToken, expireIn (7200 s)}. Token calls are throttled, so it is cached until five
  minutes before it expires, and refreshed once when an answer says it is no longer valid.
- The token goes in the `x-acs-dingtalk-access-token` header as is. The official SDK JSON-encodes
  (quotes) it, which the gateway refuses with InvalidAuthentication (dingtalk_error_samples.json).
- Errors are non-2xx with {"code": "<name>", "message", "requestid"} (lowercase requestid); the
  codes of the coHosts doc are unknownUserError, paramsError and systemError.
- coHosts/set answers {"success": true}; {"success": false} (no error code) is DingTalk declining
  without saying why: reported as such (dingtalk_success_false), not as an internal error.
- Who already is a co-host: GET /v1.0/conference/videoConferences/{conferenceId}/members
  (QueryConferenceMembers in the official SDK) -> memberModels[{unionId, host, coHost, ...}] (host and
  coHost are booleans in the C# SDK, numbers in a TypeScript port: both read). Adding someone who
  already is one sends nothing and answers data["unchanged"]; it is also how a change whose answer
  was lost is read back (bot/vendors/calls.py: coHosts/set is never repeated blindly).
- A paramsError whose message says the conference has not started or has ended gets those words
  (GUESS: the message text; the doc only has "error:%s").
- Looking a conference up: GET /v1.0/conference/videoConferences/{conferenceId} (QueryConferenceInfo
  in the official SDK) -> confInfo {title, status 0 created / 1 started / 2 ended, creatorId =
  the creator's unionId, creatorNick, roomCode}. DingTalk reports no current host: the creator is
  taken as host and organizer.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import httpx

from bot.core.model.outcome import Kind, Outcome, VendorUser
from bot.core.model.vendor import Meeting, MeetingRef, MeetingVendor, unsupported
from bot.vendors.calls import answer_lost
from bot.vendors.http import RetryPolicy, Sleep, TokenCache, VendorHTTP, json_body, rate_limited

# coHosts/set error codes (vendor-docs/dingtalk-conference-cohosts.md) -> outcome
ERROR_TABLE: dict[str, tuple[Kind, str, str]] = {
    "unknownUserError": (Kind.NOT_FOUND, "dingtalk_unknown_user", "remedy_dingtalk_union_id"),
    "paramsError": (Kind.INVALID, "dingtalk_params_error", "remedy_check_meeting"),
    "systemError": (Kind.UNAVAILABLE, "vendor_unavailable", "remedy_retry_later"),
}
# Token refused: seen in third-party reports (vendor-oracles/dingtalk), not an official list.
TOKEN_CODES = {"InvalidAuthentication", "authFailed", "InvalidAccessToken"}
# Missing API permission, e.g. Forbidden.AccessDenied.AccessTokenPermissionDenied (UNCONFIRMED name;
# matched by prefix) with HTTP 403.
PERMISSION_PREFIX = "Forbidden"
CREATED, STARTED, ENDED = 0, 1, 2
# paramsError messages that name the conference's state (GUESS: DingTalk's wording; the fake uses these)
NOT_STARTED_WORDS = re.compile(r"not started|未开始", re.I)
ENDED_WORDS = re.compile(r"\bended\b|已结束", re.I)
# A conferenceId as the API doc shows it ("644272f14ba33101xxxx-xxxxx"): letters and digits, dashes.
CONFERENCE_ID = re.compile(r"^(?=.*\d)(?=.*[a-z])[0-9a-z][0-9a-z-]{11,63}$", re.I)


class DingTalkVendor(MeetingVendor):
    key = "dingtalk"
    operations = frozenset({"add_cohost", "remove_cohost", "who_is_host"})
    # GUESS: co-hosts are a role inside a running conference (the fake refuses them before it starts).
    host_change_needs_running = True

    def __init__(self, app_key: str, app_secret: str, api_base: str = "https://api.dingtalk.com", *,
                 transport: httpx.AsyncBaseTransport | None = None, sleep: Sleep = asyncio.sleep,
                 retry: RetryPolicy | None = None) -> None:
        self.app_key, self._secret = app_key, app_secret
        # No documented rate for coHosts/set: rely on 429 + Retry-After rather than a guessed window.
        self.http = VendorHTTP(self.key, api_base, transport=transport, sleep=sleep, retry=retry)
        self.tokens = TokenCache(self._fetch_token, margin=300.0)

    # ---- meetings --------------------------------------------------------------------------
    def claims(self, ref: MeetingRef) -> bool:
        if ref.vendor is not None:
            return ref.vendor == self.key
        return bool(CONFERENCE_ID.match(ref.id)) and "-" in ref.id

    async def find_meeting(self, ref: MeetingRef) -> Meeting | Outcome:
        resp = await self._send("GET", f"/v1.0/conference/videoConferences/{ref.id}", op="dingtalk.get_conference")
        if isinstance(resp, Outcome):
            if resp.reason == "dingtalk_params_error":  # an unknown conferenceId is a parameter error
                return Outcome(Kind.NOT_FOUND, reason="meeting_not_found", remedy="remedy_check_meeting",
                               vendor_code=resp.vendor_code, detail=resp.detail)
            return resp
        info = json_body(resp).get("confInfo") or {}
        if not isinstance(info, dict):  # a 200 of another shape than the API's: nothing to act on
            return Outcome.unavailable(remedy="remedy_retry_later", detail="unexpected response")
        if not info:
            return Outcome(Kind.NOT_FOUND, reason="meeting_not_found", remedy="remedy_check_meeting")
        creator = VendorUser(str(info.get("creatorId") or ""), name=str(info.get("creatorNick") or ""))
        conference_id = str(info.get("conferenceId") or ref.id)
        # Shown as its conferenceId: that is what people give hostbot (the roomCode is for joining).
        return Meeting(vendor=self.key, id=conference_id, display=conference_id, topic=str(info.get("title") or ""),
                       host=creator if creator.id else None, in_progress=info.get("status") == STARTED,
                       organizer=creator if creator.id else None, ended=info.get("status") == ENDED)

    async def running_meetings(self, host: VendorUser) -> list[str] | Outcome:
        """QueryUserOnGoingConference (official SDK, conference_1_0): GET /v1.0/conference/users/lists
        ?unionId= -> onGoingConfIdList, the conferences the user is in now (not only those they host:
        bot/core/world/running.py keeps those whose creator they are)."""
        resp = await self._send("GET", "/v1.0/conference/users/lists", op="dingtalk.user_conferences",
                                params={"unionId": host.id})
        if isinstance(resp, Outcome):
            return resp
        ids = json_body(resp).get("onGoingConfIdList")
        return [str(i) for i in ids if isinstance(i, str) and i] if isinstance(ids, list) else []

    async def set_host(self, meeting: Meeting, target: VendorUser, expected_host: VendorUser | None) -> Outcome:
        return unsupported("set_host")  # only co-hosts: see the module docstring

    async def who_is_host(self, meeting: Meeting) -> Outcome:
        found = await self.find_meeting(MeetingRef(self.key, meeting.id))
        if isinstance(found, Outcome):
            return found
        # DingTalk tells the creator, not who hosts now, nor the co-hosts: say so in the reply.
        return Outcome.success(current_host=found.host, creator_only=True, ended=found.ended)

    async def read_back(self, meeting: Meeting) -> Outcome:
        """After a co-host change: the creator, and the co-hosts the members list reports now."""
        found = await self.who_is_host(meeting)
        state = await self._cohost_state(meeting.id) if found.ok else None
        if state is None:  # the members cannot be read: no list, rather than a wrong one
            return Outcome.unavailable(remedy="remedy_retry_later")
        return replace(found, cohosts=tuple(uid for uid, co in state.items() if co))

    # ---- co-hosts ---------------------------------------------------------------------------
    async def add_cohost(self, meeting: Meeting, users: Sequence[VendorUser]) -> Outcome:
        return await self._cohosts(meeting, "add", users)

    async def remove_cohost(self, meeting: Meeting, users: Sequence[VendorUser]) -> Outcome:
        return await self._cohosts(meeting, "remove", users)

    async def _cohosts(self, meeting: Meeting, action: str, users: Sequence[VendorUser]) -> Outcome:
        wanted = action == "add"
        before = await self._cohost_state(meeting.id)
        todo = [u for u in users if before is None or before.get(u.id, False) != wanted]
        if not todo:  # every one of them already is (or is not) a co-host: nothing to send
            return Outcome.success(unchanged=True)
        sent = await self._set_cohosts(meeting.id, action, todo)
        if sent.kind is not Kind.UNKNOWN:
            return sent
        # The answer was lost (5xx, timeout): read back, and send again only who did not change, once.
        lost: Outcome = sent
        for attempt in (0, 1):
            after = await self._cohost_state(meeting.id)
            if after is None:  # cannot tell what happened: say so, never guess
                return replace(lost, answer_lost=True)
            left = [u for u in todo if after.get(u.id, False) != wanted]
            resent = tuple(u.id for u in (left if attempt == 0 else todo))
            if not left:  # http_status: a 5xx is the vendor's error, not a lost answer (handlers/common.py)
                return Outcome.success(answer_lost=True, resent=resent, http_status=lost.http_status)
            if attempt == 1:  # read back twice and still not done: DingTalk is failing, nothing happened
                return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=lost.vendor_code,
                                           detail=lost.detail, answer_lost=True, resent=resent)
            again = await self._set_cohosts(meeting.id, action, left)
            if again.kind is not Kind.UNKNOWN:
                return replace(again, answer_lost=True, resent=resent, http_status=lost.http_status)
            lost, todo = again, left
        raise AssertionError("unreachable")

    async def _set_cohosts(self, conference_id: str, action: str, users: Sequence[VendorUser]) -> Outcome:
        """One coHosts/set call: its Outcome; Kind.UNKNOWN when the answer was lost (bot/vendors/calls.py)."""
        body = {"action": action, "userList": [{"unionId": u.id} for u in users]}
        resp = await self._send("POST", f"/v1.0/conference/videoConferences/{conference_id}/coHosts/set",
                                op="dingtalk.cohosts", json=body, change=True)
        if isinstance(resp, Outcome):
            return resp
        if json_body(resp).get("success") is True:
            return Outcome.success()
        return Outcome(Kind.INVALID, reason="dingtalk_success_false", remedy="remedy_dingtalk_success_false",
                       vendor_code="success=false", detail=str(json_body(resp).get("requestid") or ""))

    async def _cohost_state(self, conference_id: str) -> dict[str, bool] | None:
        """unionId -> is a co-host now, from the conference's members (None when they cannot be read)."""
        resp = await self._send("GET", f"/v1.0/conference/videoConferences/{conference_id}/members",
                                op="dingtalk.members", params={"maxResults": "300"})
        if isinstance(resp, Outcome):
            return None
        members = json_body(resp).get("memberModels")
        if not isinstance(members, list):
            return None
        return {str(m.get("unionId")): bool(m.get("coHost")) for m in members if isinstance(m, dict)}

    # ---- plumbing ---------------------------------------------------------------------------
    async def _fetch_token(self) -> tuple[str, float] | Outcome:
        resp = await self.http.request("POST", "/v1.0/oauth2/accessToken", op="dingtalk.token",
                                       json={"appKey": self.app_key, "appSecret": self._secret})
        if isinstance(resp, Outcome):
            return resp
        body = json_body(resp)
        if resp.status_code == 200 and body.get("accessToken"):
            return str(body["accessToken"]), float(body.get("expireIn") or 7200)
        if resp.status_code >= 500 or resp.status_code == 429:
            return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=str(body.get("code", "")))
        return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_dingtalk_credentials",
                       vendor_code=str(body.get("code", resp.status_code)), detail=str(body.get("message", "")))

    async def _send(self, method: str, path: str, *, op: str, change: bool = False,
                    **kwargs: Any) -> httpx.Response | Outcome:
        """One API call with the app token: a 2xx response, or the Outcome of DingTalk's error. For a
        `change`, a lost answer (a 5xx, a timeout, a dropped connection) is Kind.UNKNOWN."""
        for attempt in (0, 1):
            token = await self.tokens.get(refresh=attempt == 1)
            if isinstance(token, Outcome):
                return token
            resp = await self.http.request(method, path, op=op,
                                           headers={"x-acs-dingtalk-access-token": token}, **kwargs)
            if isinstance(resp, Outcome) or resp.is_success:
                return resp
            if change and answer_lost(resp.status_code):
                body = json_body(resp)
                return Outcome.unknown(vendor_code=str(body.get("code") or resp.status_code),
                                       detail=str(body.get("message") or ""), http_status=resp.status_code)
            code = str(json_body(resp).get("code") or "")
            if attempt == 0 and (resp.status_code == 401 or code in TOKEN_CODES):
                continue  # expired or revoked: fetch a new token once
            return _outcome_for_error(resp)
        return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_dingtalk_credentials")


def _outcome_for_error(resp: httpx.Response) -> Outcome:
    body = json_body(resp)
    code = str(body.get("code") or "")
    detail = str(body.get("message") or "")
    status = resp.status_code
    if code == "paramsError" and NOT_STARTED_WORDS.search(detail):
        return Outcome(Kind.INVALID, reason="dingtalk_conference_not_started", remedy="remedy_dingtalk_when_running",
                       vendor_code=code, detail=detail)
    if code == "paramsError" and ENDED_WORDS.search(detail):
        return Outcome(Kind.INVALID, reason="dingtalk_conference_ended", remedy="remedy_check_meeting",
                       vendor_code=code, detail=detail)
    if code in ERROR_TABLE:
        kind, reason, remedy = ERROR_TABLE[code]
        return Outcome(kind, reason=reason, remedy=remedy, vendor_code=code, detail=detail)
    if status == 429 or code.startswith("Throttling"):
        return rate_limited(resp, code)
    if code in TOKEN_CODES or status == 401:
        return Outcome(Kind.DENIED, reason="vendor_credentials_rejected", remedy="remedy_dingtalk_credentials",
                       vendor_code=code or str(status), detail=detail)
    if status == 403 or code.startswith(PERMISSION_PREFIX):
        return Outcome(Kind.DENIED, reason="dingtalk_no_permission", remedy="remedy_dingtalk_permission",
                       vendor_code=code or str(status), detail=detail)
    if status >= 500:
        return Outcome.unavailable(remedy="remedy_retry_later", vendor_code=code or str(status), detail=detail)
    return Outcome(Kind.INVALID, reason="vendor_error_unknown", remedy="remedy_report_bug",
                   vendor_code=code or str(status), detail=detail)
