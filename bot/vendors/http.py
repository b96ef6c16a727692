"""Vendor HTTP plumbing every vendor shares: client-side rate limits, retries, timeouts.

    RateLimiter   sliding windows (Feishu: 50 per second and 1000 per minute) kept by booking each call a
                  slot on an even schedule, with the safety margin as time; plus a shared pause that a
                  vendor's Retry-After imposes on every later call, not just the refused one; with
                  `share(budget)` (PostgreSQL: bot/store/postgres/budget.py) the slots are booked in the
                  database for every replica, since the limits are per app; a request waiting in it gives
                  its turn to the next (bot/core/request/admission.py)
    RetryPolicy   how often and how long: exponential backoff, and the longest Retry-After we wait
                  out before answering RATE_LIMITED instead
    VendorHTTP    one httpx.AsyncClient (constructor-injected: tests pass a transport or point it at
                  the sandbox) + limiter + policy; `request()` returns an httpx.Response or, when no
                  answer could be had, an UNAVAILABLE Outcome

What is retried, and when (the rule every vendor module relies on):
  429, 423   refused before anything was done: repeated after Retry-After (or a backoff) up to `max_wait`;
  5xx, timeouts, dropped connections
             the request may or may not have been carried out: repeated only when bot/vendors/calls.py
             says the operation (`op`) is repeatable (reads, token calls). For a change a 5xx goes back as
             it is; a timeout or dropped connection is Kind.UNKNOWN (sent, answer lost): the caller reads back.
             A connection that was never made (refused, connect timeout) is UNAVAILABLE: nothing was sent;
  anything else is the vendor's answer and goes back to the caller untouched.
Nothing here logs headers or bodies, so tokens never reach a log.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import logging
import ssl
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from bot.core.model.outcome import Kind, Outcome
from bot.core.request.admission import vendor_bound
from bot.telemetry.logs import event
from bot.vendors.calls import NOT_SENT, repeatable

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
REFUSED = (423, 429)  # answered without doing anything: safe to repeat
# The safety margin of every rate window, as time: `limit` calls per `period + MARGIN_S`, so a call may reach the
# vendor up to MARGIN_S after its slot and no window there holds more than `limit`. LATE_S of it is the limiter's
# (a call woken later books another slot); the rest covers building the request, the loop, the network. On 2 busy
# cores (bench/limits.py, 500 /host at 100 at a time) the fake saw 52 VC calls in a second with 30 ms, 50 with 50.
MARGIN_S = 0.050
LATE_S = 0.015
REBOOKS = 4  # slots booked again for one call that keeps waking up late (the last one is used anyway)


class SharedRate(Protocol):
    """A rate budget several processes book slots in (bot/store/postgres/budget.SharedBudget)."""

    def reserve(self, name: str, windows: Sequence[tuple[int, float]], spacing: float = 0.0) -> tuple[float, float]:
        """Book a slot: (seconds to wait, the slot). `windows` carry the margin already; `spacing` is the step."""
        ...

    def release(self, name: str, slot: float) -> None: ...

    def pause(self, name: str, seconds: float) -> None: ...


class RateLimiter:
    """At most `limit` calls in any `period` seconds at the vendor, for every (limit, period) window given.

    Each call books a *slot* and waits for it; slots follow a schedule, not the calls' real send times:
        slot = max(now, paused until, previous slot + step, each window's limit-th latest slot + period + margin)
    with `step` = `spacing` stretched by the margin (Feishu: 20 ms * 1.05). `spacing` evenly spreads a
    window: without it a burst gets a window's whole allowance at once, and the jitter between the slot and
    the request reaching the vendor lets it see more than `limit` in some second (bench/limits.py: 61 in a
    second at 50/s). Since the schedule does not move when a call wakes a few ms late (a busy loop), late
    wake-ups do not add up (pacing from the last real send lost ~10 % of the rate that way); and since a
    window's slots are `period + margin` apart, calls i and i + limit still reach the vendor `period` apart
    as long as each goes out within `margin` of its slot. A call woken more than `late` after its slot
    gives it back and books another (and an earlier schedule, 56d31b6, that let late calls catch up with no
    margin drew 429s from the strict fake, each pausing the app for a second).

    `pause(s)` makes every caller wait `s` seconds from now (a vendor's Retry-After applies to the client,
    not to one request); a caller that wakes into a pause books again after it. Waits for a window or a
    pause are reported (`on_wait`, `observers`); pacing is not. `sleep` and `clock` are injectable so
    tests never wait. With `share(budget)` the slots are booked in the budget every replica shares.
    """

    def __init__(self, windows: Sequence[tuple[int, float]] = (), *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep, on_wait: Callable[[float], None] | None = None,
                 name: str = "", spacing: float = 0.0, margin: float = MARGIN_S, late: float = LATE_S) -> None:
        self.windows = [(int(n), float(p)) for n, p in windows]
        self.spacing = spacing
        self.margin = margin
        self.late = late
        self.clock = clock
        self.sleep = sleep
        self.on_wait = on_wait
        self.name = name  # the vendor, for the log line of a wait
        self.observers: list[Callable[[float], None]] = []  # told of every wait (bot/telemetry/metrics.py counts them)
        self.rebooked = 0  # slots given back because their call woke up too late for them
        self._slots: deque[float] = deque()  # booked, in order (the future ones included)
        self._paused_until = 0.0
        self.shared: SharedRate | None = None
        self._sharing_pause: asyncio.Future[None] | None = None  # the last pause() being written to `shared`

    @property
    def step(self) -> float:
        """The pacing interval: `spacing` stretched as the shortest window is (period -> period + margin)."""
        shortest = min((p for _, p in self.windows), default=0.0)
        return self.spacing * (1 + self.margin / shortest) if self.spacing and shortest else self.spacing

    @property
    def booked_windows(self) -> list[tuple[int, float]]:
        """The windows as booked: `limit` per `period + margin`."""
        return [(n, p + self.margin) for n, p in self.windows]

    def share(self, budget: SharedRate | None) -> None:
        """Count against a budget shared with other replicas (None: this process's windows only)."""
        self.shared = budget

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + max(0.0, seconds))
        if self.shared is None:
            return
        try:  # on a loop the budget is written in a worker thread (a database round trip must not hold the loop);
            # this process's next booking waits for it (_acquire_shared), so nobody books into the pause meanwhile
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a CLI, a test): written right here
            return self._share_pause(self.shared, seconds)
        self._sharing_pause = loop.run_in_executor(None, self._share_pause, self.shared, seconds)

    def _share_pause(self, budget: SharedRate, seconds: float) -> None:
        try:
            budget.pause(self.name, seconds)
        except Exception as err:  # the database is away: this process still pauses
            log.warning("shared rate budget: pause not shared (%s)", type(err).__name__)

    def _book(self, now: float) -> tuple[float, float]:
        """Book the next slot (synchronous: nobody books in between): (the slot, how much of the wait is a
        window's or a pause's rather than pacing)."""
        keep = max((p for _, p in self.windows), default=0.0) + self.margin
        while self._slots and self._slots[0] <= now - keep:
            self._slots.popleft()
        paced = max(now, self._slots[-1] + self.step) if self._slots else now
        slot = max(paced, self._paused_until)
        for limit, period in self.booked_windows:
            if len(self._slots) >= limit:
                slot = max(slot, self._slots[-limit] + period)
        self._slots.append(slot)
        return slot, slot - paced

    def _report(self, wait: float, shared: bool = False) -> None:
        if self.on_wait is not None:
            self.on_wait(wait)
        for observe in self.observers:
            observe(wait)
        event(log, "rate limit wait", vendor=self.name, seconds=round(wait, 3), **({"shared": True} if shared else {}))

    async def acquire(self) -> None:
        vendor_bound()
        if self.shared is not None and await self._acquire_shared(self.shared):
            return
        tries = 0
        while True:
            now, paused = self.clock(), self._paused_until
            slot, held = self._book(now)
            if held > 0:
                self._report(slot - now)
            if slot > now:
                await self.sleep(slot - now)
            woke = self.clock()
            if self._paused_until != paused and woke < self._paused_until:  # a Retry-After came meanwhile
                self._slots.remove(slot)
                continue
            if self._paused_until == paused and slot >= paused:  # waited out (the later slots follow this one)
                self._paused_until = 0.0
            if woke - slot <= self.late or tries == REBOOKS:
                return
            tries += 1
            self.rebooked += 1
            self._slots.remove(slot)  # unused: it no longer counts in any window

    async def _acquire_shared(self, budget: SharedRate) -> bool:
        """Book a slot in the shared budget (in a worker thread: a database transaction) and wait for it;
        False when the budget cannot be reached, so this process paces alone. The rule is the in-process one:
        `limit` per `period + margin`, `step` apart; a slot woken later than `late` is booked again (REBOOKS)."""
        writing = self._sharing_pause  # a Retry-After being written to the budget (pause): book after it
        if writing is not None and not writing.done() and writing.get_loop() is asyncio.get_running_loop():
            await asyncio.shield(writing)  # shielded: a caller cancelled meanwhile leaves it to the others
        total = 0.0
        windows, step = self.booked_windows, self.step
        for attempt in range(REBOOKS + 1):
            try:
                wait, slot = await asyncio.to_thread(budget.reserve, self.name, windows, step)
                booked_at = self.clock()
                if wait > 0:
                    await self.sleep(wait)
                total += wait
                if attempt == REBOOKS or self.clock() - booked_at - wait <= self.late:
                    break
                self.rebooked += 1
                await asyncio.to_thread(budget.release, self.name, slot)
            except Exception as err:
                log.warning("shared rate budget unavailable, pacing this process alone (%s)", type(err).__name__)
                return False
        if total > 2 * step + self.late:  # more than pacing: a real wait for the budget
            self._report(total, shared=True)
        return True


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # tries in all, the first included
    backoff: float = 0.5  # seconds before the first repeat; doubles each time
    max_backoff: float = 8.0
    max_wait: float = 30.0  # the longest Retry-After we wait out; beyond it the caller answers RATE_LIMITED

    def delay(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * (2 ** attempt)))


