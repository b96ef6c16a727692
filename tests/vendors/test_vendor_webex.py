"""Webex end to end: set_host (a reassignment of the series) and reassign, against the sandbox.

One row per documented whole-request status of reassignHost (vendor-docs/webex-reassign-host.md)
and one per limitation the doc lists, which Webex reports per meeting in a 207.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.sandbox import Fault
from bot.sandbox.demo_data import DEMO_WEBEX_DAVE, DEMO_WEBEX_ID
from bot.sandbox.webex import IN_PROGRESS, WebexMeeting
from bot.vendors.webex.vendor import webex_digits
from tests.conftest import World, WorldFactory
from tests.support.undo import without_undo
from tests.support.vendors import instant_waits, outcomes, requests

ASK = f"make @alice host of webex meeting {DEMO_WEBEX_ID}"


def _mine(w: World) -> WebexMeeting:
    return w.sandbox.webex.meetings[DEMO_WEBEX_ID]


def _display(w: World) -> str:
    return webex_digits(_mine(w).number)


def _fault(status: int, times: int = 1, **headers: str) -> Callable[[World], None]:
    def arm(w: World) -> None:
        w.sandbox.faults.arm(Fault("webex.reassign", status=status, times=times, headers=headers,
                                   body={"message": "x", "errors": [{"description": f"injected {status}"}],
                                         "trackingId": "T"}))
    return arm


def _alice(**changes: object) -> Callable[[World], None]:
    def arm(w: World) -> None:
        user = w.sandbox.webex.users["alice@example.com"]
        for k, v in changes.items():
            setattr(user, k, v)
    return arm


def _meeting(**changes: object) -> Callable[[World], None]:
    def arm(w: World) -> None:
        for k, v in changes.items():
            setattr(_mine(w), k, v)
    return arm


def _token(w: World) -> None:
    w.sandbox.webex.token = "rotated"


WHOLE = [
    # (status, how to reach it, words the user must see)
    ("400", _fault(400), ["Webex rejected the request as malformed", "Webex said: “injected 400”."]),
    ("401", _token, ["Webex rejected hostbot's app credentials", "check WEBEX_TOKEN"]),
    ("403", _alice(can_host=False),
     ["@alice is not qualified to host meetings on this Webex site", "calling/callback privileges",
      "a Meeting Center or Webinar licence"]),
    ("404", _fault(404), ["the meeting does not exist at Webex"]),
    ("409", _fault(409), ["Webex reports a conflict with the meeting's current state"]),
    ("423", _fault(423, **{"Retry-After": "300"}), ["Webex has the meeting locked for the moment (retry in 300 s)"]),
    ("429", _fault(429, **{"Retry-After": "300"}), ["Webex is rate-limiting us; retry in 300 s."]),
    ("503", _fault(503, times=4), ["Webex had an internal error or did not answer in time"]),
]


@pytest.mark.parametrize(("status", "arrange", "words"), WHOLE, ids=[c[0] for c in WHOLE])
async def test_each_reassign_status_gets_its_own_reply(world: World, status: str, arrange: Callable[[World], None],
                                                       words: list[str]) -> None:
    instant_waits(world)
    arrange(world)
    reply = await world.say(ASK)
    if status != "401":  # with a bad token even the lookup fails: the reply cannot name the meeting number
        assert reply.startswith(f"❌ Could not make @alice host of Webex meeting {_display(world)}:"), reply
    for w in words:
        assert w in reply, reply
    assert (await outcomes(world))[-1]["vendor_code"] == status


ITEMS = [
    # (what the doc forbids, how to reach it, Webex's description in the 207 item, its httpStatus)
    ("in progress", _meeting(state=IN_PROGRESS), "Cannot reassign an in-progress meeting.", "400"),
    ("calling", lambda w: (_meeting(needs_calling=True)(w), _alice(calling=False)(w)),
     "The new host does not have calling/callback privileges.", "403"),
    ("session type", _meeting(session_type="Training Center"),
     "The new host does not have the session type privilege: Training Center.", "403"),
    ("licence", _meeting(license="Webinar"), "The new host does not have a Webinar license.", "403"),
    ("TC/EC1.0/SC", _meeting(legacy_type="TC"), "Cannot reassign a TC meeting.", "400"),
    ("on behalf", _meeting(on_behalf=True),
     "Cannot reassign a meeting that was created on behalf of another user.", "400"),
]


@pytest.mark.parametrize(("case", "arrange", "description", "status"), ITEMS, ids=[c[0] for c in ITEMS])
async def test_each_limitation_is_explained(world: World, case: str, arrange: Callable[[World], None],
                                            description: str, status: str) -> None:
    arrange(world)
    reply = await world.say(ASK)
    assert reply == (f"❌ Could not make @alice host of Webex meeting {_display(world)}: Webex refused: {description} "
                     "What to do: Webex cannot reassign in-progress meetings, TC/EC1.0/SC meetings, meetings created "
                     "on someone's behalf, or to a host without the privileges they need.")
    assert (await outcomes(world))[-1]["vendor_code"] == status
    assert _mine(world).host_email == "you@example.com"


async def test_set_host_reassigns_the_series(world: World) -> None:
    reply = await world.say(ASK)
    assert without_undo(reply) == f"✅ @alice is now host of Webex meeting {_display(world)}."
    [call] = requests(world, "webex.reassign")
    assert call.body == {"hostEmail": "alice@example.com", "meetingIds": [DEMO_WEBEX_ID]}
    assert call.headers["siteurl"] == world.sandbox.webex.site
    assert call.headers["authorization"] == f"Bearer {world.sandbox.webex.token}"
    assert _mine(world).host_email == "alice@example.com"


async def test_who_is_host(world: World) -> None:
    assert await world.say(f"who is host of webex meeting {DEMO_WEBEX_ID}") == \
        f"Webex meeting {_display(world)}: @you is host."


async def test_reassign_my_meetings_confirms_then_moves_them(world: World) -> None:
    ask = await world.say("reassign my webex meetings to @alice")
    assert ask == ("1 Webex meeting series of @you move to @alice: “Webex team sync”. @you gets a cancellation "
                   "email for each.\nGo ahead?\n[1] Confirm   [2] Cancel")
    assert requests(world, "webex.reassign") == []
    assert await world.say("1") == "✅ @alice now hosts 1 Webex meeting series of @you."
    listing = requests(world, "webex.list_meetings")[0]  # the configured site first, then the admin's others
    assert listing.query == {"hostEmail": "you@example.com", "meetingType": "meetingSeries", "max": "100",
                             "siteUrl": world.sandbox.webex.site}


async def test_reassigning_somebody_elses_meetings_is_admin_only(world: World) -> None:
    reply = await world.say("reassign @dave's webex meetings to @alice")
    assert reply == "Only hostbot admins can reassign somebody else's meetings. Ask an admin (HOSTBOT_ADMINS)."
    assert requests(world, "webex.reassign") == []


async def test_admin_reassigns_dave_in_progress_skipped_and_failure_named(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="you")
    ask = await world.say("reassign @dave's webex meetings to @alice")
    assert ask.startswith("2 Webex meeting series of @dave move to @alice: “Dave's 1:1s”, “Customer webinar”.")
    reply = await world.say("1")
    assert reply == ("⚠️ Reassigned 1 of 2 Webex meeting series of @dave to @alice.\n"
                     "1 of 2 meetings failed:\n"
                     "• “Customer webinar”: Webex said: “The new host does not have a Webinar license”.\n"
                     "Skipped 1 (left as they are):\n"
                     "• “Release planning”: in progress now; reassign it after it ends.")
    [call] = requests(world, "webex.reassign")
    assert call.body == {"hostEmail": "alice@example.com", "meetingIds": [DEMO_WEBEX_DAVE[0], DEMO_WEBEX_DAVE[2]]}


async def test_reassign_listed_meetings_checks_their_owner(world: World) -> None:
    reply = await world.say(f"reassign meeting {DEMO_WEBEX_DAVE[0]} to @alice")
    assert reply.startswith("Only hostbot admins can reassign somebody else's meetings.")
    reply = await world.say(f"reassign meeting {DEMO_WEBEX_ID} to @alice")
    assert reply.startswith("1 Webex meeting series of @you move to @alice: “Webex team sync”.")


async def test_reassign_in_chinese(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="you")
    ask = await world.say("把 @dave 的所有会议转给 @bob")  # Webex is the only vendor that reassigns in bulk
    assert ask.startswith("@dave 的 2 个 Webex 系列会议将转给 @bob：“Dave's 1:1s”, “Customer webinar”。")
    assert ask.endswith("[1] 确认   [2] 取消")
    reply = await world.say("1")
    assert reply == ("✅ @dave 的 2 个 Webex 系列会议已转给 @bob。\n"
                     "跳过 1 个（保持不变）：\n"
                     "• “Release planning”: 正在进行中，请在会议结束后再转移。")


async def test_nobody_to_reassign(world: World) -> None:
    await world.bot.services.store.upsert_person("console", "erin", name="erin", email="erin@example.com")
    world.console.user = "erin"
    assert await world.say("reassign my webex meetings to @alice") == "@erin has no Webex meeting series to reassign."


async def test_admin_reassigns_listed_meetings_of_somebody_else(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="you")
    ask = await world.say(f"reassign meetings {DEMO_WEBEX_DAVE[0]} and {DEMO_WEBEX_DAVE[2]} to @bob")
    assert ask.startswith("2 Webex meeting series of @dave move to @bob: “Dave's 1:1s”, “Customer webinar”.")
    assert await world.say("1") == "✅ @bob now hosts 2 Webex meeting series of @dave."  # both survive the confirmation
    [call] = requests(world, "webex.reassign")
    assert call.body == {"hostEmail": "bob@example.com", "meetingIds": [DEMO_WEBEX_DAVE[0], DEMO_WEBEX_DAVE[2]]}


@pytest.mark.parametrize(("line", "words"), [
    (f"make @bob co-host of webex meeting {DEMO_WEBEX_ID}",
     "❌ Could not make @bob co-host of Webex meeting {n}: Webex has no API for adding co-hosts. "
     "What to do: do it in the Webex app instead."),
    (f"invite @bob to webex meeting {DEMO_WEBEX_ID}",
     "❌ Could not invite @bob to Webex meeting {n}: Webex has no API for inviting people into a meeting. "
     "What to do: do it in the Webex app instead."),
    ("reassign meeting 123456789 to @alice",
     "❌ Could not reassign @you's Feishu meetings to @alice: Feishu has no API for reassigning meetings to another "
     "host. What to do: do it in the Feishu app instead."),
])
async def test_an_operation_the_vendor_lacks_is_said_plainly(world: World, line: str, words: str) -> None:
    assert await world.say(line) == words.format(n=_display(world))
    assert requests(world, "webex.reassign") == []
