"""Batches, rate limits and retries: invite in tens, reassign in hundreds, 429s waited out, 207s itemised.

Waits are made instant and recorded (tests/support/vendors.py): no test sleeps or measures time.
"""

from __future__ import annotations

import httpx
import pytest

from bot.core.model.outcome import Kind
from bot.sandbox import Fault
from bot.vendors.http import RateLimiter, RetryPolicy, VendorHTTP
from tests.conftest import World, WorldFactory
from tests.support.vendors import ManualClock, Waits, add_feishu_people, instant_waits, outcomes, requests


def _people(n: int) -> list[str]:
    return [f"p{i:02d}" for i in range(1, n + 1)]


# ---- Feishu invite: at most 10 per call ---------------------------------------------------------
async def test_25_invitees_make_3_invite_calls(world: World) -> None:
    names = _people(25)
    ids = await add_feishu_people(world, names)
    reply = await world.say("invite " + " ".join(f"@{n}" for n in names) + " to meeting 123456789")
    assert reply.startswith("✅ Invited @p01, @p02, ")
    assert reply.endswith(" and @p25 to Feishu meeting 123 456 789; Feishu is calling them.")
    calls = requests(world, "feishu.invite")
    assert [len(c.body["invitees"]) for c in calls] == [10, 10, 5]
    assert [i["id"] for c in calls for i in c.body["invitees"]] == [ids[n] for n in names]


async def test_a_full_meeting_stops_the_batch_and_says_who_was_left_out(world: World) -> None:
    names = _people(25)
    await add_feishu_people(world, names)
    world.sandbox.feishu.meetings[world.meeting_id].max_participants = 14  # 4 present + the first 10
    reply = await world.say("invite " + " ".join(f"@{n}" for n in names) + " to meeting 123456789")
    lines = reply.splitlines()
    assert lines[:3] == ["⚠️ Invited 10 of 25 to Feishu meeting 123 456 789.",
                         "15 of 25 could not be invited:",
                         "• @p11: the meeting has reached its participant limit."]
    assert lines[-1] == "…and 5 more."
    assert len(requests(world, "feishu.invite")) == 2  # the third chunk would meet the same limit
    assert (await outcomes(world))[-1]["outcome"] == "partial"


async def test_a_busy_chunk_does_not_stop_the_others(world: World) -> None:
    names = _people(25)
    ids = await add_feishu_people(world, names)
    world.sandbox.feishu.busy.update(ids[n] for n in names[10:20])  # the whole second call is busy
    reply = await world.say("invite " + " ".join(f"@{n}" for n in names) + " to meeting 123456789")
    assert reply.startswith("⚠️ Invited 15 of 25 to Feishu meeting 123 456 789.\n10 of 25 could not be invited:\n"
                            "• @p11: the person called is busy (in another call).")
    assert [r.status for r in requests(world, "feishu.invite")] == [200, 400, 200]


# ---- Webex reassign: at most 100 per call ---------------------------------------------------------
async def _erin_with_series(make_world: WorldFactory, n: int, webinars: int = 0) -> World:
    world = await make_world(HOSTBOT_ADMINS="you")
    webex = world.sandbox.webex
    erin = webex.add_user("erin")
    await world.bot.services.store.upsert_person("console", "erin", name="erin", email="erin@example.com")
    for i in range(1, n + 1):
        webex.add_meeting(erin, f"Series {i:03d}", license="Webinar" if i <= webinars else "MC")
    return world


