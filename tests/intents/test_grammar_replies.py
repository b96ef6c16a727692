"""What hostbot answers to requests it must not act on as typed (bot/intents: nothing, did_you_mean,
compound) and to a meeting number no vendor has: never a vendor call without the click."""

from __future__ import annotations

from tests.conftest import World, WorldFactory
from tests.support.undo import without_undo


async def test_negated_and_doubtful_requests_change_nothing(world: World) -> None:
    assert await world.say("don't make @alice host of meeting 123456789") == "OK, nothing changed."
    assert await world.say("never mind, don't make @bob host") == "OK, nothing changed."
    assert await world.say("不要把 @alice 设为主持人 123456789") == "好的，未做任何更改。"
    question = await world.say("要不要把@bob设为主持人？")
    assert question.startswith("好的，未做任何更改。\n")
    assert (await world.say("should I make @alice host?")).startswith("OK, nothing changed.")
    assert world.set_host_calls() == []


async def test_a_slip_is_offered_and_acted_on_only_after_the_click(world: World) -> None:
    reply = await world.say("mkae @alice hsot of meeting 123456789")
    assert reply == "Did you mean: “make @alice host of meeting 123456789”?\n[1] Yes, send that   [2] Cancel"
    assert world.set_host_calls() == []
    assert without_undo(await world.say("1")) == "✅ @alice is now host of Feishu meeting 123 456 789."
    assert len(world.set_host_calls()) == 1


async def test_a_bare_or_mistyped_known_name_is_offered_with_its_at(world: World) -> None:
    assert (await world.say("make alice host of meeting 123456789")).startswith(
        "Did you mean: “make @alice host of meeting 123456789”?")
    assert await world.say("2") == "Cancelled; nothing was changed."
    assert (await world.say("make @alcie host of meeting 123456789")).startswith(
        "Did you mean: “make @alice host of meeting 123456789”?")
    assert not (await world.say("把小李设为主持人")).startswith("您是想说")  # 小李 is nobody hostbot knows here
    assert (await world.say("把小王设为主持人")).startswith("您是想说")  # the demo's 小王 is somebody
    assert world.set_host_calls() == []


async def test_the_corrected_request_still_goes_through_the_policy(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="carol")
    world.console.user = "carol"
    await world.say("mkae @alice hsot of meeting 123456789")
    ask = await world.say("1")
    assert ask.endswith("Go ahead?\n[1] Confirm   [2] Cancel"), ask
    assert world.set_host_calls() == []
    assert without_undo(await world.say("1")) == "✅ @alice is now host of Feishu meeting 123 456 789."


async def test_two_requests_in_one_message_are_not_merged(world: World) -> None:
    reply = await world.say("make @bob host of meeting 123456789 and @carol co-host")
    assert reply == ("That is 2 requests in one message. So that nothing is merged by mistake, please send them "
                     "one per message:\n1. make @bob host of meeting 123456789\n2. make @carol co-host")
    zh = await world.say("把@bob设为主持人，然后邀请@carol入会")
    assert zh.startswith("这条消息里有 2 个请求。")
    assert world.set_host_calls() == []


async def test_a_named_meeting_is_never_replaced_by_the_linked_one(world: World) -> None:
    await world.say("link this channel to meeting 123456789")
    reply = await world.say("make @alice host of meeting 12345678")
    assert reply == ("❌ Could not make @alice host of meeting 12345678: there is no meeting 12345678 at Feishu, "
                     "DingTalk, Webex and Zoom. What to do: check the meeting number or link.")
    assert world.set_host_calls() == []
    who = await world.say("who is host of meeting 12345")
    assert "there is no meeting 12345 at" in who and "123 456 789" not in who


async def test_help_does_not_list_the_answers_as_abilities(world: World) -> None:
    text = await world.say("help")
    assert "nothing" not in text.lower() and "did you mean" not in text.lower()


def test_the_corrected_request_keeps_the_feishu_mentions() -> None:
    from bot.core.flow.dispatch import rerun_message
    from bot.core.model.events import ChatMessage, Platform, neutral_mention
    from bot.intents import parse
    from tests.support.markup import Mention, neutral

    bot = Mention("ou_bot", name="@_user_1", is_bot=True)
    alice = Mention("ou_alice", name="@_user_2", shown="Alice")
    text = neutral("@_user_1 mkae @_user_2 hsot", "feishu", (bot, alice), "ou_bot")
    typed = parse(text, "ou_bot")
    assert (typed.name, typed.suggestion.split()) == ("did_you_mean", ["make", neutral_mention("ou_alice", "Alice"),
                                                                       "host"])
    msg = ChatMessage(platform=Platform.FEISHU, user="ou_you", text=text)
    again = rerun_message(msg, {"rerun": typed.suggestion, "bot_user": "ou_bot"})
    assert again.text == typed.suggestion
    assert parse(again.text, again.bot_user).targets == ("ou_alice",)
