"""Bad input gets a clear reply, never an exception: unknown people, gibberish, no meeting."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intents import parse
from tests.conftest import World, WorldFactory


async def test_unknown_user(world: World) -> None:
    reply = await world.say("make @zed host of meeting 123456789")
    assert reply == "I don't know who @zed is. An admin can add them with `hostbot users set`."
    assert world.set_host_calls() == []


async def test_ambiguous_name(world: World) -> None:
    store = world.bot.services.store
    await store.upsert_person("console", "alice2", name="Alice")
    await store.upsert_person("console", "alice3", name="alice")
    reply = await world.say("make @Alice host of meeting 123456789")
    assert "could be several people" in reply and "@alice2" in reply and "@alice3" in reply


async def test_person_without_feishu_account(world: World) -> None:
    await world.bot.services.store.upsert_person("console", "frank", name="frank")
    reply = await world.say("make @frank host of meeting 123456789")
    assert "not their feishu account" in reply and "hostbot users set frank feishu=<id>" in reply


async def test_gibberish_gets_help(world: World) -> None:
    reply = await world.say("asdf qwerty")
    assert reply.startswith("Sorry, I didn't understand “asdf qwerty”.\nClosest to what I can do:\n• “")
    assert reply.endswith("\nSay “help” for everything I can do.") and reply.count("• ") == 3


async def test_not_understood_offers_the_three_closest_examples_not_the_whole_help(world: World) -> None:
    lines = (await world.say("please invte everyone")).split("\n")
    assert lines[:2] == ["Sorry, I didn't understand “please invte everyone”.", "Closest to what I can do:"]
    assert len(lines) == 6 and all(line.startswith("• “") and "invite @" in line for line in lines[2:5])
    assert lines[5] == "Say “help” for everything I can do."  # not the whole help: three examples and a pointer
    zh = await world.say("移除联席")
    assert zh.startswith("抱歉，我没看懂“移除联席”。\n我能做的事里最接近的是：\n• “移除联席主持人 @bob”\n")
    assert zh.count("• ") == 3
    assert zh.endswith("发送“帮助”查看我能做的全部事情。")


async def test_no_target_and_no_meeting(world: World) -> None:
    assert "Who should become host?" in await world.say("make host of 123456789")
    world.console.user = "bob"  # bob hosts nothing (you host the demo's meetings: tests/core/test_running.py)
    assert "Which meeting?" in await world.say("make @alice host")


async def test_unknown_vendor_for_a_named_vendor(make_world: WorldFactory) -> None:
    world = await make_world(ZOOM_ACCOUNT_ID="")  # the sandbox configures every vendor: leave Zoom out
    reply = await world.say("make @alice host of zoom meeting 123456789")
    assert "Zoom is not set up here" in reply


def test_parse_cli_prints_one_json_object() -> None:
    proc = subprocess.run([sys.executable, "-m", "bot", "parse", "把 @alice 设为主持人 123456789", "--tz", "UTC"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {"intent": "set_host", "targets": ["@alice"], "from_user": None,
                                       "meeting": {"vendor": None, "id": "123456789"}, "at": None, "lang": "zh",
                                       "extra": {}}
    bad_zone = subprocess.run([sys.executable, "-m", "bot", "parse", "help", "--tz", "Nowhere/X"],
                              capture_output=True, text=True, timeout=60)
    assert bad_zone.returncode == 2 and "Nowhere/X" in bad_zone.stderr  # DESIGN.md: a bad --tz is exit 2


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_never_raises(text: str) -> None:
    result = parse(text).to_json()
    json.dumps(result)
    assert isinstance(result["intent"], str)
