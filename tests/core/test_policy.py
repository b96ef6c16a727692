"""Policy: approval by the current host, confirmation, exactly-once clicks, audit rows."""

from __future__ import annotations

from datetime import timedelta

from bot.core.model.events import ButtonClick, Platform
from tests.conftest import World, WorldFactory
from tests.support.undo import without_undo

ASK = "make @{who} host of meeting 123456789"


async def decisions(world: World) -> list[str]:
    return [r["outcome"] for r in await world.bot.services.store.audit_rows() if r["event"] == "decision"]


async def test_non_host_asking_for_host_goes_to_the_host_for_approval(world: World) -> None:
    world.console.user = "bob"
    ask = await world.say("make me host of meeting 123456789")
    assert ask == ("@you, @bob asks: @bob becomes host of Feishu meeting 123 456 789; @you stops being host. "
                   "Only you, as the current host, can approve.\n[1] Approve   [2] Decline")
    assert world.set_host_calls() == []
    # bob cannot approve his own request
    assert await world.say("1") == "Only @you can approve this."
    world.console.user = "you"
    assert without_undo(await world.say("1")) == "✅ @bob is now host of Feishu meeting 123 456 789."
    calls = world.set_host_calls()
    assert calls == [{"host_user": {"id": world.open_id("bob"), "user_type": 1},
                      "old_host_user": {"id": world.open_id("you"), "user_type": 1}}]
    assert await decisions(world) == ["approval_requested", "foreign_click", "approve", "approved"]
    outcome = [r for r in await world.bot.services.store.audit_rows() if r["event"] == "outcome"][-1]
    assert outcome["chat_user"] == "bob" and outcome["outcome"] == "ok" and outcome["vendor"] == "feishu"
    assert outcome["vendor_ids"] == world.open_id("bob") and outcome["meeting"] == world.meeting_id


async def test_host_declines_nothing_happens(world: World) -> None:
    world.console.user = "carol"
    await world.say("make @alice host of meeting 123456789")
    world.console.user = "you"
    assert await world.say("2") == "@you declined; nothing was changed."
    assert world.set_host_calls() == []
    assert (await decisions(world))[-1] == "declined"


async def test_approval_is_asked_in_chinese(world: World) -> None:
    world.console.user = "bob"
    ask = await world.say("把我设为主持人 123456789")
    assert ask.startswith("@you，@bob 请求：@bob 将成为飞书会议 123 456 789 的主持人；@you 将不再是主持人。")
    assert "[1] 批准   [2] 拒绝" in ask


async def test_double_and_late_clicks_run_at_most_once(world: World) -> None:
    world.console.user = "bob"
    await world.say("make me host of meeting 123456789")
    approve = world.console.choices[0]
    dispatcher = world.bot.dispatcher
    first = await dispatcher.handle_click(ButtonClick(Platform.CONSOLE, "you", "approve", approve.value, "k1"))
    same_again = await dispatcher.handle_click(ButtonClick(Platform.CONSOLE, "you", "approve", approve.value, "k1"))
    second = await dispatcher.handle_click(ButtonClick(Platform.CONSOLE, "you", "approve", approve.value, "k2"))
    assert "is now host" in first[0].text
    assert same_again == []
    assert second[0].text == "This was already answered; nothing was done again."
    assert len(world.set_host_calls()) == 1


async def test_click_after_expiry_does_nothing(world: World) -> None:
    world.console.user = "bob"
    await world.say("make me host of meeting 123456789")
    store = world.bot.services.store
    real = store.clock
    store.clock = lambda: real() + timedelta(minutes=6)
    world.console.user = "you"
    assert await world.say("1") == "This request has expired; nothing was done. Ask again if you still want it."
    assert world.set_host_calls() == []
    assert (await decisions(world))[-1] == "expired"


async def test_admin_taking_host_from_someone_else_confirms_first(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="carol@example.com")  # admins by email work too
    world.console.user = "carol"
    ask = await world.say(ASK.format(who="alice"))
    assert ask == ("@alice becomes host of Feishu meeting 123 456 789; @you stops being host.\n"
                   "Go ahead?\n[1] Confirm   [2] Cancel")
    world.console.user = "you"
    assert await world.say("1") == "Only @carol can confirm this."
    world.console.user = "carol"
    assert await world.say("2") == "Cancelled; nothing was changed."
    assert world.set_host_calls() == []
    await world.say(ASK.format(who="alice"))
    assert without_undo(await world.say("1")) == "✅ @alice is now host of Feishu meeting 123 456 789."
    assert len(world.set_host_calls()) == 1
    assert await decisions(world) == ["confirmation_asked", "foreign_click", "cancelled", "confirmation_asked",
                                "confirm", "confirmed"]


async def test_host_handing_over_needs_no_confirmation_by_default(world: World) -> None:
    assert without_undo(await world.say(ASK.format(who="alice"))) == \
        "✅ @alice is now host of Feishu meeting 123 456 789."


async def test_confirm_policy_always_is_configurable(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_CONFIRM="set_host=always")
    ask = await world.say(ASK.format(who="alice"))
    assert ask.startswith("@alice becomes host of Feishu meeting 123 456 789; you stop being host.\nGo ahead?")
    assert world.set_host_calls() == []
    assert "is now host" in await world.say("1")


async def test_confirmed_action_still_uses_cas_against_what_was_confirmed(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_CONFIRM="set_host=always")
    await world.say(ASK.format(who="alice"))
    world.sandbox.feishu.change_host(world.meeting_id, world.open_id("bob"))  # moved while we waited
    reply = await world.say("1")
    assert "changed meanwhile: it is now @bob" in reply and "[1] Retry" in reply
    assert world.set_host_calls() == []  # what was confirmed no longer holds: no blind call


async def test_host_we_cannot_reach_means_no_change(world: World) -> None:
    stranger = world.sandbox.feishu.add_user("stranger")
    world.sandbox.feishu.set_participant(world.meeting_id, stranger.open_id, 2)
    world.sandbox.feishu.change_host(world.meeting_id, stranger.open_id)
    reply = await world.say(ASK.format(who="alice"))
    assert reply.startswith("Only the meeting's host, its organizer or a hostbot admin can do this")
    assert world.set_host_calls() == []
    assert await decisions(world) == ["denied"]


async def test_many_unauthorized_requests_change_nothing(world: World) -> None:
    for i in range(20):
        world.console.user = ("bob", "carol", "dave", "alice")[i % 4]
        reply = await world.say("make me host of meeting 123456789")
        assert "Only you, as the current host, can approve." in reply
    assert world.set_host_calls() == []
    assert world.sandbox.feishu.meetings[world.meeting_id].host[0] == world.open_id("you")