def retry_after(headers: Mapping[str, str] | httpx.Headers, *names: str) -> float | None:
    """Seconds the vendor asked us to wait: Retry-After as seconds or an HTTP date (or `names`)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("retry-after", *names):
        raw = lowered.get(name)
        if raw is None:
            continue
        raw = raw.strip()
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            continue
        return max(0.0, when.timestamp() - time.time())
    return None


def rate_limited(resp: httpx.Response, vendor_code: str = "") -> Outcome:
    """The RATE_LIMITED Outcome for a 429 we did not (or could no longer) wait out."""
    seconds = retry_after(resp.headers)
    return Outcome(Kind.RATE_LIMITED, reason="rate_limited", retry_after=seconds if seconds is not None else 1.0,
                   vendor_code=vendor_code or str(resp.status_code))


def json_body(resp: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or {} for an empty, non-JSON or non-object body."""
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every vendor client of the process (httpx's defaults; SSL_CERT_FILE honoured).

    httpx builds a context and loads the CA bundle for each client: ~0.1 s of CPU apiece, three times
    at start-up (DingTalk, Webex, Zoom) and once per loop for lark-oapi (bot/vendors/feishu/auth.py).
    """
    return httpx.create_ssl_context()


class VendorHTTP:
    """An httpx.AsyncClient with one vendor's rate limits, retry rule and explicit timeouts."""

    def __init__(self, vendor: str, base_url: str, *, client: httpx.AsyncClient | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, windows: Sequence[tuple[int, float]] = (),
                 retry: RetryPolicy | None = None, sleep: Sleep = asyncio.sleep,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT, clock: Clock = time.monotonic) -> None:
        self.vendor = vendor
        self._client = client
        self._build = functools.partial(httpx.AsyncClient, base_url=base_url.rstrip("/"), transport=transport,
                                        timeout=timeout)
        self.retry = retry or RetryPolicy()
        self.waits: list[float] = []  # every wait (rate limit, Retry-After, backoff), newest last
        self.limiter = RateLimiter(windows, clock=clock, sleep=sleep, on_wait=self.waits.append, name=vendor)
        self._sleep = sleep

    @property
    def client(self) -> httpx.AsyncClient:
        """Built at its first use, not at start-up: its TLS context loads the CA bundle (~15 ms of CPU, once per
        process; `hostbot run` loads it in a thread once it listens, bot/ops/server.py)."""
        if self._client is None:
            self._client = self._build(verify=tls_context())
        return self._client

    @property
    def sleep(self) -> Sleep:
        return self._sleep

    @sleep.setter
    def sleep(self, fn: Sleep) -> None:
        """Swap the sleeper everywhere (tests make waits instant and record them)."""
        self._sleep = fn
        self.limiter.sleep = fn

    async def request(self, method: str, url: str, *, op: str, **kwargs: Any) -> httpx.Response | Outcome:
        """Send one request (`op`: its name in bot/vendors/calls.py) under the rate limit; retry per the
        module rule. Never raises for HTTP."""
        safe = repeatable(op)
        last = self.retry.attempts - 1
        for attempt in range(self.retry.attempts):
            await self.limiter.acquire()
            started = time.monotonic()
            try:
                resp = await self.client.request(method, url, **kwargs)
            except (httpx.HTTPError, OSError) as exc:
                self._log(method, url, type(exc).__name__, started, attempt)
                if safe and attempt < last:
                    await self._wait(self.retry.delay(attempt))
                    continue
                return _no_answer(exc, safe)
            self._log(method, url, resp.status_code, started, attempt)
            status = resp.status_code
            if status in REFUSED or (status >= 500 and safe):
                asked = retry_after(resp.headers)
                wait = asked if asked is not None else self.retry.delay(attempt)
                if attempt == last or wait > self.retry.max_wait:
                    return resp
                if status == 429:
                    self.limiter.pause(wait)  # every caller waits (in acquire), not only this one
                else:
                    await self._wait(wait)
                continue
            return resp
        raise AssertionError("unreachable: the loop returns on its last attempt")

    def _log(self, method: str, url: str, status: int | str, started: float, attempt: int) -> None:
        """One line per HTTP call to the vendor: never the query, headers or body (tokens, people)."""
        event(log, "vendor http", vendor=self.vendor, method=method, path=url.split("?")[0], status=status,
              ms=round((time.monotonic() - started) * 1000, 1), attempt=attempt + 1)

    async def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        await self._sleep(seconds)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def _no_answer(exc: Exception, safe: bool) -> Outcome:
    """No answer to a request: UNAVAILABLE when it was never sent or changes nothing, else UNKNOWN."""
    timeout = isinstance(exc, httpx.TimeoutException)
    if safe or isinstance(exc, NOT_SENT):
        if timeout:
            return Outcome.unavailable("vendor_timeout", remedy="remedy_retry_later")
        return Outcome.unavailable(remedy="remedy_retry_later", detail=type(exc).__name__)
    # A change that may have reached the vendor: the caller reads the state back (bot/vendors/calls.py).
    return Outcome.unknown(detail="timeout" if timeout else type(exc).__name__)


TokenFetch = Callable[[], Awaitable["tuple[str, float] | Outcome"]]


class TokenCache:
    """An app token fetched on demand and reused until `margin` seconds before it expires.

    `fetch` returns (token, lifetime in seconds) or an Outcome. One fetch at a time: callers that
    arrive meanwhile wait for it instead of asking the vendor again (token calls are throttled).
    """

    def __init__(self, fetch: TokenFetch, *, margin: float = 300.0, clock: Clock = time.time) -> None:
        self._fetch = fetch
        self.margin = margin
        self.clock = clock
        self._token = ""
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def get(self, refresh: bool = False) -> str | Outcome:
        stale = self._token
        async with self._lock:
            if refresh and self._token and self._token != stale:
                return self._token  # somebody refreshed it while we waited
            if self._token and not refresh and self.clock() < self._expires:
                return self._token
            got = await self._fetch()
            self.fetches += 1
            if isinstance(got, Outcome):
                return got
            token, lifetime = got
            self._token = token
            self._expires = self.clock() + max(30.0, lifetime - self.margin)
            return token

    def __repr__(self) -> str:  # never show the token
        return f"TokenCache(expires_in={max(0.0, self._expires - self.clock()):.0f}s)"
