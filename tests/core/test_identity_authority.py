"""Whose authority counts, through signed Slack requests against the sandbox (issue 24, items 8 and 9).

- A pinned "none" (`hostbot users set alice zoom=-`) means nobody at that vendor is alice, in every
  direction: a Zoom meeting hosted by alice@… never sends its approval request to chat user alice (neither
  through her chat email nor through the directory), and alice speaking has no Zoom id.
- The Zoom app's own user (GET /users/me), under which every API-created meeting is created, is nobody's
  organizer: whoever reads that mailbox is asked like anybody else; while /users/me cannot be read, no
  scheduler counts at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_ZOOM_ID, ZOOM_API_USER
from tests.support.operate import slack_world
from tests.support.slack import SlackWorld, wait_for

SHOWN = "850 1234 5678"


async def _answer(slack: SlackWorld, count: int) -> str:
    """The newest answer in a thread, once there are `count` of them."""
    def answers() -> list[str]:
        return [m.get("text", "") for m in slack.messages() if m.get("thread_ts") and m["ts"] != m["thread_ts"]]
    got = await wait_for(lambda: (lambda a: a if len(a) >= count else None)(answers()))
    return str(got[count - 1])


def _zoom_changes(slack: SlackWorld) -> list[object]:
    return [r.body for r in slack.sandbox.recorder.all("zoom.update_meeting")]


async def test_a_pinned_none_is_nobody_at_that_vendor(sandbox: Sandbox, tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as slack:
        alice, bob = slack.users["alice"], slack.users["bob"]
        zoom = sandbox.zoom
        zoom_alice = zoom.user("alice@example.com")
        assert zoom_alice is not None
        zoom.meetings[DEMO_ZOOM_ID].host_id = zoom_alice.id  # the Zoom account alice@example.com hosts it
        # users set alice zoom=-
        await slack.runtime.bot.services.store.set_mapping("slack", alice.id, "zoom_email", "-")
        await slack.command("bob", f"make me host of zoom meeting {DEMO_ZOOM_ID}")
        asked = await _answer(slack, 1)
        # not an approval request to chat user alice: the host is named as Zoom knows them, for an admin to map
        assert f"<@{alice.id}>" not in asked and "Approve" not in asked, asked
        assert "can't find the current host (alice@example.com) on Slack" in asked, asked
        assert _zoom_changes(slack) == []
        # forward: alice herself has no Zoom account, so she neither runs the meeting nor can be its new host
        await slack.command("alice", f"make <@{bob.id}|bob> host of zoom meeting {DEMO_ZOOM_ID}")
        mine = await _answer(slack, 2)
        assert not mine.startswith("✅") and "Approve" not in mine and f"<@{alice.id}>" not in mine.split(":")[0], mine
        assert _zoom_changes(slack) == []


@pytest.mark.parametrize("users_me", ["answers the app's user", "cannot be read"])
async def test_the_zoom_api_user_is_nobodys_organizer(users_me: str, sandbox: Sandbox, tmp_path: Path) -> None:
    async with slack_world(sandbox, tmp_path) as slack:
        if users_me == "cannot be read":
            sandbox.zoom.app_user_id = ""  # /users/me answers 404: the bot cannot tell its own user apart
        ops = sandbox.slack.add_user("ops", email=ZOOM_API_USER)  # reads the API user's mailbox
        sandbox.slack.channel_named("general").members.add(ops.id)
        slack.users["ops"] = ops
        alice = slack.users["alice"]
        await slack.command("ops", f"make <@{alice.id}|alice> host of zoom meeting {DEMO_ZOOM_ID}")
        asked = await _answer(slack, 1)
        # the host (you) is asked to approve; ops gets no Confirm of their own
        assert asked.startswith(f"<@{slack.users['you'].id}>, <@{ops.id}> asks:"), asked
        assert _zoom_changes(slack) == []
        # a person who scheduled a meeting for you (created under carol) does run it with you — when the
        # bot knows its own user; otherwise nobody but the host counts (never too much authority)
        zoom = sandbox.zoom
        you, carol, z_alice = (zoom.user(f"{n}@example.com") for n in ("you", "carol", "alice"))
        assert you is not None and carol is not None and z_alice is not None
        z_alice.assistants.add(carol.id)
        zoom.add_meeting(you, "Planning", created_under=carol, meeting_id=81111111111)
        await slack.command("carol", f"make <@{alice.id}|alice> host of zoom meeting 81111111111")
        second = await _answer(slack, 2)
        if users_me == "cannot be read":
            assert second.startswith(f"<@{slack.users['you'].id}>, <@{slack.users['carol'].id}> asks:"), second
        else:
            assert second.startswith(f"<@{alice.id}> becomes host of Zoom meeting 811 1111 1111"), second
            assert "Go ahead?" in second