async def test_250_meetings_make_3_reassign_calls(make_world: WorldFactory) -> None:
    world = await _erin_with_series(make_world, 250)
    ask = await world.say("reassign @erin's webex meetings to @alice")
    assert ask.startswith("250 Webex meeting series of @erin move to @alice: “Series 001”, “Series 002”, "
                          "“Series 003”, “Series 004”, “Series 005” and 245 more. @erin gets a cancellation email")
    assert await world.say("1") == "✅ @alice now hosts 250 Webex meeting series of @erin."
    calls = requests(world, "webex.reassign")
    assert [len(c.body["meetingIds"]) for c in calls] == [100, 100, 50]
    assert len({m for c in calls for m in c.body["meetingIds"]}) == 250
    # 100 per page, following Link: rel="next"; listed when asked and again when confirmed (the series shown,
    # as they are then: never one added since); each listing also asks the admin's second site (one empty
    # page): 2 x (3 + 1); no series is read one by one
    assert len(requests(world, "webex.list_meetings")) == 8
    assert requests(world, "webex.get_meeting") == []
    assert world.sandbox.webex.meetings_of("erin@example.com") == []


async def test_a_429_is_waited_out_and_the_batch_completes(make_world: WorldFactory) -> None:
    world = await _erin_with_series(make_world, 250)
    waits = instant_waits(world)
    world.sandbox.faults.arm(Fault("webex.reassign", status=429, headers={"Retry-After": "3"},
                                   body={"message": "Too Many Requests", "errors": [], "trackingId": "T"}))
    await world.say("reassign @erin's webex meetings to @alice")
    assert await world.say("1") == "✅ @alice now hosts 250 Webex meeting series of @erin."
    assert [r.status for r in requests(world, "webex.reassign")] == [429, 204, 204, 204]
    assert 3.0 in waits.asked


@pytest.mark.parametrize("spelling", ["string", "number"])  # the schema says string, its example a number
async def test_a_207_with_mixed_results_shows_each_failure(make_world: WorldFactory, spelling: str) -> None:
    world = await _erin_with_series(make_world, 250, webinars=3)
    world.sandbox.webex.httpstatus_as = spelling
    await world.say("reassign @erin's webex meetings to @alice")
    reply = await world.say("1")
    assert reply == ("⚠️ Reassigned 247 of 250 Webex meeting series of @erin to @alice.\n"
                     "3 of 250 meetings failed:\n"
                     "• “Series 001”: Webex said: “The new host does not have a Webinar license”.\n"
                     "• “Series 002”: Webex said: “The new host does not have a Webinar license”.\n"
                     "• “Series 003”: Webex said: “The new host does not have a Webinar license”.")
    assert [r.status for r in requests(world, "webex.reassign")] == [207, 204, 204]
    assert (await outcomes(world))[-1]["outcome"] == "partial"


async def test_a_502_before_the_change_is_read_back_then_sent_once_more(make_world: WorldFactory) -> None:
    """The 502 came before Webex did anything: reading back shows erin still hosts them, so they are sent
    again, once (bot/vendors/calls.py), not repeated blindly after a backoff."""
    world = await _erin_with_series(make_world, 3)
    waits = instant_waits(world)
    world.sandbox.faults.arm(Fault("webex.reassign", status=502, body="<html>bad gateway</html>"))
    await world.say("reassign @erin's webex meetings to @alice")
    done = await world.say("1")
    assert done.startswith("✅ @alice now hosts 3 Webex meeting series of @erin.")
    assert "first answer was lost on the way back; I read the state back and sent again only the 3 changes that " \
        "had not happened." in done
    assert [r.status for r in requests(world, "webex.reassign")] == [502, 204]
    assert len(requests(world, "webex.get_meeting")) >= 3  # each meeting was read back before resending
    assert waits.asked == []


async def test_a_batch_stopped_by_a_long_rate_limit_says_what_is_left(make_world: WorldFactory) -> None:
    world = await _erin_with_series(make_world, 150)
    instant_waits(world)
    await world.say("reassign @erin's webex meetings to @alice")
    world.sandbox.faults.arm(Fault("webex.reassign", status=204))  # the first chunk goes through
    world.sandbox.faults.arm(Fault("webex.reassign*", status=429, headers={"Retry-After": "600"}, times=-1,
                                   body={"message": "Too Many Requests", "errors": [], "trackingId": "T"}))
    reply = await world.say("1")
    assert reply.startswith("⚠️ Reassigned 100 of 150 Webex meeting series of @erin to @alice.\n"
                            "50 of 150 meetings failed:\n• “Series 101”: Webex is rate-limiting us; retry in 600 s.")
    world.sandbox.faults.clear()


