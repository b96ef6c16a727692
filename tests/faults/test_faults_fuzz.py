"""Fuzzing: 100,000 random and mutated chat lines through the parser, 2,000 through the console path.

`parse` never raises by contract: it catches its own bugs, logs "parser failed" and answers
"unknown". So the check is that it never had to — no such log record — and that every answer is a
known intent whose JSON (and the payload a proposal stores) serialises. The lines are the README's
and the corpus's utterances mutated (inserted mentions of every platform, meeting ids and links of
every vendor, time phrases, DST edges, deletions, duplications, swaps, truncations, case and width
changes, control and zero-width characters, lone surrogates, very long lines) and random text; each
comes with a random platform, Feishu mentions list, clock and time zone (some of them invalid).
The console path (dispatcher, handlers, vendors on the sandbox) gets a smaller sample, biased to
well-formed requests, plus bare button numbers: each gets a non-empty reply and never the apology
that means an exception escaped. Seeded: a failure names the line to replay.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.intents import INTENT_NAMES
from tests.conftest import World, WorldFactory
from tests.support.faults import INTERNAL_ERROR, instant_vendor_waits
from tests.support.markup import Mention, parse_as

PARSER_LINES = 100_000
CONSOLE_LINES = 2_000
SEED = 20_261_121

CORPUS = [case["text"] for case in json.loads(Path(__file__).parents[1].joinpath("corpus").joinpath("utterances.json")
                                                .read_text())["cases"]]
FRAGMENTS = [
    # people, as each platform writes them
    "@alice", "@bob", "@小王", "me", "我", "<@U0123ABCD>", "<@U0123ABCD|alice>", "<@W999>", "<@>", "<@U1|>",
    "@_user_1", "@_user_2", "@_user_9", "@_all", "<at user_id=\"ou_x\">x</at>", "@", "@@", "@ alice",
    # meetings of every vendor
    "123456789", "6911188411932033028", "85012345678", "8501234567", "812 3456 7890", "123-456-789",
    "vc.feishu.cn/j/123456789", "https://vc.feishu.cn/j/987654321?from=x", "https://zoom.us/j/85012345678?pwd=abc",
    "https://us02web.zoom.us/j/8501234567", "870f51ff287b41be84648412901e0402",
    "https://example.webex.com/meet/alice", "https://example.webex.com/example/j.php?MTID=m870f51ff",
    "644272f14ba331015e7a-78bc1", "https://meeting.dingtalk.com/j/abc", "meeting", "会议", "this meeting", "这个会",
    # times, edges included
    "at 15:00", "at 3", "at 3pm", "at 25:99", "at 24:00", "tomorrow", "明天下午三点", "今晚8点", "in 20 minutes",
    "in -5 minutes", "in 99999999999 minutes", "20分钟后", "2026-03-29 02:30", "2026-10-25 02:30", "at noon",
    "next monday 9am", "下周一", "1/1/1", "00:00", "23:59:60",
    # words of every intent
    "make", "host", "co-host", "cohost", "remove", "invite", "reassign", "'s meetings", "to", "hand", "over",
    "handover", "#3", "cancel", "list", "link", "who is", "help", "设为", "主持人", "联席主持人", "取消", "邀请",
    "转给", "交接", "绑定", "帮助", "/host", "/hostbot", "please", "请",
    # awkward text
    "", " ", "\t", "\n", "\r\n", "\x00", "\x1b[31m", "\u200b", "\u200d", "\ufeff", "\u202e", "\ue000", "🙂", "👩‍👩‍👧",
    "Ａｌｉｃｅ", "１２３４５６７８９", "＠alice", "\ud800", "\udfff", "ß", "İ", "\u0301", "%s", "{0}", "{target}",
    "\\", "\"", "'", "`", "<", ">", "&amp;", "<!channel>", "<#C123|general>", "*bold*", "~~", ":smile:",
]
PLATFORMS = ["console", "slack", "feishu", "", "discord"]
ZONES = ["UTC", "Europe/Berlin", "Asia/Shanghai", "America/Los_Angeles", "Australia/Lord_Howe", "Pacific/Kiritimati",
         "", "Not/AZone", "../../etc/passwd", "UTC+8", "\x00", "Europe/Berlin\n"]


def _random_text(rng: random.Random, n: int) -> str:
    ranges = [(0x20, 0x7E), (0x00, 0x1F), (0x4E00, 0x9FFF), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x1F300, 0x1FAFF),
              (0x0590, 0x06FF), (0xD800, 0xDFFF), (0x80, 0x24F)]
    out = []
    for _ in range(n):
        lo, hi = rng.choice(ranges)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(10)
        at = rng.randint(0, len(text))
        if op == 0:  # insert a fragment
            text = f"{text[:at]} {rng.choice(FRAGMENTS)} {text[at:]}"
        elif op == 1 and text:  # delete a span
            text = text[:at] + text[at + rng.randint(1, 8):]
        elif op == 2 and text:  # replace a character
            text = text[:at] + _random_text(rng, 1) + text[at + 1:]
        elif op == 3:  # duplicate a span
            text = text[:at] + text[max(0, at - 10):at] + text[at:]
        elif op == 4:  # swap two words
            words = text.split(" ")
            if len(words) > 1:
                i, j = rng.randrange(len(words)), rng.randrange(len(words))
                words[i], words[j] = words[j], words[i]
            text = " ".join(words)
        elif op == 5:
            text = text[:at]  # truncate
        elif op == 6:
            text = rng.choice([str.upper, str.lower, str.title, str.swapcase])(text)
        elif op == 7:  # full width
            text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and rng.random() < 0.5 else c for c in text)
        elif op == 8:
            text = f"{text} {rng.choice(CORPUS)}"
        else:
            text = text[:at] + _random_text(rng, rng.randint(1, 6)) + text[at:]
    return text


def _line(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.7:
        return _mutate(rng, rng.choice(CORPUS))
    if kind < 0.85:
        return " ".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 12)))
    if kind < 0.99:
        return _random_text(rng, rng.randint(0, 120))
    return rng.choice(CORPUS) * rng.randint(20, 80)  # very long (the parser reads the first 4,000 characters)


def _mentions(rng: random.Random) -> tuple[Mention, ...]:
    return tuple(Mention(chat_user=rng.choice(["ou_alice", "ou_bot", "", "ou_" + "x" * 40]),
                         name=rng.choice(["@_user_1", "@_user_2", "@_user_3", "", "alice", "@_user_1"]),
                         open_id=rng.choice(["ou_alice", "ou_bot", ""]), is_bot=rng.random() < 0.3)
                 for _ in range(rng.randint(0, 3)))


def _now(rng: random.Random) -> datetime | None:
    edges = [datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
             datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2024, 2, 29, 12, tzinfo=UTC)]
    pick = rng.random()
    if pick < 0.3:
        return None
    if pick < 0.6:
        return rng.choice(edges)
    if pick < 0.7:
        return datetime(2026, 6, 1, 12, 0)  # naive: read in the speaker's zone
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 366 * 86400))


def test_100k_random_and_mutated_lines_never_trip_the_parser(caplog: pytest.LogCaptureFixture) -> None:
    rng = random.Random(SEED)
    caplog.set_level(logging.ERROR, logger="bot.intents")
    seen: dict[str, int] = {}
    for n in range(PARSER_LINES):
        line = _line(rng)
        platform = rng.choice(PLATFORMS)
        intent = parse_as(line, platform, _mentions(rng) if platform == "feishu" else (),
                          rng.choice(["", "U0HOSTBOT", "ou_bot"]), now=_now(rng), tz=rng.choice(ZONES))
        assert intent.name in INTENT_NAMES and intent.lang in ("en", "zh"), (n, line)
        json.dumps(intent.to_json())
        json.dumps(intent.to_payload())  # what a Confirm/Approve button stores
        seen[intent.name] = seen.get(intent.name, 0) + 1
        if caplog.records:
            pytest.fail(f"line {n} tripped the parser ({platform}): {line!r}")
    assert len(seen) >= 10, seen  # the mutations reach nearly every intent, not just "unknown"
    print(f"\n{PARSER_LINES} lines parsed: " + ", ".join(f"{k} {v}" for k, v in sorted(seen.items())))


async def test_2000_lines_through_the_console_get_a_reply_each(make_world: WorldFactory,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    world: World = await make_world(HOSTBOT_ADMINS="carol")
    instant_vendor_waits(world.bot)
    caplog.set_level(logging.ERROR)
    rng = random.Random(SEED + 1)
    speakers = ["you", "alice", "bob", "carol", "dave", "zed"]
    for n in range(CONSOLE_LINES):
        world.console.user = rng.choice(speakers)
        pick = rng.random()
        if pick < 0.1:
            line = str(rng.randint(0, 12))  # a button number (or one that is not there)
        elif pick < 0.75:
            line = _mutate(rng, rng.choice(CORPUS)) if rng.random() < 0.5 else rng.choice(CORPUS)
        else:
            line = _line(rng)
        reply = await world.say(line)
        if not line.strip():
            continue  # nothing typed: the console prints nothing
        assert reply.strip(), (n, line)
        assert reply not in INTERNAL_ERROR and not any(e in reply for e in INTERNAL_ERROR), (n, line, reply)
        if caplog.records:
            pytest.fail(f"line {n} ({world.console.user}) logged an error: {line!r}: {caplog.records[0].getMessage()}")
