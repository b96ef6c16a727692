"""Every place that stores a resumable decision resumes from the plan it stored, never from text or links.

The places (issue 24): proposals — confirm, approval, retry, "add as co-host instead" (switch), "did you
mean" and a handover reminder's buttons —, Undo rows and scheduled handovers. Each is asked about "this
meeting" while the channel is linked to meeting A; the channel is then linked to meeting B (another
meeting the same host runs); the click must act on A, as the vendor fake records. Structurally: every
stored row names A in its stored plan. A proposal stored by the previous release (no plan) answers
"expired, ask again" and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from bot.core.model.bound import PlanSpec
from bot.core.model.events import ButtonClick, Platform
from bot.sandbox.demo_data import DEMO_DINGTALK_ID
from tests.conftest import World, WorldFactory


def _acted_on(world: World, op: str = "feishu.set_host") -> list[str]:
    """The meeting ids of the mutating requests the fake accepted for `op` (from the request path)."""
    return [_meeting_in(r.path) for r in world.sandbox.recorder.all(op) if r.status < 300]


def _meeting_in(path: str) -> str:
    parts = path.split("/")
    key = "videoConferences" if "videoConferences" in parts else "meetings"
    return parts[parts.index(key) + 1]


class Moved:
    """Meeting B: also yours, also running; "this meeting" moves to it between the ask and the click."""

    def __init__(self, world: World) -> None:
        users = world.demo.users
        self.world = world
        self.b = world.sandbox.feishu.add_meeting(users["you"], [users["alice"], users["bob"]], topic="B",
                                                  meeting_no="987654321")

    @classmethod
    async def made(cls, world: World) -> Moved:
        moved = cls(world)
        await moved.link(world.meeting_id)
        return moved

    async def link(self, meeting_id: str, vendor: str = "feishu") -> None:
        await self.world.bot.services.store.set_link("console", "console", vendor, meeting_id, linked_by="you")

    async def to_b(self) -> None:
        await self.link(self.b.id)


async def _ask(world: World, who: str, text: str) -> str:
    world.console.user = who
    answer = await world.console.send(text)
    assert "[1]" in answer, answer
    return answer


async def _press(world: World, who: str, choice: str = "1") -> str:
    world.console.user = who
    return await world.console.send(choice)


Case = Callable[[World, Moved], Awaitable[None]]


async def _confirm(world: World, moved: Moved) -> None:
    await _ask(world, "carol", "make @alice host")  # an admin: confirms
    await moved.to_b()
    await _press(world, "carol")


async def _approval(world: World, moved: Moved) -> None:
    await _ask(world, "bob", "make @alice host")  # a stranger: the host approves
    await moved.to_b()
    await _press(world, "you")


async def _retry(world: World, moved: Moved) -> None:
    await _ask(world, "bob", "make @alice host")
    world.sandbox.feishu.change_host(world.meeting_id, world.open_id("carol"))  # carol took over meanwhile
    assert "Retry" in await _press(world, "you")  # Approve: the host changed: Retry (bob's)
    await moved.to_b()
    assert "asks" in await _press(world, "bob")  # Retry: carol, the host now, is asked
    await _press(world, "carol")


async def _did_you_mean(world: World, moved: Moved) -> None:
    assert "Did you mean" in await _ask(world, "you", "mkae @alice hsot")
    await moved.to_b()
    await _press(world, "you")


async def _undo(world: World, moved: Moved) -> None:
    world.console.user = "you"
    await world.console.send("make @alice host")
    await moved.to_b()
    await _press(world, "you")  # Undo


async def _reminder(world: World, moved: Moved) -> None:
    sched = world.bot.scheduler
    assert sched is not None
    world.console.user = "you"
    assert "#1" in await world.console.send("hand host to @alice in 20 minutes")
    await moved.to_b()
    h = await sched.book.get(1)
    assert h is not None
    now = world.bot.services.clock()
    world.console.render([await sched.reminder(h, now)])  # what the timer posts 10 minutes before
    await _press(world, "you")  # Hand over now


CASES: dict[str, tuple[Case, list[str]]] = {  # the case, and the meetings its set_host calls changed
    "confirm": (_confirm, ["A"]),
    "approval": (_approval, ["A"]),
    "retry": (_retry, ["A"]),
    "did_you_mean": (_did_you_mean, ["A"]),
    "undo": (_undo, ["A", "A"]),
    "reminder": (_reminder, ["A"]),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_every_stored_decision_resumes_on_the_meeting_it_showed(make_world: WorldFactory, name: str) -> None:
    case, want = CASES[name]
    world = await make_world(HOSTBOT_ADMINS="carol")
    moved = await Moved.made(world)
    await case(world, moved)
    got = ["A" if m == world.meeting_id else "B" if m == moved.b.id else m for m in _acted_on(world)]
    assert got == want
    assert await _stored_rows_name(world, name, world.meeting_id) == []


async def _stored_rows_name(world: World, case: str, meeting_id: str) -> list[str]:
    """Every stored decision row of this world carries its plan, about meeting A."""
    store, wrong = world.bot.services.store, []
    for row in await store._rows("SELECT payload FROM proposals"):
        payload = json.loads(row["payload"])
        kind = payload.get("kind")
        if kind == "did_you_mean":
            if (payload.get("meeting") or {}).get("id") != meeting_id:
                wrong.append(f"{case}: did_you_mean stored {payload.get('meeting')}")
            continue
        shown = PlanSpec.from_json(payload.get("plan"))
        if shown is None or [m.id for m in shown.meetings] != [meeting_id]:
            wrong.append(f"{case}: a {kind} proposal stored {payload.get('plan')}")
    for row in await store._rows("SELECT meeting_id FROM undos"):
        if row["meeting_id"] != meeting_id:
            wrong.append(f"{case}: an undo stored {row['meeting_id']}")
    for row in await store._rows("SELECT meeting_id FROM handovers"):
        if row["meeting_id"] != meeting_id:
            wrong.append(f"{case}: a handover stored {row['meeting_id']}")
    return wrong


async def test_add_as_cohost_instead_acts_on_the_conference_it_offered(make_world: WorldFactory) -> None:
    world = await make_world()
    moved = await Moved.made(world)
    dingtalk = world.sandbox.dingtalk
    other = dingtalk.add_conference(world.demo.vendors.dingtalk_users["you"], "Another review")
    await moved.link(DEMO_DINGTALK_ID, "dingtalk")
    assert "co-host" in await _ask(world, "you", "make @bob host")  # DingTalk: co-hosts only, offered instead
    await moved.link(other.id, "dingtalk")
    await _press(world, "you")
    assert _acted_on(world, "dingtalk.cohosts") == [DEMO_DINGTALK_ID]
    payload = (await world.bot.services.store._rows("SELECT payload FROM proposals"))[0]["payload"]
    assert DEMO_DINGTALK_ID in payload and '"plan"' in payload


async def test_a_proposal_stored_by_the_previous_release_expires_gracefully(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="carol")
    store = world.bot.services.store
    you = world.demo.users["you"]
    pid = await store.create_proposal(  # the shape the previous release stored: the request, the expected host
        platform="console", action="set_host", requester="carol",
        payload={"on_behalf_of": "carol", "kind": "confirm", "expected_host": {"id": you.open_id, "user_type": 1},
                 "intent": {"intent": "set_host", "targets": ["@alice"], "text": "make @alice host",
                            "meeting": {"vendor": None, "id": "123456789"}, "lang": "en"}, "lang": "en", "tz": ""},
        channel="console", thread="console", ttl=timedelta(minutes=5))
    answer = await world.bot.dispatcher.handle_click(ButtonClick(Platform.CONSOLE, "carol", "confirm", pid, "old-1"))
    assert [a.text for a in answer] == ["This request has expired; nothing was done. Ask again if you still want it."]
    assert _acted_on(world) == []
    assert (await store.get_proposal(pid)).status == "expired"  # type: ignore[union-attr]
    garbled = await store.create_proposal(platform="console", action="set_host", requester="carol",
                                    payload={"kind": "confirm", "plan": {"meetings": ["123456789"]},
                                             "intent": {"intent": "set_host"}},
                                    channel="console", thread="console", ttl=timedelta(minutes=5))
    answer = await world.bot.dispatcher.handle_click(ButtonClick(Platform.CONSOLE, "carol", "confirm", garbled, "g"))
    assert answer[0].text.startswith("This request has expired") and _acted_on(world) == []
