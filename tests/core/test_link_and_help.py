"""link_meeting binds this thread/channel to a meeting ("this meeting" then means it); help lists every intent."""

from __future__ import annotations

from handlers.help import NOT_ABILITIES
from tests.conftest import World
from tests.support.undo import without_undo


async def test_link_then_this_meeting(world: World) -> None:
    reply = await world.say("link this channel to meeting 123456789")
    assert reply == "🔗 This channel is now linked to Feishu meeting 123 456 789: “this meeting” here means it."
    row = await world.bot.services.store.link("console", "console")
    assert row is not None
    # stored by the vendor's own meeting id, which is never reused the way a 9-digit number is
    assert (row["vendor"], row["meeting_id"], row["linked_by"]) == ("feishu", world.meeting_id, "you")
    assert without_undo(await world.say("make @alice host of this meeting")) == \
        "✅ @alice is now host of Feishu meeting 123 456 789."
    assert world.set_host_calls()[-1]["host_user"] == {"id": world.open_id("alice"), "user_type": 1}


async def test_link_again_and_in_chinese(world: World) -> None:
    await world.say("link this channel to meeting 123456789")
    assert await world.say("绑定会议 123456789") == "本群聊已经关联了飞书会议 123 456 789，无需操作。"
    other = world.sandbox.feishu.add_meeting(world.demo.users["you"], meeting_no="555666777")
    assert await world.say("把本群关联到飞书会议 555666777") == (
        "🔗 已将本群聊改为关联飞书会议 555 666 777（之前关联的是 飞书 6911188411932033028）。")
    assert (await world.bot.services.store.link("console", "console"))["meeting_id"] == other.id  # type: ignore[index]
    # a meeting somebody else runs: a link carries authority, so its host (bob) is asked first
    bobs = world.sandbox.feishu.add_meeting(world.demo.users["bob"], meeting_no="555666888")
    asked = await world.say("把本群关联到飞书会议 555666888")
    assert asked.startswith("@bob，@you 请求：本群聊将改为关联飞书会议 555 666 888"), asked
    assert (await world.bot.services.store.link("console", "console"))["meeting_id"] == other.id  # type: ignore[index]
    assert bobs.id != other.id


async def test_link_needs_a_meeting_that_exists(world: World) -> None:
    assert await world.say("link this thread") == (
        "Which meeting should this thread be linked to? Give its number or link, e.g. "
        "“link this channel to meeting 123456789”.")
    reply = await world.say("link this channel to meeting 999888777")
    assert "no Feishu meeting with number 999 888 777" in reply
    assert await world.bot.services.store.link("console", "console") is None


async def test_help_lists_every_intent_in_the_askers_language(world: World) -> None:
    en = await world.say("help")
    assert en.splitlines()[0] == "I change who hosts a meeting. Try:"
    assert "• Make somebody host: “make @alice host of meeting 123456789”" in en
    assert "• Link this thread or channel to a meeting: “link this channel to meeting 123456789”" in en
    zh = await world.say("帮助")
    assert "• 设置主持人：“把 @alice 设为主持人 123456789”" in zh
    assert "• 把本话题或群聊关联到会议：“绑定会议 123456789”" in zh
    names = [spec.name for spec in world.bot.services.registry.specs() if spec.name not in NOT_ABILITIES]
    assert len([line for line in zh.splitlines() if line.startswith("• ")]) == len(names)
