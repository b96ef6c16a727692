"""The /host form end to end: a signed `/host` with no text opens the modal (views.open, recorded by
the strict fake), a signed view_submission goes through plan → gate → execute and answers in a thread."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.slack.views import view_problems
from tests.support.slack import SlackWorld, wait_for
from tests.support.slack_views import choose, form_values, slack_world, submit, texts


@pytest.fixture
async def slack(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    async with slack_world(sandbox, tmp_path) as world:
        yield world


async def _link_general(slack: SlackWorld) -> None:
    store = slack.runtime.bot.services.store
    await store.set_link("slack", slack.channel.id, "feishu", slack.meeting_id, linked_by=slack.users["you"].id)


async def _open_form(slack: SlackWorld, user: str) -> dict[str, Any]:
    trigger = slack.sandbox.slack.issue_trigger(slack.users[user].id)
    resp = await slack.command(user, "", trigger=trigger)
    assert resp.status_code == 200
    opened = await wait_for(lambda: [r for r in slack.sandbox.recorder.all("slack.views.open") if r.status == 200])
    assert opened[-1].body["trigger_id"] == trigger
    return next(v for v in slack.sandbox.slack.views.values() if v["user"] == slack.users[user].id)


def _thread_of_form(slack: SlackWorld) -> str:
    root = next(m for m in slack.messages() if "asked" in m.get("text", ""))
    return str(root["ts"])


def _thread_text(slack: SlackWorld, thread: str) -> str:
    return "\n".join(m.get("text", "") for m in slack.replies_in(thread))


async def test_host_without_text_opens_the_form_prefilled_with_the_linked_meeting(slack: SlackWorld) -> None:
    await _link_general(slack)
    started = time.monotonic()
    view = await _open_form(slack, "you")  # the fake refuses a trigger_id older than 3 s
    print(f"/host → views.open accepted after {(time.monotonic() - started) * 1000:.0f} ms")
    assert view_problems(view, "modal") == []
    assert view["callback_id"] == "hostbot_form" and view["title"]["text"] == "Meeting host"
    meeting = next(b for b in view["blocks"] if b["block_id"] == "meeting")
    assert meeting["element"]["initial_value"] == f"Feishu {slack.meeting_id}"  # as link replies show it
    assert "Linked to this channel" in meeting["hint"]["text"]
    assert [o["value"] for o in view["blocks"][0]["element"]["options"]] == [
        "set_host", "add_cohost", "remove_cohost", "invite", "schedule_handover"]
    assert any(b["element"]["type"] == "datetimepicker" for b in view["blocks"] if b["type"] == "input")
    assert not slack.messages()  # nothing is posted until the form is submitted


async def test_submitting_the_form_changes_the_host_and_answers_in_a_thread(slack: SlackWorld) -> None:
    await _link_general(slack)
    view = await _open_form(slack, "you")
    alice = slack.users["alice"].id
    resp = await submit(slack, "you", view, form_values(view, "set_host", [alice]))
    assert resp.status_code == 200 and not resp.content  # an empty ack closes the modal
    thread = await wait_for(lambda: any("asked" in m.get("text", "") for m in slack.messages()) and
                            _thread_of_form(slack))
    await wait_for(lambda: "is now host" in _thread_text(slack, thread))
    root = next(m for m in slack.messages() if m["ts"] == thread)
    assert root["text"] == f"<@{slack.users['you'].id}> asked: Make host: <@{alice}> · Feishu {slack.meeting_id}"
    assert slack.set_host_calls() == [{"host_user": {"id": slack.demo.users["alice"].open_id, "user_type": 1},
                                       "old_host_user": {"id": slack.demo.users["you"].open_id, "user_type": 1}}]
    # Slack delivers the same submission again (a retry, a double click): nothing more happens
    await submit(slack, "you", view, form_values(view, "set_host", [alice]))
    await submit(slack, "you", view, form_values(view, "set_host", [alice]))
    await wait_for(lambda: len(slack.sandbox.recorder.all("slack.chat.postMessage")) >= 2)
    assert len(slack.set_host_calls()) == 1
    assert sum("asked" in m.get("text", "") for m in slack.messages()) == 1


async def test_a_stranger_taking_the_meeting_by_form_gets_the_hosts_approval_flow(slack: SlackWorld) -> None:
    await _link_general(slack)
    view = await _open_form(slack, "bob")
    await submit(slack, "bob", view, form_values(view, "set_host", [slack.users["bob"].id]))
    thread = await wait_for(lambda: any("asked" in m.get("text", "") for m in slack.messages()) and
                            _thread_of_form(slack))
    ask = await wait_for(lambda: next((m for m in slack.replies_in(thread) if m.get("blocks") and any(
        b["type"] == "actions" for b in m["blocks"])), None))
    assert f"<@{slack.users['you'].id}>" in ask["text"] and "approve" in ask["text"].lower()
    buttons = [e["action_id"] for b in ask["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["hostbot_approve", "hostbot_decline"]
    assert slack.set_host_calls() == []  # no change without the host's yes
    await slack.click("you", ask, "hostbot_approve")
    await wait_for(lambda: "is now host" in _thread_text(slack, thread))
    assert [c["host_user"]["id"] for c in slack.set_host_calls()] == [slack.demo.users["bob"].open_id]


async def test_the_form_answers_bad_input_on_its_fields(slack: SlackWorld) -> None:
    view = await _open_form(slack, "you")  # #general has no linked meeting: the field is empty
    assert "No meeting is linked" in texts(view)
    alice = slack.users["alice"].id
    no_time = await submit(slack, "you", view, form_values(view, "schedule_handover", [alice], meeting="123456789"))
    assert no_time.json()["response_action"] == "errors"
    assert no_time.json()["errors"] == {"at": "Pick when the handover should happen."}
    past = int(time.time()) - 3600
    bad = await submit(slack, "you", view, form_values(view, "schedule_handover", [], meeting="no idea", at=past))
    assert bad.json()["errors"] == {"who_one": "Pick at least one person.",
                                    "meeting": "I can't read a meeting in that: paste its link or number.",
                                    "at": "That time has passed: pick a later one."}
    assert slack.messages() == [] and slack.sandbox.recorder.all("feishu.set_host") == []


async def test_choosing_co_hosts_swaps_in_a_multi_person_picker(slack: SlackWorld) -> None:
    view = await _open_form(slack, "you")
    assert next(b for b in view["blocks"] if b["block_id"] == "who_one")["element"]["type"] == "users_select"
    await choose(slack, "you", view, "add_cohost")
    updated = await wait_for(lambda: [r for r in slack.sandbox.recorder.all("slack.views.update") if r.status == 200])
    assert updated[0].body["view_id"] == view["id"] and updated[0].body["hash"] == view["hash"]
    now = slack.sandbox.slack.views[view["id"]]
    who = next(b for b in now["blocks"] if b["block_id"] == "who_many")
    assert who["element"]["type"] == "multi_users_select" and who["label"]["text"] == "Who (one or more)"
    # the stale view (old hash) cannot be changed again: Slack's hash_conflict, and nothing breaks
    await choose(slack, "you", view, "invite")
    await wait_for(lambda: len([r for r in slack.sandbox.recorder.all("slack.views.update") if r.status]) == 2)
    assert slack.sandbox.slack.views[view["id"]]["hash"] == now["hash"]  # refused: the multi picker stays


async def test_an_unlinked_channel_and_an_empty_meeting_field_get_the_typed_reply(slack: SlackWorld) -> None:
    view = await _open_form(slack, "you")
    await submit(slack, "you", view, form_values(view, "set_host", [slack.users["alice"].id]))
    thread = await wait_for(lambda: any("asked" in m.get("text", "") for m in slack.messages()) and
                            _thread_of_form(slack))
    await wait_for(lambda: "Which meeting?" in _thread_text(slack, thread))
    assert slack.set_host_calls() == []


async def test_a_handover_scheduled_by_form_is_stored_and_confirmed(slack: SlackWorld) -> None:
    await _link_general(slack)
    view = await _open_form(slack, "you")
    at = int(time.time()) + 3 * 3600
    await submit(slack, "you", view, form_values(view, "schedule_handover", [slack.users["alice"].id], at=at))
    thread = await wait_for(lambda: any("asked" in m.get("text", "") for m in slack.messages()) and
                            _thread_of_form(slack))
    await wait_for(lambda: "#" in _thread_text(slack, thread))
    pending = await slack.runtime.bot.services.scheduler.book.pending("slack")  # type: ignore[union-attr]
    assert [(h.target, int(h.due.timestamp()), h.thread) for h in pending] == [(slack.users["alice"].id, at, thread)]
    assert slack.set_host_calls() == []


async def test_an_expired_trigger_tells_the_asker_instead_of_failing_silently(slack: SlackWorld) -> None:
    trigger = slack.sandbox.slack.issue_trigger(slack.users["you"].id, ttl=0.0)
    await slack.command("you", "", trigger=trigger)
    await wait_for(lambda: slack.channel.ephemeral)
    assert "could not open the form (expired_trigger_id)" in slack.channel.ephemeral[-1]["text"]
    assert slack.sandbox.slack.views == {}


async def test_a_form_from_a_channel_hostbot_is_not_in_is_answered_in_a_direct_message(slack: SlackWorld) -> None:
    await _link_general(slack)
    view = await _open_form(slack, "you")
    slack.channel.members.discard(slack.sandbox.slack.bot_user.id)  # hostbot was removed from #general meanwhile
    await submit(slack, "you", view, form_values(view, "set_host", [slack.users["alice"].id]))
    dm = await wait_for(lambda: slack.sandbox.slack.channels.get(f"D{slack.users['you'].id[1:]}"))
    await wait_for(lambda: any("is now host" in m.get("text", "") for m in dm.messages))
    root = next(m for m in dm.messages if "asked" in m["text"])
    assert any(m.get("thread_ts") == root["ts"] and "is now host" in m["text"] for m in dm.messages)
    assert len(slack.set_host_calls()) == 1


async def test_somebody_unknown_gets_the_same_reply_by_form_as_typed(slack: SlackWorld) -> None:
    # two people with no meeting account anywhere, each asked about for the first time
    dave = slack.sandbox.slack.add_user("dave", email="dave@elsewhere.example")
    erin = slack.sandbox.slack.add_user("erin", email="erin@elsewhere.example")
    slack.channel.members.update({dave.id, erin.id})
    await slack.command("you", f"make <@{dave.id}|dave> host of meeting 123456789")
    typed_root = await wait_for(lambda: next((m for m in slack.messages() if "asked" in m.get("text", "")), None))
    typed = await wait_for(lambda: slack.replies_in(typed_root["ts"]))
    view = await _open_form(slack, "you")
    await submit(slack, "you", view, form_values(view, "set_host", [erin.id], meeting="123456789"))
    form_root = await wait_for(lambda: next((m for m in slack.messages() if "asked: Make host" in m.get("text", "")),
                                            None))
    by_form = await wait_for(lambda: slack.replies_in(form_root["ts"]))
    assert "no account with @erin's email" in by_form[0]["text"]
    assert [m["text"].replace(erin.id, "ID").replace("erin", "NAME") for m in by_form] == \
        [m["text"].replace(dave.id, "ID").replace("dave", "NAME") for m in typed]
    assert slack.set_host_calls() == []


async def test_the_form_works_over_socket_mode_with_errors_in_the_ack(sandbox: Sandbox, tmp_path: Path) -> None:
    from bot.ops.server import start_socket_mode

    async with slack_world(sandbox, tmp_path, SLACK_APP_TOKEN=sandbox.slack_socket.app_token) as slack:
        await start_socket_mode(slack.runtime, sandbox.slack_socket.app_token)
        await wait_for(lambda: sandbox.slack_socket.connections == 1)
        await _link_general(slack)
        you = slack.users["you"]
        trigger = sandbox.slack.issue_trigger(you.id)
        sandbox.slack_socket.push("slash_commands", {
            "command": "/host", "text": "", "user_id": you.id, "user_name": you.name, "channel_id": slack.channel.id,
            "team_id": sandbox.slack.team_id, "api_app_id": sandbox.slack.app_id, "trigger_id": trigger})
        view = await wait_for(lambda: next(iter(sandbox.slack.views.values()), None))
        user = {"id": you.id, "username": you.name, "team_id": sandbox.slack.team_id}
        bad = {"type": "view_submission", "user": user, "team": {"id": sandbox.slack.team_id},
               "api_app_id": sandbox.slack.app_id, "view": {**view, "state": {"values": form_values(
                   view, "schedule_handover", [slack.users["alice"].id])}}}
        envelope = sandbox.slack_socket.push("interactive", bad)
        await wait_for(lambda: sandbox.slack_socket.acked(envelope))
        ack = next(a for a in sandbox.slack_socket.acks if a.get("envelope_id") == envelope)
        errors = {"at": "Pick when the handover should happen."}
        assert ack["payload"] == {"response_action": "errors", "errors": errors}
        good = {**bad, "view": {**view, "state": {"values": form_values(view, "set_host", [slack.users["alice"].id])}}}
        sandbox.slack_socket.push("interactive", good)
        await wait_for(lambda: any("is now host" in m.get("text", "") for m in slack.messages()))
        assert len(slack.set_host_calls()) == 1
