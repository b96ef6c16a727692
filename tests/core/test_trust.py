"""Trust, the way a real workspace breaks it: partial mappings, hosts hostbot never met, strangers
taking meetings, re-pointed channels, invites that would fail after the approval.

Every assertion that matters is on what the vendor fake recorded (mutating requests), not on words.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.adapters.markup import slack_inbound, slack_text
from bot.app import HostBot, build
from bot.config import settings_from_mapping
from bot.core.model.events import ButtonClick, ChatMessage, Platform, Reply
from bot.devtools.demo import DemoWorld, seed
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_WEBEX_DAVE, DEMO_WEBEX_ID, DEMO_ZOOM_ID
from bot.sandbox.slack.web import SlackUser
from tests.conftest import World

MUTATIONS = ("feishu.set_host", "feishu.invite", "zoom.update_meeting", "webex.reassign", "dingtalk.cohosts")


def mutations(sandbox: Sandbox) -> list[str]:
    return [r.op for r in sandbox.recorder.all() if r.op in MUTATIONS and r.status < 300]


def seen(replies: list[Reply]) -> list[Reply]:
    """The replies as Slack shows them (bot/adapters/markup.py renders the neutral mentions)."""
    return [replace(r, text=slack_text(r.text)) for r in replies]


@dataclass
class SlackSide:
    sandbox: Sandbox
    demo: DemoWorld
    bot: HostBot
    users: dict[str, SlackUser]
    channel: str

    async def say(self, who: str, text: str) -> list[Reply]:
        bot_user = self.sandbox.slack.bot_user.id
        msg = ChatMessage(platform=Platform.SLACK, user=self.users[who].id, channel=self.channel,
                          text=slack_inbound(text, bot_user), bot_user=bot_user)
        return seen(await self.bot.dispatcher.handle_message(msg))

    async def click(self, who: str, reply: Reply, index: int = 0, click_id: str = "") -> list[Reply]:
        button = reply.buttons[index]
        return seen(await self.bot.dispatcher.handle_click(ButtonClick(
            Platform.SLACK, self.users[who].id, button.action, button.value, click_id or f"c-{who}-{button.value}")))

    def at(self, who: str) -> str:
        return f"<@{self.users[who].id}>"


@pytest.fixture
async def slack(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[SlackSide]:
    """A Slack workspace whose people hostbot has never looked up: no rows, no mappings."""
    demo = seed(sandbox)
    users = {n: sandbox.slack.add_user(n) for n in ("you", "alice", "bob", "carol", "dave")}
    channel = sandbox.slack.add_channel("ops", list(users.values()))
    bot = build(settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "h.db")}))
    yield SlackSide(sandbox, demo, bot, users, channel.id)
    await bot.aclose()


# ---- 1. a mapping for one vendor keeps every other id -----------------------------------------
async def test_a_host_mapped_for_dingtalk_only_still_changes_feishu_and_zoom_hosts(slack: SlackSide) -> None:
    you = slack.users["you"].id
    await slack.bot.services.store.set_mapping("slack", you, "dingtalk_union_id", slack.demo.vendors.dingtalk_users[
        "you"].union_id)
    replies = await slack.say("you", f"make {slack.at('alice')} host of meeting 123456789")
    assert "is now host" in replies[0].text and [b.action for b in replies[0].buttons] == ["undo"]  # no prompt
    assert slack.sandbox.recorder.all("feishu.set_host")[-1].body["host_user"]["id"] == \
        slack.demo.users["alice"].open_id
    replies = await slack.say("you", f"make {slack.at('alice')} host of meeting {DEMO_ZOOM_ID}")
    assert "is now host" in replies[0].text
    assert mutations(slack.sandbox) == ["feishu.set_host", "zoom.update_meeting"]
    person = await slack.bot.services.people.resolve(you, "slack", you)
    assert person.source_of("dingtalk") == "mapping" and person.source_of("feishu") == "profile"


# ---- 2. a host hostbot never met is found and asked ----------------------------------------------
async def test_a_host_never_seen_is_looked_up_and_asked_and_only_their_click_acts(slack: SlackSide) -> None:
    ask = (await slack.say("bob", "make me host of meeting 123456789"))[0]
    assert slack.users["you"].id in ask.mention_users  # the host, found by Feishu contact -> email -> Slack
    assert slack.at("you") in ask.text and [b.action for b in ask.buttons] == ["approve", "decline"]
    assert mutations(slack.sandbox) == []
    own = await slack.click("bob", ask)  # the requester's own click does nothing
    assert own[0].ephemeral and mutations(slack.sandbox) == []
    done = await slack.click("you", ask)
    assert "is now host" in done[0].text
    calls = slack.sandbox.recorder.all("feishu.set_host")
    assert len(calls) == 1 and calls[0].body["old_host_user"]["id"] == slack.demo.users["you"].open_id  # CAS
    assert calls[0].body["host_user"]["id"] == slack.demo.users["bob"].open_id
    assert await slack.click("you", ask, click_id="again") and len(slack.sandbox.recorder.all("feishu.set_host")) == 1


async def test_a_host_nobody_can_find_is_named_with_what_an_admin_can_map(slack: SlackSide) -> None:
    stranger = slack.sandbox.feishu.add_user("ghost", email="ghost@elsewhere.example")
    slack.sandbox.feishu.meetings[slack.demo.feishu_meeting.id].host = (stranger.open_id, 1)
    reply = (await slack.say("bob", "make me host of meeting 123456789"))[0]
    assert not reply.buttons and mutations(slack.sandbox) == []
    assert "hostbot users set" in reply.text or "ghost" in reply.text


# ---- 3. the meeting's real host decides a reassign, not the requester's words ---------------------
@pytest.mark.parametrize("meeting", [DEMO_WEBEX_DAVE[0], DEMO_WEBEX_ID])
async def test_my_webex_meeting_said_by_a_stranger_moves_nothing(world: World, meeting: str) -> None:
    world.console.user = "bob"
    reply = await world.say(f"reassign my webex meeting {meeting} to @bob")
    if "[1]" in reply:  # a confirmation would be the bug: pressing it must not move the series either
        await world.say("1")
    assert world.sandbox.recorder.all("webex.reassign") == []
    assert "admin" in reply


async def test_the_real_host_may_reassign_their_own_series(world: World) -> None:
    world.console.user = "dave"
    reply = await world.say(f"reassign my webex meeting {DEMO_WEBEX_DAVE[0]} to @alice")
    assert "[1] Confirm" in reply
    assert "moves" in await world.say("1") or world.sandbox.recorder.all("webex.reassign")
    assert len(world.sandbox.recorder.all("webex.reassign")) == 1


# ---- 4. re-pointing a channel somebody else linked needs them, the host or an admin ----------------
async def test_a_stranger_cannot_repoint_the_channel(world: World) -> None:
    assert "linked" in await world.say(f"link this channel to zoom meeting {DEMO_ZOOM_ID}")
    world.console.user = "bob"
    reply = await world.say("link this channel to meeting 123456789")
    assert "[1] Approve" in reply and "@you" in reply  # the linked meeting's host is asked
    link = await world.bot.services.store.link("console", "console")
    assert link is not None and link["vendor"] == "zoom"
    world.console.user = "you"
    await world.say("1")
    link = await world.bot.services.store.link("console", "console")
    assert link is not None and link["vendor"] == "feishu"


async def test_the_one_who_linked_may_relink_without_asking(world: World) -> None:
    await world.say(f"link this channel to zoom meeting {DEMO_ZOOM_ID}")
    assert "was linked to" in await world.say("link this channel to meeting 123456789")


# ---- 8. what can be checked before asking the host is checked first --------------------------------
async def test_invite_without_the_requesters_authorization_is_refused_before_anybody_is_asked(world: World) -> None:
    world.console.user = "bob"  # bob never authorized hostbot in Feishu; `you` did
    reply = await world.say("invite @dave to meeting 123456789")
    assert "[1] Approve" not in reply and "authoriz" in reply
    assert world.sandbox.recorder.all("feishu.invite") == []
    decisions = [r["outcome"] for r in await world.bot.services.store.audit_rows() if r["event"] == "decision"]
    assert "approval_requested" not in decisions


async def test_a_host_change_on_an_ended_meeting_is_refused_before_confirming(world: World) -> None:
    world.sandbox.feishu.meetings[world.meeting_id].status = 3  # ended
    world.console.user = "carol"  # an admin: would be asked to confirm
    reply = await world.say("make @alice host of meeting 123456789")
    assert "[1]" not in reply and world.set_host_calls() == []


# ---- 6. words that mean "no" never act; 7. a named meeting is never replaced --------------------
@pytest.mark.parametrize("text", ["don't make @alice host of meeting 123456789",
                                  "never mind, don't make @alice host of meeting 123456789",
                                  "不要把 @alice 设为主持人 123456789", "别把@alice设为主持人",
                                  "should I make @alice host of meeting 123456789?"])
async def test_negated_or_doubtful_requests_said_by_the_host_change_nothing(world: World, text: str) -> None:
    reply = await world.say(text)
    assert ("nothing changed" in reply or "未做任何更改" in reply) and "[1]" not in reply
    assert world.set_host_calls() == []


async def test_a_mistyped_meeting_number_is_reported_not_replaced_by_the_linked_one(world: World) -> None:
    await world.say("link this channel to meeting 123456789")
    reply = await world.say("make @alice host of meeting 12345678")
    assert "12345678" in reply and world.set_host_calls() == []
    assert "123 456 789" not in await world.say("who is host of meeting 12345")
