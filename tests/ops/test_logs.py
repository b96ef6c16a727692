"""Logs: one line per request and per vendor call, each carrying the request id of the chat event
it serves; JSON with HOSTBOT_LOG_FORMAT=json; never a token, a secret or a message's text."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, settings_from_mapping
from bot.sandbox import Fault, Sandbox
from bot.sandbox.demo_data import DEMO_DINGTALK_ID, DEMO_WEBEX_ID, DEMO_ZOOM_ID
from bot.telemetry.logs import QUIET, configure
from tests.conftest import World
from tests.support.operate import InstantSleep, slack_world
from tests.support.slack import SIGNING_SECRET, wait_for

Capture = Callable[..., io.StringIO]


@pytest.fixture
def capture() -> Iterator[Capture]:
    """Install hostbot's log handler on a buffer (as `hostbot run` does on stderr); undone afterwards."""
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in QUIET}
    handlers: list[logging.Handler] = []

    def start(fmt: str = "json", level: str = "INFO") -> io.StringIO:
        buf = io.StringIO()
        handlers.append(configure(fmt, level, stream=buf))
        return buf

    yield start
    for handler in handlers:
        root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


def json_lines(buf: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


async def test_each_request_id_reaches_every_vendor_call_made_for_it(world: World, capture: Capture) -> None:
    buf = capture("json")
    # two requests at once, on two vendors: their lines interleave, their ids must not mix
    feishu, zoom = await asyncio.gather(world.say("make @alice host of meeting 123456789"),
                                        world.say(f"add @bob as co-host of meeting {DEMO_ZOOM_ID}"))
    assert feishu.startswith("✅") and zoom.startswith("✅")
    lines = json_lines(buf)
    ids = {line["intent"]: line["request_id"] for line in lines if line["msg"] == "request"}
    assert set(ids) == {"set_host", "add_cohost"}
    assert all(re.fullmatch(r"console-[0-9a-f]{8}", rid) for rid in ids.values()) and len(set(ids.values())) == 2
    vendor_lines = [line for line in lines if line["msg"] in ("vendor call", "vendor http")]
    assert {line["vendor"] for line in vendor_lines} == {"feishu", "zoom"}
    for line in vendor_lines:
        assert line["request_id"] == ids["set_host" if line["vendor"] == "feishu" else "add_cohost"], line
    calls = sorted((line["vendor"], line["operation"], line["outcome"])
                   for line in lines if line["msg"] == "vendor call")
    assert calls == [("feishu", "set_host", "ok"), ("zoom", "add_cohost", "ok")]
    requests = [line for line in lines if line["msg"] == "request"]
    assert all(line["platform"] == "console" and line["outcome"] == "ok" and line["ms"] >= 0 for line in requests)


async def test_a_slack_event_id_is_set_when_it_arrives_and_carried_through(sandbox: Sandbox, tmp_path: Path,
                                                                          capture: Capture) -> None:
    buf = capture("json")
    async with slack_world(sandbox, tmp_path) as slack:
        await slack.command("you", f"make <@{slack.users['alice'].id}> host of meeting 123456789")
        await wait_for(lambda: any("is now host" in m.get("text", "") for m in slack.messages()))
    lines = json_lines(buf)
    request = next(line for line in lines if line["msg"] == "request")
    assert request["platform"] == "slack" and request["intent"] == "set_host" and request["outcome"] == "ok"
    assert re.fullmatch(r"slack-[0-9a-f]{8}", request["request_id"])
    vendor_lines = [line for line in lines if line.get("vendor") == "feishu"]
    assert len(vendor_lines) >= 2  # the meeting lookup and set_host, at least
    assert {line["request_id"] for line in vendor_lines} == {request["request_id"]}


async def test_plain_lines_read_as_key_value_pairs(world: World, capture: Capture) -> None:
    buf = capture("plain")
    await world.say("make @alice host of meeting 123456789")
    lines = buf.getvalue().splitlines()
    request = next(line for line in lines if " request " in line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO bot\.core\.flow\.dispatch "
                        r"\[console-[0-9a-f]{8}\] request "
                        r"platform=console intent=set_host outcome=ok ms=\d+\.\d kind=message user=you lang=en "
                        r"delivery=console-\d+ text_len=37", request), request
    rid = re.search(r"\[(console-[0-9a-f]{8})\]", request)
    assert rid is not None
    vendor = [line for line in lines if " vendor call " in line]
    assert len(vendor) == 1 and f"[{rid.group(1)}]" in vendor[0]
    assert "vendor=feishu operation=set_host outcome=ok" in vendor[0]


def test_the_format_and_level_come_from_the_environment() -> None:
    settings = settings_from_mapping({"HOSTBOT_LOG_FORMAT": "JSON", "HOSTBOT_LOG_LEVEL": "debug"})
    assert (settings.log_format, settings.log_level) == ("json", "DEBUG")
    assert (settings_from_mapping({}).log_format, settings_from_mapping({}).log_level) == ("plain", "INFO")
    with pytest.raises(ConfigError, match="HOSTBOT_LOG_FORMAT must be one of plain, json"):
        settings_from_mapping({"HOSTBOT_LOG_FORMAT": "xml"})


def test_a_token_in_a_message_is_masked(capture: Capture) -> None:
    buf = capture("plain")
    logging.getLogger("bot.test").warning("calling with Authorization: Bearer abc.DEF-123 and xoxb-1-2-secret, "
                                          "tenant t-g1044qeGEDXTB6NDJOG4ZJVO5RIMNP6K, url ?access_token=0123abcd")
    line = buf.getvalue()
    for secret in ("abc.DEF-123", "xoxb-1-2-secret", "t-g1044qeGEDXTB6NDJOG4ZJVO5RIMNP6K", "0123abcd"):
        assert secret not in line
    assert "Bearer ***" in line and "access_token=***" in line


@pytest.mark.parametrize("fmt", ["json", "plain"])
async def test_no_token_secret_or_message_text_in_any_line_of_a_full_scenario(
        sandbox: Sandbox, tmp_path: Path, capture: Capture, fmt: str) -> None:
    buf = capture(fmt, "DEBUG")  # the most talkative level
    async with slack_world(sandbox, tmp_path, admin="you") as slack:
        for vendor in slack.runtime.bot.services.vendors.values():  # rate-limit and retry waits: instant
            for holder in (vendor, getattr(vendor, "http", None)):
                limiter = getattr(holder, "limiter", None)
                if limiter is not None:
                    limiter.sleep = InstantSleep()
            if getattr(vendor, "http", None) is not None:
                vendor.http.sleep = InstantSleep()  # type: ignore[attr-defined]
        u = {name: f"<@{user.id}>" for name, user in slack.users.items()}
        asks = [
            f"make {u['alice']} host of meeting 123456789",  # Feishu, tenant token
            f"invite {u['carol']} to meeting 123456789",  # Feishu, the asker's user token
            f"make {u['bob']} co-host of dingtalk meeting {DEMO_DINGTALK_ID}",
            f"make {u['alice']} host of meeting {DEMO_ZOOM_ID}",
            f"make {u['alice']} host of webex meeting {DEMO_WEBEX_ID}",
            f"make {u['bob']} host of meeting 123456789",  # Feishu answers 500 three times
            "tell me a secret please",  # not understood
        ]
        sandbox.faults.arm(Fault("slack.chat.postEphemeral", status=500, body={"ok": False, "error": "fatal_error"}))
        for n, text in enumerate(asks, 1):
            if n == 6:
                sandbox.faults.arm(Fault("feishu.set_host", status=500, body={"code": 121001, "msg": "internal"},
                                         times=-1))
            await slack.command("you", text)
            await wait_for(lambda n=n: sum(1 for m in slack.messages() if m.get("thread_ts")
                                           and m["ts"] != m["thread_ts"]) >= n)
    output = buf.getvalue()
    lines = output.splitlines()
    assert sum(1 for line in lines if "request" in line and "platform" in line) >= len(asks)
    secrets = {v for k, v in sandbox.env().items() if any(w in k for w in ("TOKEN", "SECRET", "KEY"))}
    secrets |= {SIGNING_SECRET, *sandbox.slack.tokens, *sandbox.feishu.tenant_tokens, *sandbox.feishu.user_tokens,
                *sandbox.dingtalk.tokens, *sandbox.zoom.tokens}
    assert sandbox.dingtalk.tokens and sandbox.zoom.tokens and sandbox.feishu.user_tokens  # all were used
    leaked = [s for s in secrets if s in output]
    assert leaked == []
    assert "***" not in output  # nothing even tried to log one (masking is the second line of defence)
    for text in asks:
        assert text not in output
        assert text.split(" ", 1)[1] not in output  # nor the words after the verb
