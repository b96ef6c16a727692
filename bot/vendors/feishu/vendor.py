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
  at most a few seconds. GETs are repeated after a 5xx or a timeout; set_host and invite never are
  blindly (bot/vendors/calls.py: a repeated set_host would meet its own CAS, a repeated invite would
  ring people twice). After a 5xx, a timeout, a dropped connection or a gateway's HTML page, the
  meeting is read back: a host that already is the target, an invitee already being called, counts
  as done; only what did not happen is sent once more. Unreadable: Kind.UNKNOWN.
- set_host's answer carries `data.host_user`, the host now: it is checked against the target (a
  success naming someone else is no success), and a CAS conflict (121006) whose current host already
  is the target is the change we wanted, not "the host changed, retry?".
- invite has its own error table (INVITE_ERRORS, from its doc): 122001 means "not running, nobody can
  be called in", not set_host's "host only changes while running"; 121002 "not supported", not
  "cannot take the host role".
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol, TypeVar

import httpx

from bot.core.model.outcome import ItemResult, Kind, Outcome, VendorUser
from bot.core.model.vendor import ChunkDone, Meeting, MeetingRef, MeetingVendor, group_digits, plain_number
from bot.lark_lazy import LazyModule, preloaded
from bot.store import UserToken
from bot.telemetry.logs import event
from bot.vendors.base import chunked
from bot.vendors.calls import answer_lost, repeatable
from bot.vendors.feishu.auth import TOKEN_INVALID, FeishuAuth, build_client, lark_core, lark_errors
from bot.vendors.feishu.errors import (
    ERROR_TABLE,
    INVITE_ERRORS,
    RATE_LIMIT_CODE,
    REACHED,
    code_of,
    invite_outcome,
    no_answer,
    outcome_for_error,
    retry_after_of,
    unreadable,
    user_of,
)
from bot.vendors.feishu.numbers import NumberCache
from bot.vendors.http import RateLimiter, RetryPolicy, Sleep

log = logging.getLogger(__name__)
vc = LazyModule("lark_oapi.api.vc.v1")  # imported at the first call (bot/lark_lazy.py)

R = TypeVar("R")

# SDK request type -> its operation in bot/vendors/calls.py (what may be repeated after a lost answer)
CALL_OPS = {"SetHostMeetingRequest": "feishu.set_host", "InviteMeetingRequest": "feishu.invite",
            "GetMeetingRequest": "feishu.get_meeting", "ListByNoMeetingRequest": "feishu.list_by_no"}
CALLEE_BUSY = 122007  # concerns the invitees of one call: later chunks are still tried
IN_PROGRESS, ENDED = 2, 3  # meeting status (vendor-notes: 1 calling, 2 in progress, 3 ended; UNCONFIRMED)
NUMBER_WINDOW_S = 24 * 3600  # list_by_no looks back this far for a meeting number
INVITE_MAX = 10  # "一次性最多支持邀请10人"
RATE_WINDOWS = ((50, 1.0), (1000, 60.0))  # set_host / invite: 50/s and 1000/min
INVITE_OK, INVITE_FAILED = 1, 2


class UserTokens(Protocol):
    """Where user tokens come from (the Store; the Feishu OAuth flow puts them there)."""

    async def user_token(self, vendor: str, subject: str) -> UserToken | None: ...


