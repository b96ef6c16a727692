"""Undo after a host or co-host change, through the console: the reply's button, the store's row,
and what the vendor fake recorded (the host back, with the host hostbot made as the CAS)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.adapters.console import ConsoleAdapter
from bot.adapters.markup import console_text
from bot.app import build
from bot.config import ConfigError, settings_from_mapping
from bot.core.model.events import ButtonClick, Platform, Reply
from bot.devtools.demo import link_people, seed
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_DINGTALK_ID
from tests.conftest import World, WorldFactory

ASK = "make @alice host of meeting 123456789"


def _host_calls(world: World) -> list[tuple[str, str]]:
    """(new host, expected host) of every set_host the Feishu fake accepted, by name."""
    names = {u.open_id: n for n, u in world.demo.users.items()}
    return [(names[r.body["host_user"]["id"]], names[r.body["old_host_user"]["id"]])
            for r in world.sandbox.recorder.all("feishu.set_host") if r.status < 300]


def _host(world: World) -> str:
    names = {u.open_id: n for n, u in world.demo.users.items()}
    return names[world.sandbox.feishu.meetings[world.meeting_id].host[0]]


async def _change(world: World, text: str = ASK, who: str = "you") -> Reply:
    """`who` asks for a change; its one reply, which carries the Undo button."""
    msg_replies = await world.bot.dispatcher.handle_message(_msg(who, text))
    assert len(msg_replies) == 1 and msg_replies[0].buttons[-1].action == "undo", msg_replies
    return msg_replies[0]


def _msg(who: str, text: str):  # type: ignore[no-untyped-def]
    from bot.core.model.events import ChatMessage

    return ChatMessage(platform=Platform.CONSOLE, user=who, text=text, channel="console", thread="console")


async def _press(world: World, reply: Reply, who: str, click_id: str = "") -> list[Reply]:
    """`who` presses the Undo of `reply`; the answers as the console shows them."""
    undo = reply.buttons[-1]
    answers = await world.bot.dispatcher.handle_click(ButtonClick(
        Platform.CONSOLE, who, undo.action, undo.value, click_id or f"{who}-{undo.value}"))
    return [replace(a, text=console_text(a.text)) for a in answers]


async def test_undo_puts_the_previous_host_back_with_the_new_host_as_cas(world: World) -> None:
    reply = await world.say(ASK)
    assert reply.startswith("✅ @alice is now host of Feishu meeting 123 456 789.\nChanged by mistake? Undo until ")
    assert reply.endswith("(UTC).\n[1] Undo")
    assert await world.say("1") == "↩️ Undone: @you is host of Feishu meeting 123 456 789 again."
    assert _host_calls(world) == [("alice", "you"), ("you", "alice")]  # the undo expected alice: CAS
    assert _host(world) == "you"
    rows = [r for r in await world.bot.services.store.audit_rows() if r["intent"] == "undo"]
    assert [(r["event"], r["outcome"]) for r in rows] == [("decision", "undo"), ("outcome", "ok")]
    assert rows[0]["detail"] == "set_host by you"


async def test_undo_after_a_second_change_says_who_hosts_now_and_changes_nothing(world: World) -> None:
    first = await _change(world)
    await _change(world, "make @bob host of meeting 123456789", who="alice")  # alice, host now, hands on
    assert await _press(world, first, "you") == [Reply(
        "@bob hosts Feishu meeting 123 456 789 now, not @alice: the host changed after my change, "
        "so Undo changed nothing.")]
    assert _host_calls(world) == [("alice", "you"), ("bob", "alice")] and _host(world) == "bob"
    assert (await world.bot.services.store.get_undo(first.buttons[-1].value)).status == "undo_stale"  # type: ignore[union-attr]


async def test_a_host_moved_at_the_vendor_between_read_and_call_is_a_conflict_not_a_change(world: World) -> None:
    first = await _change(world)
    world.sandbox.feishu.race_host_change(world.meeting_id, world.demo.users["bob"].open_id)
    [answer] = await _press(world, first, "you")
    assert answer.text.startswith("@bob hosts Feishu meeting 123 456 789 now, not @alice")
    assert _host(world) == "bob"


async def test_undo_after_its_time_has_expired_and_changes_nothing(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_UNDO_MIN="2")
    first = await _change(world)
    store = world.bot.services.store
    later = store.now() + timedelta(minutes=2, seconds=1)
    store.clock = lambda: later
    assert await _press(world, first, "you") == [Reply(
        "Undo has expired (it lasts 2 min); nothing was changed. Ask again to change the host.")]
    assert _host_calls(world) == [("alice", "you")] and _host(world) == "alice"


async def test_a_stranger_is_refused_and_the_button_stays_live_for_the_requester(world: World) -> None:
    first = await _change(world)
    refused = await _press(world, first, "carol")
    # you asked and lost the host role; alice, the new host, was only named in the change (issue 24)
    assert refused == [Reply("Only @you (or an admin) can undo this; nothing was changed.", ephemeral=True)]
    assert _host(world) == "alice" and len(_host_calls(world)) == 1
    assert (await _press(world, first, "you"))[0].text.startswith("↩️ Undone")


async def test_an_admin_may_press_undo_and_the_new_host_may_not(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="carol")
    first = await _change(world)
    assert (await _press(world, first, "alice"))[0].text.startswith("Only @you (or an admin) can undo this")
    assert (await _press(world, first, "carol"))[0].text.startswith("↩️ Undone: @you is host")
    assert _host_calls(world) == [("alice", "you"), ("you", "alice")]


async def test_a_double_click_or_a_redelivered_click_undoes_once(world: World) -> None:
    first = await _change(world)
    answers = await asyncio.gather(*(_press(world, first, "you", click_id=f"replica-{i}") for i in range(4)))
    texts = [a[0].text for a in answers]
    assert sum(t.startswith("↩️ Undone") for t in texts) == 1
    assert texts.count("This Undo was already used; nothing more was changed.") == 3
    assert await _press(world, first, "you", click_id="replica-0") == []  # the same delivery again: dropped
    assert _host_calls(world) == [("alice", "you"), ("you", "alice")]


async def test_undo_survives_a_restart(sandbox: Sandbox, tmp_path: Path) -> None:
    demo = seed(sandbox)
    settings = settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "undo.db")})
    before = build(settings)
    await link_people(before, demo)
    reply = await ConsoleAdapter(before.dispatcher).send(ASK)
    await before.aclose()
    after = build(settings)  # a restart (or another replica on the same database)
    console = ConsoleAdapter(after.dispatcher)
    console.render([Reply(reply, buttons=())])
    try:
        row = (await after.services.store._rows("SELECT id FROM undos"))[0]["id"]
        answer = await after.dispatcher.handle_click(ButtonClick(Platform.CONSOLE, "you", "undo", row, "c1"))
        assert console_text(answer[0].text) == "↩️ Undone: @you is host of Feishu meeting 123 456 789 again."
        assert sandbox.feishu.meetings[demo.feishu_meeting.id].host[0] == demo.users["you"].open_id
    finally:
        await after.aclose()


async def test_undo_of_a_cohost_added_removes_it_again(world: World) -> None:
    conference = world.demo.vendors.dingtalk_meeting
    assert conference is not None
    reply = await world.say(f"make @bob co-host of dingtalk meeting {DEMO_DINGTALK_ID}")
    assert reply.startswith("✅") and reply.endswith("[1] Undo")
    bob = world.demo.vendors.dingtalk_users["bob"].union_id
    assert bob in conference.cohosts
    assert await world.say("1") == f"↩️ Undone: removed @bob as co-host of DingTalk meeting {DEMO_DINGTALK_ID}."
    assert bob not in conference.cohosts


def test_a_bad_undo_minutes_stops_start_up_with_one_line() -> None:
    for bad in ("0", "ten", "5000"):
        try:
            settings_from_mapping({"HOSTBOT_UNDO_MIN": bad})
        except ConfigError as err:
            assert str(err) == f"HOSTBOT_UNDO_MIN must be a number of minutes (1 to 1440), got {bad!r}"
        else:
            raise AssertionError(bad)
    assert settings_from_mapping({"HOSTBOT_UNDO_MIN": "2.5"}).undo_min == 2.5
    assert settings_from_mapping({}).undo_min == 10


async def test_an_undo_whose_answer_is_lost_is_read_back_not_sent_twice(world: World) -> None:
    """The Undo's set_host reaches Feishu and acts, but its answer is lost (a 502 after the change): hostbot
    reads the host back and reports the Undo done; it never sends the change a second time."""
    from bot.sandbox import Fault
    from tests.support.faults import instant_vendor_waits

    instant_vendor_waits(world.bot)
    first = await _change(world)
    world.sandbox.faults.arm(Fault("feishu.set_host", status=502, body="<html>502 Bad Gateway</html>", after=True))
    answers = await _press(world, first, "you")
    assert answers[0].text.startswith("↩️ Undone: @you is host of Feishu meeting 123 456 789 again.")
    sent = world.sandbox.recorder.all("feishu.set_host")
    assert len(sent) == 2 and _host(world) == "you"  # the change, then the undo once: nothing resent
    assert _host_calls(world)[0] == ("alice", "you")
    again = await _press(world, first, "you", click_id="later")
    assert again[0].text == "This Undo was already used; nothing more was changed." and len(
        world.sandbox.recorder.all("feishu.set_host")) == 2
