"""The newcomer's loop, for real: `hostbot sandbox` in one process, `hostbot run` in another with exactly
the variables the sandbox printed, and `hostbot say` in a third — a reply printed, a button pressed, and
the vendor fake changed. Slack (signed app_mention, slash command and block_actions) and Feishu
(encrypted message event and card callback)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.run import Bot, SandboxProcess, free_port

NEEDED = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "FEISHU_APP_ID", "FEISHU_APP_SECRET",
          "FEISHU_ENCRYPT_KEY", "FEISHU_VERIFICATION_TOKEN", "FEISHU_DOMAIN", "HOSTBOT_SECRET_KEY", "HOSTBOT_PORT",
          "HOSTBOT_DB", "HOSTBOT_PUBLIC_URL", "HOSTBOT_ADMINS")


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxProcess, Bot]]:
    tmp = tmp_path_factory.mktemp("say")
    box = SandboxProcess(tmp, free_port())
    try:
        bot = Bot(box.env, tmp, tmp / "bot.log")  # nothing but what the sandbox printed (and PATH etc.)
        try:
            yield box, bot
        finally:
            bot.stop()
    finally:
        box.stop()


def say(box: SandboxProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "say", *args], env=box.env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=90)


def set_host_calls(box: SandboxProcess) -> list[Any]:
    return [r["body"] for r in httpx.get(f"{box.url}/_sandbox/requests", params={"op": "feishu.set_host"}).json()]


def open_id(box: SandboxProcess, name: str) -> str:
    return str(httpx.get(f"{box.url}/_sandbox/people").json()["feishu"]["users"][name])


def test_the_sandbox_prints_every_variable_hostbot_run_needs(loop: tuple[SandboxProcess, Bot]) -> None:
    box, _ = loop
    assert set(NEEDED) <= set(box.exported)
    assert box.exported["HOSTBOT_PUBLIC_URL"] == f"http://127.0.0.1:{box.exported['HOSTBOT_PORT']}"
    people = httpx.get(f"{box.url}/_sandbox/people").json()
    assert {"you", "alice", "carol", "erin", "小王"} <= set(people["slack"]["users"])  # Slack is seeded too
    assert "general" in people["slack"]["channels"]


def test_slack_an_admin_asks_presses_confirm_and_the_host_changes(loop: tuple[SandboxProcess, Bot]) -> None:
    box, _ = loop
    done = say(box, "--as", "carol", "make @alice host of meeting 123456789", "--press", "1")
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.splitlines()
    assert lines[:3] == ["carol> make @alice host of meeting 123456789",
                         "@alice becomes host of Feishu meeting 123 456 789; @you stops being host.", "Go ahead?"]
    assert "[1] Confirm   [2] Cancel" in lines and "carol pressed [1] Confirm" in lines
    assert lines[-3] == "✅ @alice is now host of Feishu meeting 123 456 789."
    assert lines[-2].startswith("Changed by mistake? Undo until") and lines[-1] == "[1] Undo"
    assert set_host_calls(box)[-1]["host_user"]["id"] == open_id(box, "alice")
    asked = say(box, "--as", "you", "/host who is host of meeting 123456789")  # the slash command
    assert asked.stdout.splitlines()[1:] == ["@you asked: /host who is host of meeting 123456789",
                                             "Feishu meeting 123 456 789: @alice is host."], asked.stderr


def test_feishu_an_admin_asks_presses_confirm_on_the_card_and_the_host_changes(
        loop: tuple[SandboxProcess, Bot]) -> None:
    box, _ = loop
    say(box, "--as", "carol", "make @alice host of meeting 123456789", "--press", "1")  # whatever ran before
    before = len(set_host_calls(box))
    done = say(box, "--platform", "feishu", "--as", "carol", "make @bob host of meeting 123456789", "--press", "1")
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.splitlines()
    assert "[1] Confirm   [2] Cancel" in lines and "(toast) Done." in lines
    assert lines[-3] == "✅ @bob is now host of Feishu meeting 123 456 789."
    assert lines[-2].startswith("Changed by mistake? Undo until") and lines[-1] == "[1] Undo"
    calls = set_host_calls(box)
    assert len(calls) == before + 1 and calls[-1]["host_user"]["id"] == open_id(box, "bob")
    # a second press, on the answer's Undo: alice hosts again (the button of the next reply, as promised)
    undone = say(box, "--platform", "feishu", "--as", "carol", "make @alice host of meeting 123456789",
                 "--press", "1", "--press", "1")
    assert "carol pressed [1] Undo" in undone.stdout.splitlines(), undone.stdout
    assert set_host_calls(box)[-1]["host_user"]["id"] == open_id(box, "bob")


def test_a_meeting_started_in_the_sandbox_reaches_the_bot_and_is_this_meeting(
        loop: tuple[SandboxProcess, Bot]) -> None:
    """`hostbot sandbox` pushes Feishu's tenant meeting events to `hostbot run`'s webhook, encrypted and
    signed; erin hosts nothing else, so her new meeting is "this meeting" for her. (That it stops being
    it when it ends: tests/core/test_running.py, where the index itself can be read.)"""
    box, _ = loop
    started = httpx.post(f"{box.url}/_sandbox/feishu/meetings",
                         json={"host": "erin", "participants": ["alice"], "topic": "Standup"}).json()
    number = " ".join(started["meeting_no"][i:i + 3] for i in (0, 3, 6))
    for _ in range(20):  # the event reaches the bot a moment after the meeting started
        done = say(box, "--as", "erin", "make @alice host")
        if "which you are hosting now" in done.stdout:
            break
    lines = done.stdout.splitlines()
    assert lines[1] == f"Feishu meeting {number} “Standup”, which you are hosting now:", done.stdout + done.stderr
    assert lines[2] == f"✅ @alice is now host of Feishu meeting {number}."
    assert set_host_calls(box)[-1]["host_user"]["id"] == open_id(box, "alice")


def test_say_explains_what_is_missing(loop: tuple[SandboxProcess, Bot]) -> None:
    box, _ = loop
    env = {k: v for k, v in box.env.items() if k != "FEISHU_ENCRYPT_KEY"}
    done = subprocess.run([sys.executable, "-m", "bot", "say", "--platform", "feishu", "hello"], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "FEISHU_ENCRYPT_KEY" in done.stderr
    nobody = say(box, "--as", "mallory", "hello")
    assert nobody.returncode == 2 and "no Slack user 'mallory'" in nobody.stderr


def test_the_sandbox_never_replaces_a_database_that_is_not_its_own(tmp_path: Path) -> None:
    real = tmp_path / "hostbot.db"
    real.write_bytes(b"somebody's real database")
    done = subprocess.run([sys.executable, "-m", "bot", "sandbox", "--db", str(real)], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "made afresh" in done.stderr
    assert real.read_bytes() == b"somebody's real database"


def test_the_host_approves_bobs_request_by_pressing_as_host(loop: tuple[SandboxProcess, Bot]) -> None:
    """Issue 28, item 4: `say --as host --press 1` plays the second person, on the latest message with buttons."""
    box, _ = loop
    say(box, "--as", "carol", "make @you host of meeting 123456789", "--press", "1")  # whatever ran before
    asked = say(box, "--as", "bob", "make me host of meeting 123456789")
    assert "Only you, as the current host, can approve." in asked.stdout, asked.stdout + asked.stderr
    before = len(set_host_calls(box))
    approved = say(box, "--as", "host", "--press", "1")
    assert approved.returncode == 0, approved.stderr + approved.stdout
    assert "you pressed [1] Approve" in approved.stdout.splitlines(), approved.stdout
    assert "✅ @bob is now host of Feishu meeting 123 456 789." in approved.stdout
    calls = set_host_calls(box)
    assert len(calls) == before + 1 and calls[-1]["host_user"]["id"] == open_id(box, "bob")


def test_a_refused_press_on_feishu_returns_at_once(loop: tuple[SandboxProcess, Bot]) -> None:
    box, _ = loop
    # whatever ran before on this worker's bot (xdist hands this module's tests out one by one): if alice already
    # hosted, carol's request would be answered "already host" and no card would ever come
    say(box, "--as", "carol", "make @you host of meeting 123456789", "--press", "1")
    say(box, "--platform", "feishu", "--as", "carol", "make @alice host of meeting 123456789")  # a Confirm card
    # On a loaded machine the card can come after `say`'s quiet window (QUIET_S) has ended (the bot's first Feishu
    # request loads lark-oapi): a press before it is refused by the sandbox ("no message with buttons yet"), which
    # presses nothing, so it is tried again; the timing below is the press that found the card.
    deadline = time.monotonic() + 30
    while True:
        started = time.monotonic()
        refused = say(box, "--platform", "feishu", "--as", "alice", "--press", "1")  # carol's button, not alice's
        took = time.monotonic() - started
        if "no message with buttons yet" not in refused.stderr or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "(toast) Only @carol can confirm this." in refused.stdout, refused.stdout + refused.stderr
    assert took < 8, f"a refused press waited {took:.1f} s"


def test_the_slash_command_alone_opens_the_form(loop: tuple[SandboxProcess, Bot]) -> None:
    box, _ = loop
    opened = say(box, "--as", "you", "--timeout", "4", "/host")
    assert "could not open the form" not in opened.stdout, opened.stdout
    views = httpx.get(f"{box.url}/_sandbox/requests", params={"op": "slack.views.open"}).json()
    assert views, "hostbot never called views.open"
