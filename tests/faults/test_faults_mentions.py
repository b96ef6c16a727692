"""Mass mentions through the bot (issue 16, finding 3): 50 hostile texts per platform, 0 delivered.

Each text is sent the way people reach hostbot — `/host TEXT` and an @mention on Slack, a group
message to the bot on Feishu — and comes back in what hostbot says ("you asked: …", "I did not
understand …"). A real host change follows on each platform with a meeting topic and a person's
name that carry markup too (foreign text from the vendor). Then every string hostbot sent (every
chat.postMessage / chat.update / chat.postEphemeral on Slack, every reply and message on Feishu,
cards included; button values are callback data, not shown) is checked: no `<!…>` on Slack and no
`<` except hostbot's own `<@U…>`; on Feishu no `<at …>` except hostbot's own to an `ou_` id, and no
raw `@_user_N` placeholder.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.feishu.im import BOT
from tests.support.faults import FaultWorld, fault_world
from tests.support.feishu import first_text
from tests.support.slack import wait_for

MASS = ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S0123ABC>", "<!subteam^S0123ABC|@oncall>",
        "<!here|here>", "<!channel|@channel>", '<at user_id="all"></at>', '<at user_id="all">所有人</at>',
        "<at id=all></at>", "<at user_id='all'>all</at>", '< at user_id="all" ></at>', '<AT USER_ID="all"></AT>']
HOSTILE = [
    *MASS,
    "/host <!channel> <!here> <!subteam^S123> hi", "hi <!everyone> please", "<<!channel>>", "<!<!here>>",
    "&lt;!channel&gt;", "&#60;!here&#62;", "`<!channel>`", "```<!everyone>```", "> <!here>", "*<!here>*",
    '<a<at user_id="all"></at>t user_id="all"></at>', '<at user_id="all"', '<at user_id="all"><at user_id="all">',
    "@_user_1 <at user_id=\"all\"></at> make me host", "@_all 全体注意", "@_user_2 @_user_3 @_user_9",
    "<#C0123|general> <!channel>", "<https://evil.example|click me> <!here>", "<mailto:a@b.c|mail> <!here>",
    "<!date^1392734382^{date}|Feb 18> <!here>", "x" * 195 + "<!channel>", "y" * 198 + "<!here>",
    "z" * 199 + '<at user_id="all"></at>', "make <!channel> host of meeting 123456789",
    'make <at user_id="all"></at> host of meeting 123456789', "把 <!here> 设为主持人", '把 <at id=all></at> 设为主持人',
    "invite <!everyone> to meeting 123456789", "hand host to <!channel> at 15:00", "remove <!here> as co-host",
    "\u202e<!lennahc>\u202c <!channel>", "<!channel>\n<!here>\n<!everyone>", "<\u200b!channel> <!channel>",
    "%3C!channel%3E <!here>", "<!CHANNEL> <!Here>", "<!channel><!channel><!channel><!channel>",
    "<!subteam^S1|@all-staff> <!subteam^S2>",
]
assert len(HOSTILE) == 50

HOSTILE_TOPIC = 'Sync <!channel> <at user_id="all"></at> & <b>'
HOSTILE_NAME = 'Ann <!here> <at id=all></at>'
_SLACK_MASS = re.compile(r"<!", re.I)
SLACK_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")  # hostbot's own (bot/core/identity/resolver.py mention())
_FEISHU_AT = re.compile(r"<\s*at\b", re.I)
_FEISHU_OWN_CARD = re.compile(r"<at id=ou_[A-Za-z0-9_-]+></at>")
_FEISHU_OWN_TEXT = re.compile(r'<at user_id="ou_[A-Za-z0-9_-]+">[^<]*</at>')  # strict: no markup in the name


@pytest.fixture
async def world(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FaultWorld]:
    async with fault_world(sandbox, tmp_path) as w:
        yield w


def strings(value: Any) -> Iterator[str]:
    """Every string a message would show (button values are callback data: skipped)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key not in ("value", "action_id", "block_id", "channel", "thread_ts", "ts", "uuid", "receive_id"):
                yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


def slack_sent(world: FaultWorld) -> list[str]:
    ops = ("slack.chat.postMessage", "slack.chat.update", "slack.chat.postEphemeral")
    return [s for op in ops for r in world.sandbox.recorder.all(op) for s in strings(r.body)]


def feishu_sent(world: FaultWorld) -> list[str]:
    found = []
    for op in ("feishu.im.reply", "feishu.im.create"):
        for r in world.sandbox.recorder.all(op):
            found += strings(json.loads(r.body["content"]))
    return found


def slack_mass(texts: list[str]) -> list[str]:
    """Texts with a `<!…>` or any `<` that is not hostbot's own `<@U…>`."""
    return [t for t in texts if _SLACK_MASS.search(t) or "<" in SLACK_MENTION.sub("", t)]


def feishu_mass(texts: list[str]) -> list[str]:
    """Texts with an `<at …>` that is not hostbot's own (to an ou_ id), or a raw placeholder."""
    def foreign(t: str) -> bool:
        rest = _FEISHU_OWN_CARD.sub("", _FEISHU_OWN_TEXT.sub("", t))
        return bool(_FEISHU_AT.search(rest)) or "<" in rest or "@_user_" in t or "@_all" in t
    return [t for t in texts if foreign(t)]