class FeishuVendor(MeetingVendor):
    key = "feishu"
    operations = frozenset({"set_host", "invite", "who_is_host"})
    host_change_needs_running = True  # 122001: the host changes only while the meeting runs
    atomic_changes = True  # set_host carries the old host (CAS, 121006); invite changes nobody's role

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
        self.numbers = NumberCache()  # number -> meeting_id of running meetings (bot/vendors/feishu/numbers.py)

    # ---- identity of meetings ----------------------------------------------------------------
    def claims(self, ref: MeetingRef) -> bool:
        if ref.vendor not in (None, self.key):
            return False
        return ref.id.isdigit() and len(ref.id) in (9, 19)

    async def find_meeting(self, ref: MeetingRef) -> Meeting | Outcome:
        await preloaded()  # a request finds its meeting first: it waits here for lark-oapi's preload (lark_lazy)
        number = plain_number(ref.id)  # "123 456 789", as Feishu and hostbot print it
        if len(number) == 9:
            return await self._find_by_number(number)
        return await self._get_meeting(number)

    async def _find_by_number(self, number: str) -> Meeting | Outcome:
        cached = self.numbers.get(number)
        if cached is not None:  # still read: the host (CAS) and the authority come from this answer
            got = await self._get_meeting(cached)
            if isinstance(got, Meeting) and got.in_progress and plain_number(got.display) == number:
                return got
            if isinstance(got, Outcome) and got.kind is not Kind.NOT_FOUND:
                return got  # no answer about it (unavailable, rate limited...): nothing learnt, nothing dropped
            self.numbers.forget(cached)  # gone, over, or the number is another meeting's now: ask again
        found = await self._resolve_number(number)
        if isinstance(found, Meeting) and found.in_progress:
            self.numbers.put(number, found.id)
        return found

    async def _resolve_number(self, number: str) -> Meeting | Outcome:
        now = int(self.clock())
        req = (vc.ListByNoMeetingRequest.builder().meeting_no(number).start_time(str(now - NUMBER_WINDOW_S))
               .end_time(str(now)).page_size(20).build())
        resp = await self._call(self.client.vc.v1.meeting.alist_by_no, req)
        if isinstance(resp, Outcome):
            return resp
        briefs = list(resp.data.meeting_briefs or []) if resp.data else []
        if not briefs:
            return Outcome(Kind.NOT_FOUND, reason="meeting_no_match", remedy="remedy_check_meeting", meeting=number)
        if not all(str(b.id or "").isdigit() for b in briefs):
            return unreadable()
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
                       meeting=number, candidates=tuple(m.id for m in (running or found)))

    async def _get_meeting(self, meeting_id: str) -> Meeting | Outcome:
        got = await self._read_meeting(meeting_id)
        if isinstance(got, Outcome):
            return got
        return Meeting(vendor=self.key, id=str(got.id), display=group_digits(str(got.meeting_no or got.id)),
                       topic=str(got.topic or ""), host=user_of(got.host_user), in_progress=got.status == IN_PROGRESS,
                       ended=got.status == ENDED)

    async def _read_meeting(self, meeting_id: str, participants: bool = False) -> Any:
        """The SDK's meeting object (with its participants when asked), or an Outcome."""
        req = (vc.GetMeetingRequest.builder().meeting_id(int(meeting_id)).with_participants(participants)
               .user_id_type("open_id").build())
        resp = await self._call(self.client.vc.v1.meeting.aget, req)
        if isinstance(resp, Outcome):
            return resp
        m = resp.data.meeting if resp.data else None
        if m is None or not str(m.id or "").isdigit():
            return unreadable()
        return m

    # ---- host change ---------------------------------------------------------------------
    async def set_host(self, meeting: Meeting, target: VendorUser, expected_host: VendorUser | None) -> Outcome:
        return self.numbers.forget_if_gone(meeting.id, await self._set_host(meeting, target, expected_host))

    async def _set_host(self, meeting: Meeting, target: VendorUser, expected_host: VendorUser | None) -> Outcome:
        body = vc.SetHostMeetingRequestBody.builder().host_user(
            vc.MeetingUser.builder().id(target.id).user_type(target.user_type).build())
        old = expected_host or meeting.host
        if old is not None:  # CAS: Feishu refuses with 121006 if the host is no longer `old`
            body = body.old_host_user(vc.MeetingUser.builder().id(old.id).user_type(old.user_type).build())
        req = (vc.SetHostMeetingRequest.builder().meeting_id(int(meeting.id)).user_id_type("open_id")
               .request_body(body.build()).build())
        outcome = await self._set_host_once(meeting, target, req)
        if outcome.kind is not Kind.UNKNOWN:
            return outcome
        # The answer was lost: read the host back; send again (same CAS) only if it did not change, once.
        for attempt in (0, 1):
            now = await self._get_meeting(meeting.id)
            if isinstance(now, Outcome):
                return replace(outcome, answer_lost=True)
            resent = (meeting.id,) if attempt else ()
            if now.host is not None and now.host.id == target.id:  # http_status: a 5xx (handlers/common.py)
                return Outcome.success(current_host=now.host, answer_lost=True, resent=resent,
                                       http_status=outcome.http_status)
            if attempt:  # read back twice: not changed, and Feishu keeps failing
                reason = "vendor_timeout" if outcome.detail == "timeout" else "vendor_unavailable"
                return Outcome.unavailable(reason, remedy="remedy_retry_later", vendor_code=outcome.vendor_code,
                                           detail=outcome.detail, answer_lost=True, resent=resent)
            again = await self._set_host_once(meeting, target, req)
            if again.kind is not Kind.UNKNOWN:
                return replace(again, answer_lost=True, resent=(meeting.id,), http_status=outcome.http_status)
            outcome = again
        raise AssertionError("unreachable")

    async def _set_host_once(self, meeting: Meeting, target: VendorUser, req: Any) -> Outcome:
        """One set_host call, its answer checked: `data.host_user` must be the target; a CAS conflict whose
        current host already is the target is what we wanted."""
        resp = await self._call(self.client.vc.v1.meeting.aset_host, req)
        if isinstance(resp, Outcome):
            if resp.kind is Kind.CONFLICT and resp.current_host is not None and resp.current_host.id == target.id:
                return Outcome.success(current_host=resp.current_host, unchanged=True)
            return resp
        host = user_of(resp.data.host_user) if resp.data else None
        if host is None:  # the answer does not say: ask the meeting
            now = await self._get_meeting(meeting.id)
            host = now.host if isinstance(now, Meeting) else None
        if host is not None and host.id != target.id:
            return Outcome.conflict(host, reason="feishu_host_not_target", vendor_code="0")
        return Outcome.success(current_host=host or target)

    # ---- invite (user token only) -----------------------------------------------------------
    async def invite(self, meeting: Meeting, users: Sequence[VendorUser], actor: VendorUser | None,
                     progress: ChunkDone | None = None) -> Outcome:
        token = await self._actor_token(actor, meeting)
        if isinstance(token, Outcome):
            return token
        items: list[ItemResult] = []
        errors: list[Outcome] = []  # answers that failed a whole call
        stopped: Outcome | None = None
        for chunk in chunked(list(users), INVITE_MAX):
            if stopped is not None:  # what stopped us applies to the rest as well
                items += [ItemResult(u.id, False, stopped.reason, stopped.detail) for u in chunk]
                continue
            resp = await self._invite_chunk(meeting, chunk, token)
            if isinstance(resp, Outcome):
                errors.append(resp)
                items += [ItemResult(u.id, False, resp.reason, resp.detail) for u in chunk]
                if resp.vendor_code != str(CALLEE_BUSY):
                    stopped = resp
                continue
            items += resp
            if progress is not None:
                await progress(len(items))
        if errors and {i.reason for i in items} == {errors[0].reason}:
            # Nobody was invited, for one reason: answer with that reason rather than a list.
            answer = await self._with_authorization(replace(errors[0], items=tuple(items)), actor, meeting)
            return self.numbers.forget_if_gone(meeting.id, answer)
        return Outcome.from_items(items)

    async def precheck(self, op: str, meeting: Meeting, users: Sequence[VendorUser],
                       actor: VendorUser | None) -> Outcome | None:
        """Feishu changes hosts and invites only in a running meeting, and invites only with the
        requester's own authorization: both are known before anybody is asked to approve."""
        if op in ("set_host", "invite") and not meeting.in_progress:  # each with its own doc's advice
            kind, reason, remedy = (INVITE_ERRORS if op == "invite" else ERROR_TABLE)[122001]
            return Outcome(kind, reason=reason, remedy=remedy)
        if op == "invite":
            token = await self._actor_token(actor, meeting)
            if isinstance(token, Outcome):
                return token
        return None

    async def _actor_token(self, actor: VendorUser | None, meeting: Meeting) -> str | Outcome:
        """The requester's own user_access_token (renewed first when about to expire:
        bot/adapters/feishu/people/oauth.py), or DENIED telling them to authorize hostbot, with the link."""
        refresh = getattr(self.user_tokens, "refresh_if_due", None)
        if refresh is not None and actor is not None:
            await refresh(actor.id)
        grant = await self.user_tokens.user_token(self.key, actor.id) if actor and self.user_tokens else None
        if grant is None or not grant.token:
            missing = Outcome(Kind.DENIED, reason="feishu_user_token_missing", remedy="remedy_authorize_hostbot")
            return await self._with_authorization(missing, actor, meeting)
        if grant.expires_at is not None and grant.expires_at.timestamp() <= self.clock():
            expired = Outcome(Kind.DENIED, reason="feishu_user_token_expired", remedy="remedy_authorize_hostbot")
            return await self._with_authorization(expired, actor, meeting)
        return grant.token

    async def _invite_chunk(self, meeting: Meeting, chunk: list[VendorUser], token: str) -> list[ItemResult] | Outcome:
        """Invite one chunk. When the answer is lost, read the participants back: whoever is being called
        or is in the meeting was invited; only the others are invited again, once (calls.py)."""
        got = await self._invite_call(meeting, chunk, token)
        if not (isinstance(got, Outcome) and got.kind is Kind.UNKNOWN):
            return got
        reached = await self._reached(meeting.id)
        if reached is None:
            return [ItemResult(u.id, False, "vendor_answer_lost", got.vendor_code) for u in chunk]
        done = [ItemResult(u.id, True, "verified_after_lost_answer") for u in chunk if u.id in reached]
        left = [u for u in chunk if u.id not in reached]
        if not left:
            return done
        again = await self._invite_call(meeting, left, token)
        if isinstance(again, Outcome) and again.kind is Kind.UNKNOWN:  # lost twice: read once more
            read = await self._reached(meeting.id)
            done += [ItemResult(u.id, True, "verified_after_lost_answer") for u in left if u.id in (read or ())]
            left = [u for u in left if u.id not in (read or ())]
            if not done:  # nothing went through: the chunk's answer is Feishu failing (or unknown)
                return again if read is None else Outcome.unavailable(
                    remedy="remedy_retry_later", vendor_code=again.vendor_code, detail=again.detail)
        if isinstance(again, Outcome):
            return done + [ItemResult(u.id, False, again.reason, again.detail) for u in left]
        return done + again

    async def _invite_call(self, meeting: Meeting, chunk: list[VendorUser], token: str) -> list[ItemResult] | Outcome:
        body = vc.InviteMeetingRequestBody.builder().invitees(
            [vc.MeetingUser.builder().id(u.id).user_type(u.user_type).build() for u in chunk]).build()
        req = (vc.InviteMeetingRequest.builder().meeting_id(int(meeting.id)).user_id_type("open_id")
               .request_body(body).build())
        resp = await self._call(self.client.vc.v1.meeting.ainvite, req, user_token=token, on_error=invite_outcome)
        if isinstance(resp, Outcome):
            return resp
        results = {str(r.id): r.status if isinstance(r.status, int) else 0
                   for r in (resp.data.invite_results or [])} if resp.data else {}
        return [ItemResult(u.id, results.get(u.id) == INVITE_OK,
                           "" if results.get(u.id) == INVITE_OK else "invite_failed") for u in chunk]

    async def _reached(self, meeting_id: str) -> set[str] | None:
        """Who is being called, ringing or in the meeting now (None: the meeting could not be read)."""
        m = await self._read_meeting(meeting_id, participants=True)
        if isinstance(m, Outcome):
            return None
        return {str(p.id) for p in (m.participants or []) if p.status in REACHED}

    async def _with_authorization(self, outcome: Outcome, actor: VendorUser | None, meeting: Meeting) -> Outcome:
        """A DENIED asking the person to authorize hostbot carries the link to do it (`authorize_url`),
        when the token source can make one (bot/adapters/feishu/people/oauth.py: it needs HOSTBOT_PUBLIC_URL).
        The link's state keeps `meeting`: the request resumes on it, whatever the thread is linked to then."""
        offer = getattr(self.user_tokens, "authorization", None)
        if outcome.remedy != "remedy_authorize_hostbot" or offer is None or actor is None:
            return outcome
        link = await offer(actor.id, meeting.id)
        if link is None:
            return outcome
        url, remedy = link
        return replace(outcome, remedy=remedy, authorize_url=url)

    # ---- plumbing ------------------------------------------------------------------------
    async def _call(self, method: Callable[..., Awaitable[R]], req: Any, *, user_token: str = "",
                    on_error: Callable[[Any], Outcome] | None = None) -> R | Outcome:
        """Run one SDK call under the rate limit, with our tenant token (or `user_token`).

        A rejected tenant token is refreshed once. A 429 asking for at most `retry.max_wait` s is
        waited out; reads are also repeated after a 5xx or a timeout. A change (bot/vendors/calls.py:
        set_host, invite) is not: a timeout, a dropped connection, a 5xx or a gateway's page is
        Kind.UNKNOWN, and the caller reads the meeting back.
        """
        safe = repeatable(CALL_OPS.get(type(req).__name__, "feishu.get_meeting"))
        last = self.retry.attempts - 1
        refreshed = False
        attempt = 0
        while True:
            if user_token:
                option = lark_core.RequestOption.builder().user_access_token(user_token).build()
            else:
                token = await self.auth.token(refresh=refreshed)
                if isinstance(token, Outcome):
                    return token
                option = lark_core.RequestOption.builder().tenant_access_token(token).build()
            await self.limiter.acquire()
            started = time.monotonic()
            try:
                resp: Any = await method(req, option)
            except (httpx.HTTPError, OSError, ValueError, TypeError, AttributeError,
                    lark_errors.UnmarshalException) as exc:
                if safe and attempt < last and isinstance(exc, httpx.TimeoutException):
                    attempt += 1
                    await self.limiter.sleep(self.retry.delay(attempt))
                    continue
                return no_answer(exc, safe)
            status = int(getattr(resp.raw, "status_code", 0) or 0)
            event(log, "vendor http", vendor=self.key, call=type(req).__name__, status=status, code=resp.code,
                  ms=round((time.monotonic() - started) * 1000, 1), attempt=attempt + 1)
            if resp.code in TOKEN_INVALID and not user_token and not refreshed:
                refreshed = True
                continue
            if resp.success():
                return resp
            if attempt < last and (status == 429 or resp.code == RATE_LIMIT_CODE):
                wait = retry_after_of(resp)
                if wait <= self.retry.max_wait:
                    attempt += 1
                    self.limiter.pause(wait)  # the next acquire() waits it out, for every caller
                    continue
            if safe and status >= 500 and attempt < last:
                attempt += 1
                await self.limiter.sleep(self.retry.delay(attempt))
                continue
            if not safe and answer_lost(status):  # a change that may have happened: read back first
                return Outcome.unknown(vendor_code=str(code_of(resp) or status), detail=str(resp.msg or ""),
                                       http_status=status)
            return (on_error or outcome_for_error)(resp)

