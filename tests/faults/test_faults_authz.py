"""Authorization: 100 requests from people who neither host the meeting nor administer hostbot.

alice, bob, carol and dave ask — in the console, in Slack and in Feishu — for every kind of change
on every vendor's meeting that `you` hosts: make me (or somebody) host, co-host, remove a co-host,
invite, schedule a handover, reassign `you`'s Webex meetings. Each gets a clear answer: an approval
request to the host, or a refusal. The requesters then press the Approve buttons themselves, and
other non-hosts press them too; the scheduler runs a day ahead. Nothing may change at any vendor.
Finally the host approves one request, which goes through: approval is the way, and it works.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_DINGTALK_ID, DEMO_WEBEX_ID, DEMO_ZOOM_ID
from bot.sandbox.feishu.im import BOT
from tests.support.faults import INTERNAL_ERROR, FaultWorld, fault_world, mutations
from tests.support.feishu import card_text
from tests.support.slack import wait_for

ASKERS = ("alice", "bob", "carol", "dave")
REQUESTS = (
    "make me host of meeting 123456789",
    "make {alice} host of meeting 123456789",
    "invite {dave} to meeting 123456789",
    "in 5 minutes make me host of meeting 123456789",
    "in 10 minutes hand host to {bob} of meeting 123456789",
    "把我设为主持人 123456789",
    f"make me co-host of dingtalk meeting {DEMO_DINGTALK_ID}",
    f"make {{alice}} co-host of dingtalk meeting {DEMO_DINGTALK_ID}",
    f"make me host of webex meeting {DEMO_WEBEX_ID}",
    "reassign {you}'s webex meetings to me",
    f"make me host of meeting {DEMO_ZOOM_ID}",
    f"make {{bob}} co-host of meeting {DEMO_ZOOM_ID}",
    f"add {{carol}} and {{dave}} as co-hosts of zoom meeting {DEMO_ZOOM_ID}",
    f"remove {{alice}} as co-host of meeting {DEMO_ZOOM_ID}",
)
# The host is asked, or the request is refused; an invite is refused before anybody is asked when the
# requester never authorized hostbot in Feishu (it could not run even if the host approved).
ANSWERS = ("can approve", "Only the meeting's host", "Only hostbot admins", "批准", "authorize hostbot",
           "allow hostbot to act for you", "授权")


@pytest.fixture
async def world(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FaultWorld]:
    async with fault_world(sandbox, tmp_path) as w:
        yield w


def _slack_text(world: FaultWorld, template: str) -> str:
    return template.format(**{name: world.mention(name) for name in ("you", "alice", "bob", "carol", "dave")})


def _feishu_text(world: FaultWorld, template: str) -> tuple[str, list[Any]]:
    """`@_user_1` is hostbot; the people named follow in order, as Feishu numbers them."""
    mentions: list[Any] = [BOT]
    names: dict[str, str] = {}
    for name in ("you", "alice", "bob", "carol", "dave"):
        if f"{{{name}}}" in template:
            mentions.append(world.demo.users[name])
            names[name] = f"@_user_{len(mentions)}"
    return "@_user_1 " + template.format(**names), mentions


def _state(world: FaultWorld) -> dict[str, Any]:
    s, you = world.sandbox, world.demo.users["you"]
    zoom = s.zoom.meetings[DEMO_ZOOM_ID]
    return {"feishu": s.feishu.meetings[world.demo.feishu_meeting.id].host[0] == you.open_id,
            "dingtalk": sorted(s.dingtalk.conferences[DEMO_DINGTALK_ID].cohosts),
            "webex": s.webex.meetings[DEMO_WEBEX_ID].host_email, "zoom": (zoom.host_id, list(zoom.alternative_hosts))}


async def test_100_requests_by_non_hosts_change_no_host_without_approval(world: FaultWorld) -> None:
    before = _state(world)
    answers: list[str] = []
    n = 0

    # ---- 60 in the console: each asker also presses Approve on their own request, then somebody else does
    console = world.console("alice")
    for k in range(60):
        template, console.user = REQUESTS[k % len(REQUESTS)], ASKERS[k % len(ASKERS)]
        reply = await console.send(template.format(you="@you", alice="@alice", bob="@bob", carol="@carol",
                                                   dave="@dave"))
        answers.append(reply)
        if console.choices:  # the refusal is in the language of the request's buttons (the console knows no locale)
            refusal = "只有 @you 可以批准此请求。" if "主持人" in template else "Only @you can approve this."
            assert refusal in await console.send("1")
            console.user = ASKERS[(k + 1) % len(ASKERS)]
            assert refusal in await console.send("1")
        n += 1

    # ---- 20 in Slack, 20 in Feishu, all at once
    slack_asks = [(ASKERS[k % 4], _slack_text(world, REQUESTS[k % len(REQUESTS)])) for k in range(20)]
    await asyncio.gather(*(world.slack.command(asker, text) for asker, text in slack_asks))
    feishu_msgs = []
    for k in range(20):
        text, mentions = _feishu_text(world, REQUESTS[(k + 7) % len(REQUESTS)])
        feishu_msgs.append(world.feishu.says(ASKERS[k % 4], text, *mentions))
    await asyncio.gather(*(world.feishu.push(world.sandbox.feishu_events.message(m)) for m in feishu_msgs))
    n += 40

    def slack_answers() -> list[str] | None:
        roots = [m for m in world.slack.messages() if " asked: /host " in m.get("text", "")]
        got = [world.slack.replies_in(r["ts"]) for r in roots]
        return [g[0]["text"] for g in got] if len(roots) == 20 and all(got) else None

    answers += await wait_for(slack_answers)
    await world.settle()
    answers += [world.feishu.texts(m["message_id"])[0] for m in feishu_msgs]
    assert n == len(answers) == 100
    assert [a for a in answers if not any(w in a for w in ANSWERS) or a in INTERNAL_ERROR] == []

    # ---- the askers press Approve in Slack and Feishu; so does somebody else who is not the host
    approvals = [m for m in world.slack.messages() if "can approve" in m.get("text", "") and m.get("blocks")]
    assert approvals
    for i, approval in enumerate(approvals):
        await world.slack.click(ASKERS[i % 4], approval, "hostbot_approve", action_ts=f"{i}.1")
        await world.slack.click(ASKERS[(i + 1) % 4], approval, "hostbot_approve", action_ts=f"{i}.2")
    cards = [c for m in feishu_msgs for c in world.feishu.cards(m["message_id"]) if "can approve" in card_text(c)]
    assert cards
    for i, card in enumerate(cards):
        for name in (ASKERS[i % 4], ASKERS[(i + 1) % 4]):
            _, answer = await world.feishu.click(name, card, "approve")
            assert answer["toast"]["type"] == "error", answer
    await world.settle()
    await wait_for(lambda: len(world.sandbox.slack.channel_named("general").ephemeral) >= 2 * len(approvals))

    # ---- and a day passes: nothing was scheduled without the host's word
    await world.bot.scheduler.run_due(world.bot.services.clock() + timedelta(days=1))
    await world.settle()
    assert mutations(world.sandbox) == []
    assert _state(world) == before
    rows = await world.bot.services.store.audit_rows()
    assert not [r for r in rows if r["event"] == "outcome" and r["outcome"] == "ok"]

    # ---- the host approves one: it goes through, once. One that must change the meeting now ("make me host":
    # no asker hosts anything), not whichever approval Slack shows first: an approved "in 5 minutes …" is only
    # scheduled, and "remove @alice as co-host" of a meeting she does not co-host changes nothing
    asked = {m["ts"]: m.get("text", "") for m in world.slack.messages()}
    now = [a for a in approvals if "/host make me host of " in asked.get(a.get("thread_ts", ""), "")]
    assert now, [asked.get(a.get("thread_ts", "")) for a in approvals]
    await world.slack.click("you", now[0], "hostbot_approve", action_ts="host.1")
    await wait_for(lambda: mutations(world.sandbox))
    await asyncio.sleep(0)  # a single click: let its work finish before counting
    assert len(mutations(world.sandbox)) == 1