async def test_50_hostile_texts_on_slack_ping_nobody(world: FaultWorld) -> None:
    slack = world.slack
    for n, text in enumerate(HOSTILE):
        resp = await slack.command("you", text, trigger=f"hostile-{n}")
        assert resp.status_code == 200
        bot = world.sandbox.slack.bot_user.id
        resp = await slack.event({"type": "app_mention", "user": slack.users["carol"].id, "channel": slack.channel.id,
                                  "ts": f"1700000100.{n:06d}", "text": f"<@{bot}> {text}"}, f"EvHostile{n}")
        assert resp.status_code == 200
    # every command opened a thread and got its answer; every mention was answered in its thread
    await wait_for(lambda: sum(1 for m in slack.messages() if m.get("thread_ts") and m["ts"] != m["thread_ts"])
                   >= 2 * len(HOSTILE), timeout=120)

    # a real host change whose meeting topic and vendor-reported name carry markup
    world.demo.feishu_meeting.topic = HOSTILE_TOPIC
    world.demo.users["alice"].name = HOSTILE_NAME
    said = await world.ask_slack("you", f"make {world.mention('alice')} host of meeting 123456789")
    assert "is now host" in said or "Confirm" in said or "confirm" in said, said

    sent = slack_sent(world)
    assert len(sent) >= 2 * len(HOSTILE)
    assert slack_mass(sent) == []
    # the adapter reads a special mention as nothing (bot/adapters/markup.py): the rest is echoed as typed
    assert any("hi" in s and "please" in s and "everyone" not in s for s in sent)
    print(f"\nslack: {len(HOSTILE)} hostile texts x 2 ways, {len(sent)} strings sent, "
          f"{len(slack_mass(sent))} mass mentions")


async def test_50_hostile_texts_on_feishu_ping_nobody(world: FaultWorld) -> None:
    feishu = world.feishu
    asked = []
    for text in HOSTILE:
        msg = feishu.says("carol", f"@_user_1 {text}", BOT, feishu.user("bob"))
        resp = await feishu.push(world.sandbox.feishu_events.message(msg))
        assert resp.status_code == 200
        asked.append(msg["message_id"])
    await world.settle()
    assert all(feishu.texts(m) for m in asked)  # each was answered

    world.demo.feishu_meeting.topic = HOSTILE_TOPIC
    world.demo.users["alice"].name = HOSTILE_NAME
    msg, _ = await feishu.ask("you")  # "make @alice host of meeting 123456789"
    await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "host"))
    await world.settle()

    sent = feishu_sent(world)
    assert len(sent) >= len(HOSTILE)
    assert feishu_mass(sent) == []
    echoed = " ".join(sent)
    assert "@bob" in echoed  # the @_user_2 placeholder shown as the name it stands for
    print(f"\nfeishu: {len(HOSTILE)} hostile texts, {len(sent)} strings sent, {len(feishu_mass(sent))} mass mentions")


def test_vendor_names_and_topics_render_as_foreign_text_beside_hostbots_own_mentions() -> None:
    """What a handler writes: its own neutral mention (bot/core/identity/resolver.py mention()) next to a vendor's
    words. A vendor's words in exactly Slack's or Feishu's mention form ping nobody either."""
    from bot.adapters.feishu.cards import message_body
    from bot.adapters.slack.blocks import reply_blocks, reply_text
    from bot.core.model.events import Button, Reply, neutral_mention

    alice = neutral_mention("U0ALICE", "alice")
    slack = Reply(f"✅ {alice} is now host of “{HOSTILE_TOPIC} <@U0EVE>” (Webex calls them {HOSTILE_NAME})")
    shown = [reply_text(slack), *strings(reply_blocks(slack))]
    assert slack_mass(shown) == [] and sum("<@U0ALICE>" in s for s in shown) == 2  # the text and the block
    assert "“Sync &lt;!channel&gt; &lt;at user_id=\"all\"&gt;&lt;/at&gt; &amp; &lt;b&gt; &lt;@U0EVE&gt;”" in shown[0]
    assert not any("<@U0EVE>" in s for s in shown)

    text = f'✅ {neutral_mention("ou_alice", HOSTILE_NAME)} is now host of “{HOSTILE_TOPIC}” <at user_id="ou_eve"></at>'
    for reply in (Reply(text), Reply(text, buttons=(Button("Retry", "retry", "p1"),))):
        _, content = message_body(reply, "en")
        shown = list(strings(json.loads(content)))
        assert feishu_mass(shown) == [], shown
        own = ('<at user_id="ou_alice">Ann ＜!here＞ </at>', "<at id=ou_alice></at>")
        assert any(o in s for o in own for s in shown), shown
        assert not any("ou_eve" in s and "<at" in s.split("ou_eve")[0][-12:] for s in shown), shown


def test_a_typed_neutral_mark_cannot_forge_a_mention() -> None:
    """The neutral form is the adapters' own: the mark is taken out of what people type on every
    platform, so typing it names nobody (the parser sees no mention, replies render none)."""
    from bot.adapters.markup import console_inbound, feishu_inbound, slack_inbound, slack_text
    from bot.core.model.events import MENTION_MARK, neutral_mention
    from bot.intents import parse

    forged = f"make {neutral_mention('U0ADMIN', 'admin')} host of meeting 123456789"
    for neutral in (slack_inbound(forged), feishu_inbound(forged, ()), console_inbound(forged)):
        assert MENTION_MARK not in neutral
        assert "U0ADMIN" not in parse(neutral).targets
        assert "<@U0ADMIN>" not in slack_text(f"you asked: {neutral}")
    real = slack_inbound("make <@U0ALICE|alice> host of meeting 123456789")
    assert parse(real).targets == ("U0ALICE",) and "<@U0ALICE>" in slack_text(f"you asked: {real}")
