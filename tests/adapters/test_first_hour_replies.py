"""What a newcomer reads (issue 28, items 5 and 6): refusals on a click in the reader's language (encrypted
Feishu callbacks), one answer per request, a vendor's 5xx told apart from a lost answer, Chinese spacing
and grammar, and the console's numbers meaning the latest answer's buttons only."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import Fault, Sandbox
from bot.sandbox.feishu.im import BOT
from tests.conftest import World
from tests.support.feishu import content, feishu_world
from tests.support.slack import wait_for

ZH_ASK = "@_user_1 把 @_user_2 设为主持人 123456789"  # @hostbot, @alice


async def test_a_refused_click_on_feishu_is_in_the_language_of_the_card(sandbox: Sandbox, tmp_path: Path) -> None:
    async with feishu_world(sandbox, tmp_path) as feishu:
        msg, _ = await feishu.ask("bob", ZH_ASK, BOT, feishu.user("alice"))  # bob is not host: asks @you
        root = msg["message_id"]
        card = await wait_for(lambda: next(iter(feishu.cards(root)), None))
        assert "批准" in str(content(card))
        _, answer = await feishu.click("alice", card, "approve")  # alice may not approve: only @you
        assert answer["toast"]["type"] == "error"
        toast = answer["toast"]["content"]  # (this world maps no names: the host shows as its open_id)
        assert toast.startswith("只有 @") and toast.endswith(" 可以批准此请求。"), answer


async def test_zoom_answers_once_with_the_co_host_offer_on_it(world: World) -> None:
    reply = await world.say("make @dave host of meeting 85012345678")
    assert reply.count("Zoom") >= 1 and reply.count("co-host (alternative host)") == 1, reply
    assert reply.startswith("❌") and reply.endswith("[1] Add as co-host   [2] Cancel")


async def test_a_5xx_is_a_server_error_not_a_lost_answer(world: World) -> None:
    world.sandbox.faults.arm(Fault("feishu.set_host", status=500))
    reply = await world.say("make @alice host of meeting 123456789")
    assert "answered the first request with a server error (HTTP 500)" in reply, reply
    assert "was lost" not in reply and ": 1." not in reply
    assert "the change had not happened, so I sent it once more" in reply


async def test_a_5xx_after_a_zoom_or_dingtalk_change_is_a_server_error_too(world: World) -> None:
    world.sandbox.faults.arm(Fault("zoom.update_meeting", status=500, after=True))  # changed, then 500
    reply = await world.say("add @bob as co-host of meeting 85012345678")
    assert "Zoom answered the first request with a server error (HTTP 500)" in reply, reply
    assert "was lost" not in reply
    world.sandbox.faults.arm(Fault("dingtalk.cohosts", status=503, after=True))
    reply = await world.say("add @bob as co-host of dingtalk meeting 644272f14ba331015e7a-78bc1")
    assert "DingTalk answered the first request with a server error (HTTP 503)" in reply, reply
    assert "was lost" not in reply


async def test_chinese_replies_space_latin_words_and_say_de(world: World) -> None:
    assert "没有找到 #42 的待执行定时交接" in await world.say("取消交接 #42")
    reply = await world.say("把 @dave 设为主持人 85012345678")
    assert "Zoom 会议" in reply and "Zoom会议" not in reply and "为Zoom" not in reply, reply


async def test_a_number_after_an_answer_without_buttons_presses_nothing(world: World) -> None:
    asked = await world.say("make @dave host of meeting 85012345678")
    assert "[1] Add as co-host" in asked
    patches = world.sandbox.recorder.count("zoom.update_meeting")
    assert "[" not in (await world.say("help")).splitlines()[-1]  # an answer without buttons
    assert await world.say("1") == "There is no choice 1 right now."
    assert world.sandbox.recorder.count("zoom.update_meeting") == patches  # the old offer was not pressed