# ---- the shared client: limits and retries (httpx.MockTransport) ------------------------------------
async def test_feishu_windows_are_never_exceeded() -> None:
    clock = ManualClock()
    limiter = RateLimiter(((50, 1.0), (1000, 60.0)), clock=clock, sleep=clock.sleep)
    sent: list[float] = []
    for _ in range(1100):
        await limiter.acquire()
        sent.append(clock.now)
    assert max(sum(1 for t in sent if s <= t < s + 1.0) for s in sent) == 50
    assert max(sum(1 for t in sent if s <= t < s + 60.0) for s in sent) == 1000
    assert sent[1000] >= 60.0  # the 1001st call waited for the minute window


def _client(handler: httpx.MockTransport, waits: Waits, **kw: object) -> VendorHTTP:
    return VendorHTTP("test", "https://vendor.example", transport=handler, sleep=waits,
                      retry=RetryPolicy(attempts=3, backoff=0.5, max_wait=30.0), **kw)  # type: ignore[arg-type]


async def test_retry_after_is_honoured_and_pauses_the_client() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": True})])
    waits = Waits()
    http = _client(httpx.MockTransport(lambda request: next(answers)), waits)
    resp = await http.request("POST", "/x", op="webex.reassign")  # a 429 was refused before any work: safe to repeat
    assert isinstance(resp, httpx.Response) and resp.status_code == 200
    assert waits.asked == [7.0]


async def test_server_errors_are_repeated_only_when_safe() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(503)

    waits = Waits()
    http = _client(httpx.MockTransport(handler), waits)
    unsafe = await http.request("POST", "/invite", op="feishu.invite")
    assert isinstance(unsafe, httpx.Response) and unsafe.status_code == 503 and calls == ["POST"]
    safe = await http.request("GET", "/meeting", op="zoom.get_meeting")
    assert isinstance(safe, httpx.Response) and safe.status_code == 503
    assert calls == ["POST", "GET", "GET", "GET"] and waits.asked == [0.5, 1.0]


async def test_a_change_that_timed_out_is_unknown_and_a_read_that_timed_out_is_unavailable() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    waits = Waits()
    out = await _client(httpx.MockTransport(timeout), waits).request("POST", "/x", op="webex.reassign")
    # Sent, and the answer lost: the change may have happened (bot/vendors/calls.py), never repeated here.
    assert not isinstance(out, httpx.Response) and out.kind is Kind.UNKNOWN and out.reason == "vendor_answer_lost"
    assert waits.asked == []
    read = await _client(httpx.MockTransport(timeout), waits).request("GET", "/x", op="webex.get_meeting")
    assert not isinstance(read, httpx.Response) and read.kind is Kind.UNAVAILABLE and read.reason == "vendor_timeout"
    waits.asked.clear()

    attempts: list[int] = []

    def refused_once(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200)

    unsafe = await _client(httpx.MockTransport(refused_once), waits).request("POST", "/x", op="zoom.update_meeting")
    # A refused connection sent nothing: UNAVAILABLE, not UNKNOWN, and still not repeated for a change.
    assert not isinstance(unsafe, httpx.Response) and unsafe.kind is Kind.UNAVAILABLE and len(attempts) == 1
    attempts.clear()
    resp = await _client(httpx.MockTransport(refused_once), waits).request("GET", "/x", op="zoom.get_meeting")
    assert isinstance(resp, httpx.Response) and resp.status_code == 200 and len(attempts) == 2


async def test_a_retry_after_beyond_max_wait_is_handed_back() -> None:
    waits = Waits()
    http = _client(httpx.MockTransport(lambda r: httpx.Response(429, headers={"Retry-After": "3600"})), waits)
    resp = await http.request("GET", "/x", op="webex.list_meetings")
    assert isinstance(resp, httpx.Response) and resp.status_code == 429 and waits.asked == []
