"""Long work shows progress: one thread message updated as chunks finish, ending as the summary.

A Webex reassign of 250 series runs in three batches of 100 (vendor-notes §D): the updates come
after the first and the second batch, and the third ends in the summary.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from bot.sandbox import Sandbox
from bot.sandbox.feishu.im import BOT
from tests.conftest import World, WorldFactory
from tests.support.feishu import card_text, feishu_world
from tests.support.operate import slack_world
from tests.support.slack import wait_for
from tests.support.vendors import add_feishu_people


class Printed(io.StringIO):
    """The console's output, each line noted with how many vendor batches had been sent when it was printed."""

    def __init__(self, sandbox: Sandbox, op: str) -> None:
        super().__init__()
        self.sandbox, self.op = sandbox, op
        self.lines: list[tuple[str, int]] = []

    def write(self, text: str) -> int:
        if text.strip():
            self.lines.append((text.strip(), self.sandbox.recorder.count(self.op)))
        return super().write(text)


async def _erin_with_series(make_world: WorldFactory, n: int) -> World:
    world = await make_world(HOSTBOT_ADMINS="you")
    erin = world.sandbox.webex.add_user("erin")
    await world.bot.services.store.upsert_person("console", "erin", name="erin", email="erin@example.com")
    for i in range(1, n + 1):
        world.sandbox.webex.add_meeting(erin, f"Series {i:03d}")
    return world


async def test_a_250_meeting_reassign_prints_progress_in_the_console_as_batches_finish(
        make_world: WorldFactory) -> None:
    world = await _erin_with_series(make_world, 250)
    world.console.out = printed = Printed(world.sandbox, "webex.reassign")
    await world.say("reassign @erin's webex meetings to @alice")
    assert printed.lines == []  # asking for confirmation is not long work
    assert await world.say("1") == "✅ @alice now hosts 250 Webex meeting series of @erin."
    # printed while the work went on: after the first batch, after the second; then the summary
    assert printed.lines == [("⏳ 100/250 reassigned…", 1), ("⏳ 200/250 reassigned…", 2)]
    assert world.sandbox.recorder.count("webex.reassign") == 3


async def test_work_done_in_one_batch_shows_no_progress(make_world: WorldFactory) -> None:
    world = await _erin_with_series(make_world, 40)
    world.console.out = printed = Printed(world.sandbox, "webex.reassign")
    await world.say("reassign @erin's webex meetings to @alice")
    assert await world.say("1") == "✅ @alice now hosts 40 Webex meeting series of @erin."
    assert printed.lines == []


async def test_a_large_invite_shows_progress_in_chinese_too(world: World) -> None:
    names = [f"p{i:02d}" for i in range(1, 26)]
    await add_feishu_people(world, names)
    world.console.out = printed = Printed(world.sandbox, "feishu.invite")
    reply = await world.say("邀请 " + " ".join(f"@{n}" for n in names) + " 加入会议 123456789")
    assert printed.lines == [("⏳ 已邀请 10/25…", 1), ("⏳ 已邀请 20/25…", 2)]
    assert "25" in reply and world.sandbox.recorder.count("feishu.invite") == 3


async def test_a_250_meeting_reassign_in_slack_edits_one_message_into_the_summary(
        sandbox: Sandbox, tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path, names=("you", "alice", "erin"), admin="you") as slack:
        erin = sandbox.webex.add_user("erin")
        for i in range(1, 251):
            sandbox.webex.add_meeting(erin, f"Series {i:03d}")
        users = slack.users
        await slack.command("you", f"reassign <@{users['erin'].id}>'s webex meetings to <@{users['alice'].id}>")
        ask = await wait_for(lambda: next((m for m in slack.messages() if "move to" in m.get("text", "")
                                           and m.get("blocks")), None))
        root = ask["thread_ts"]
        await slack.click("you", ask, "hostbot_confirm")
        done = await wait_for(lambda: next((m for m in slack.replies_in(root)
                                            if "now hosts 250" in m.get("text", "")), None))

        def texts(method: str) -> list[dict[str, Any]]:
            return [r.body for r in sandbox.recorder.all(f"slack.{method}") if isinstance(r.body, dict)]

        progress = [b for b in texts("chat.postMessage") if "reassigned…" in str(b.get("text"))]
        assert [(b["text"], b["thread_ts"]) for b in progress] == [("⏳ 100/250 reassigned…", root)]
        edits = [b["text"] for b in texts("chat.update") if b.get("ts") == done["ts"]]
        assert edits == ["⏳ 200/250 reassigned…", done["text"]]  # the second update, then the summary
        # the thread holds the question and one message about the work: the progress message, now the summary
        assert [m["text"] for m in slack.replies_in(root) if m["ts"] != ask["ts"]] == [done["text"]]
        assert "now hosts 250 Webex meeting series" in done["text"]
        assert sandbox.webex.meetings_of("erin@example.com") == []


async def test_a_250_meeting_reassign_in_feishu_patches_one_card_into_the_summary(
        sandbox: Sandbox, tmp_path: Path) -> None:
    async with feishu_world(sandbox, tmp_path, HOSTBOT_ADMINS="you@example.com") as feishu:
        erin = sandbox.feishu.add_user("erin")
        webex_erin = sandbox.webex.add_user("erin", erin.email)
        for i in range(1, 251):
            sandbox.webex.add_meeting(webex_erin, f"Series {i:03d}")
        msg, _ = await feishu.ask("you", "@_user_1 reassign @_user_2's webex meetings to @_user_3", BOT, erin,
                                  feishu.user("alice"))
        root = msg["message_id"]
        card = await wait_for(lambda: next(iter(feishu.cards(root)), None))
        await feishu.click("you", card, "confirm")
        await wait_for(lambda: any("now hosts 250" in text for text in feishu.texts(root)))
        # the thread holds the question and ONE message about the work: the progress card, now the summary
        assert [x for x in feishu.texts(root) if x != feishu.texts(root)[0]] == [
            "✅ @alice now hosts 250 Webex meeting series of @erin."]
        sent = [r.body for r in sandbox.recorder.all("feishu.im.reply") if "reassigned…" in str(r.body)]
        assert [(b["msg_type"], card_text({"content": b["content"]})) for b in sent] == [
            ("interactive", "⏳ 100/250 reassigned…")]
        progress_id = feishu.sandbox.feishu_im.thread(root)[1]["message_id"]
        patches = sandbox.recorder.all("feishu.im.patch")
        assert {r.path for r in patches} == {f"/open-apis/im/v1/messages/{progress_id}"}
        assert [feishu.sandbox.feishu_im.shown(card_text({"content": r.body["content"]})) for r in patches] == [
            "⏳ 200/250 reassigned…", "✅ @alice now hosts 250 Webex meeting series of @erin."]
        assert all(r.status == 200 for r in patches)
