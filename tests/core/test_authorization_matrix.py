"""Who may change what: every operation × speaker × path, asserted on what the vendors recorded.

The cells are generated from three tables (operations, speakers, paths) and one rule per path
(`expected`), run through the console adapter against one in-process sandbox whose vendor state
is restored before each cell. The gate's own table (tests/core/test_gate.py) needs no I/O; this
one proves the wiring: handlers, identity, the gate, clicks and execute together.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.adapters.markup import Mention, feishu_inbound, slack_inbound
from bot.app import HostBot, build
from bot.config import settings_from_mapping
from bot.core.model.events import ButtonClick, ChatMessage, Platform
from bot.devtools.demo import DemoWorld, seed
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_DINGTALK_ID, DEMO_WEBEX_DAVE, DEMO_WEBEX_ID, DEMO_ZOOM_ID
from tests.conftest import World, WorldFactory

MUTATING = {"feishu.set_host", "feishu.invite", "zoom.update_meeting", "webex.reassign", "dingtalk.cohosts"}


@dataclass(frozen=True)
class Op:
    name: str
    text: str
    # what the speaker sees first: executed | confirm | approval | denied, by speaker role
    prompt: Callable[[str], str]
    host_can_change: bool = False  # a path where the host changes at the vendor before the click


def _set_host(role: str) -> str:  # anybody else, even somebody hostbot never saw, asks the host
    return {"host": "executed", "admin": "confirm"}.get(role, "approval")


def _cohost(role: str) -> str:
    return {"host": "executed", "admin": "executed"}.get(role, "approval")


def _invite(role: str) -> str:  # Feishu invites with the requester's own authorization: only `you` gave it
    return "executed" if role == "host" else "denied"


def _reassign(role: str) -> str:
    return "confirm" if role in ("host", "admin") else "denied"


def _relink(role: str) -> str:  # the channel was linked by `you`, to your Zoom meeting
    return {"host": "executed", "admin": "confirm"}.get(role, "approval")


OPS = [
    Op("feishu set_host", "make @alice host of meeting 123456789", _set_host, host_can_change=True),
    Op("zoom set_host", f"make @alice host of meeting {DEMO_ZOOM_ID}", _set_host, host_can_change=True),
    Op("dingtalk add_cohost", f"make @bob co-host of dingtalk meeting {DEMO_DINGTALK_ID}", _cohost),
    Op("feishu invite", "invite @dave to meeting 123456789", _invite),
    Op("webex reassign", f"reassign webex meeting {DEMO_WEBEX_ID} to @alice", _reassign, host_can_change=True),
    # "my" is the requester's word, not the vendor's: the series is still yours (`you`) to move
    Op("webex reassign 'my'", f"reassign my webex meeting {DEMO_WEBEX_ID} to @dave", _reassign),
    Op("relink", "link this channel to meeting 123456789", _relink),
]
SPEAKERS = {"host": "you", "admin": "carol", "stranger": "bob", "participant": "alice",
            "one_vendor_mapping": "erin", "never_seen": "zed"}
PATHS = ["direct", "confirm_by_speaker", "click_by_someone_else", "click_by_host", "replayed_click",
         "expired_click", "click_after_host_changed"]


def expected(prompt: str, path: str, role: str) -> int:
    """How many changes the vendor (or the link) must see."""
    if prompt == "executed":
        return 1  # done at once; any later click finds nothing to press
    if prompt == "denied":
        return 0
    if path == "confirm_by_speaker":
        return 1 if prompt == "confirm" else 0  # a requester cannot approve their own request
    if path in ("click_by_host", "replayed_click"):
        return 1 if prompt == "approval" or role == "host" else 0
    return 0  # someone else's click, an expired one, or one after the host changed: nothing


CELLS = [(op, role, path) for op, role, path in itertools.product(OPS, SPEAKERS, PATHS)
         if path != "click_after_host_changed" or op.host_can_change]


async def _run_cell(world: World, op: Op, role: str, path: str) -> int:
    start = len(world.sandbox.recorder.all())
    link_before = await world.bot.services.store.link("console", "console")
    console = world.console
    console.user = SPEAKERS[role]
    first = await console.send(op.text)
    # A change made at once offers only Undo (its own rules: tests/core/test_undo.py); the paths here
    # press the buttons of a prompt (confirm, approve, retry).
    if "[1]" in first and not first.endswith("[1] Undo"):
        if path == "click_after_host_changed":
            _change_hosts(world)
        if path == "expired_click":
            await world.bot.services.store._exec("UPDATE proposals SET expires_at = '2000-01-01T00:00:00+00:00'")
        clicker = {"confirm_by_speaker": SPEAKERS[role], "click_by_someone_else": "dave"}.get(path, "you")
        if path != "direct":
            console.user = clicker
            pressed = console.choices[0]
            await console.send("1")
            if path == "replayed_click":  # the same button again (not the Undo the answer may offer)
                console.choices = [pressed]
                await console.send("1")
    changes = sum(1 for r in world.sandbox.recorder.all()[start:] if r.op in MUTATING and 200 <= r.status < 300)
    link_after = await world.bot.services.store.link("console", "console")
    if op.name == "relink" and link_before != link_after:
        changes += 1
    return changes


def _change_hosts(world: World) -> None:
    """Somebody else took the meetings over at the vendor (outside hostbot)."""
    world.sandbox.feishu.change_host(world.meeting_id, world.open_id("alice"))
    zoom = world.sandbox.zoom
    alice = zoom.user("alice@example.com")
    assert alice is not None
    zoom.meetings[DEMO_ZOOM_ID].host_id = alice.id
    world.sandbox.webex.meetings[DEMO_WEBEX_ID].host_email = "alice@example.com"


async def test_the_authorization_matrix(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="carol")
    store = world.bot.services.store
    await store.upsert_person("console", "erin", name="erin")  # mapped for DingTalk only, by an admin
    await store.set_mapping("console", "erin", "dingtalk_union_id", "union-erin")
    fakes = [(world.sandbox.feishu, "meetings"), (world.sandbox.zoom, "meetings"), (world.sandbox.webex, "meetings"),
             (world.sandbox.dingtalk, "conferences")]
    pristine = [copy.deepcopy(getattr(fake, attr)) for fake, attr in fakes]
    reset: Callable[[], Awaitable[None]]

    async def reset() -> None:
        for (fake, attr), state in zip(fakes, pristine, strict=True):
            with fake.lock:
                setattr(fake, attr, copy.deepcopy(state))
        await store._exec("DELETE FROM links")
        world.console.user = "you"
        await world.console.send(f"link this channel to zoom meeting {DEMO_ZOOM_ID}")

    wrong = []
    changed_by_fix = 0
    for op, role, path in CELLS:
        await reset()
        got = await _run_cell(world, op, role, path)
        want = expected(op.prompt(role), path, role)
        if got != want:
            wrong.append(f"{op.name} · {role} · {path}: {got} change(s), expected {want}")
        changed_by_fix += want
    print(f"\nauthorization matrix: {len(CELLS)} cells, {changed_by_fix} of them change something")
    assert wrong == [], "\n".join(wrong)
    assert len(CELLS) == 7 * 6 * 6 + 3 * 6


# ---- the same rules on Slack and Feishu: Feishu, Webex and DingTalk operations, every speaker and path ----
@dataclass(frozen=True)
class PlatformOp:
    name: str
    text: str  # {alice}: where the target is mentioned
    changes: str  # the recorded mutating request
    prompt: Callable[[str], str]
    host_can_change: bool = False


PLATFORM_OPS = [
    PlatformOp("feishu set_host", "make {alice} host of meeting 123456789", "feishu.set_host", _set_host, True),
    PlatformOp("webex set_host", f"make {{alice}} host of webex meeting {DEMO_WEBEX_ID}", "webex.reassign",
               _set_host, True),
    PlatformOp("dingtalk add_cohost", f"make {{alice}} co-host of dingtalk meeting {DEMO_DINGTALK_ID}",
               "dingtalk.cohosts", _cohost),
]
PLATFORM_SPEAKERS = ("host", "admin", "stranger", "participant")
# "second_request_at_once": the speaker's request arrives twice at the same moment (two deliveries with
# different ids, e.g. typed twice): at most one change, whatever the vendor's own guarantees.
PLATFORM_PATHS = ("direct", "confirm_by_speaker", "click_by_someone_else", "click_by_host", "replayed_click",
                  "expired_click", "click_after_host_changed", "second_request_at_once")
PLATFORM_CELLS = list(itertools.product(("slack", "feishu"), PLATFORM_SPEAKERS, PLATFORM_PATHS))


def _platform_expected(op: PlatformOp, role: str, path: str) -> int:
    if path == "second_request_at_once":
        return 1 if op.prompt(role) == "executed" else 0
    return expected(op.prompt(role), path, role)


def _message(platform: str, speaker: str, text: str, alice: str, n: int) -> ChatMessage:
    if platform == "slack":
        return ChatMessage(Platform.SLACK, speaker, slack_inbound(text.format(alice=f"<@{alice}>")),
                           channel="C1", message_id=f"m{n}")
    typed = feishu_inbound(text.format(alice="@_user_1"), (Mention(alice, "@_user_1", alice),))
    return ChatMessage(Platform.FEISHU, speaker, typed, channel="oc1", message_id=f"m{n}")


@pytest.mark.parametrize("op", PLATFORM_OPS, ids=[o.name for o in PLATFORM_OPS])
async def test_the_matrix_on_slack_and_feishu(op: PlatformOp, sandbox: Sandbox, tmp_path: Path) -> None:
    demo = seed(sandbox)
    slack = {n: sandbox.slack.add_user(n) for n in ("you", "alice", "bob", "carol", "dave")}
    chat_id = {"slack": {n: u.id for n, u in slack.items()},
               "feishu": {n: u.open_id for n, u in demo.users.items()}}
    admins = f"{chat_id['slack']['carol']},{chat_id['feishu']['carol']}"
    bot = build(settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "m.db"),
                                       "HOSTBOT_ADMINS": admins}))
    for platform, ids in chat_id.items():  # DingTalk unionIds come only from an admin's mapping
        for name, union in demo.vendors.dingtalk_users.items():
            if name in ids:
                await bot.services.store.set_mapping(platform, ids[name], "dingtalk_union_id", union.union_id)
    fakes = [(sandbox.feishu, "meetings"), (sandbox.webex, "meetings"), (sandbox.dingtalk, "conferences")]
    pristine = [copy.deepcopy(getattr(fake, attr)) for fake, attr in fakes]
    wrong: list[str] = []
    try:
        for n, (platform, role, path) in enumerate(PLATFORM_CELLS):
            if path == "click_after_host_changed" and not op.host_can_change:
                continue
            for (fake, attr), state in zip(fakes, pristine, strict=True):
                with fake.lock:
                    setattr(fake, attr, copy.deepcopy(state))
            ids = chat_id[platform]
            speaker = ids[{"host": "you", "admin": "carol", "stranger": "bob", "participant": "alice"}[role]]
            start = len(sandbox.recorder.all())
            msg = _message(platform, speaker, op.text, ids["alice"], n)
            if path == "second_request_at_once":
                await asyncio.gather(bot.dispatcher.handle_message(msg),
                                     bot.dispatcher.handle_message(replace(msg, message_id=f"m{n}-again")))
            else:
                await _ask_and_click(bot, sandbox, demo, platform, msg, path, speaker, ids)
            got = sum(1 for r in sandbox.recorder.all()[start:] if r.op == op.changes and 200 <= r.status < 300)
            want = _platform_expected(op, role, path)
            if got != want:
                wrong.append(f"{op.name} · {platform} · {role} · {path}: {got} change(s), expected {want}")
    finally:
        await bot.aclose()
    print(f"\nauthorization matrix on Slack and Feishu, {op.name}: {len(PLATFORM_CELLS)} cells")
    assert wrong == [], "\n".join(wrong)


async def _ask_and_click(bot: HostBot, sandbox: Sandbox, demo: DemoWorld, platform: str, msg: ChatMessage,
                         path: str, speaker: str, ids: dict[str, str]) -> None:
    first = await bot.dispatcher.handle_message(msg)
    buttons = [b for r in first for b in r.buttons if b.action != "undo"]  # Undo: tests/core/test_undo.py
    if not buttons or path == "direct":
        return
    if path == "click_after_host_changed":
        sandbox.feishu.change_host(demo.feishu_meeting.id, demo.users["alice"].open_id)
        sandbox.webex.meetings[DEMO_WEBEX_ID].host_email = "alice@example.com"
    if path == "expired_click":
        await bot.services.store._exec("UPDATE proposals SET expires_at = '2000-01-01T00:00:00+00:00'")
    clicker = {"confirm_by_speaker": speaker, "click_by_someone_else": ids["dave"]}.get(path, ids["you"])
    for k in range(2 if path == "replayed_click" else 1):
        await bot.dispatcher.handle_click(ButtonClick(Platform(platform), clicker, buttons[0].action,
                                                      buttons[0].value, f"c{msg.message_id}-{k}"))


# ---- organizer and co-host speakers --------------------------------------------------------------------
# A Zoom meeting carol scheduled for you (created under carol, a person: its organizer), with dave as
# alternative host (co-host); dave is also co-host of the DingTalk meeting. Nobody here is an admin.
PLANNED = 81111111111
ROLE_OPS = [
    Op("zoom set_host (scheduled by carol)", f"make @alice host of meeting {PLANNED}",
       lambda r: {"organizer": "confirm"}.get(r, "approval")),  # you lose the host role: carol confirms
    Op("zoom add_cohost (scheduled by carol)", f"make @bob co-host of meeting {PLANNED}",
       lambda r: {"organizer": "executed"}.get(r, "approval")),
    Op("dingtalk add_cohost", f"make @bob co-host of dingtalk meeting {DEMO_DINGTALK_ID}", lambda r: "approval"),
    Op("link to the meeting carol scheduled", f"link this channel to meeting {PLANNED}",
       lambda r: {"organizer": "executed"}.get(r, "approval")),
]
ROLE_SPEAKERS = {"organizer": "carol", "cohost": "dave"}
ROLE_PATHS = ["direct", "confirm_by_speaker", "click_by_someone_else", "click_by_host", "replayed_click"]


async def test_organizer_and_cohost_speakers(make_world: WorldFactory) -> None:
    world = await make_world()
    zoom, store = world.sandbox.zoom, world.bot.services.store
    you, carol, alice, dave = (zoom.user(f"{n}@example.com") for n in ("you", "carol", "alice", "dave"))
    assert you is not None and carol is not None and alice is not None and dave is not None
    alice.assistants.add(carol.id)  # alice lets carol schedule for her: schedule_for may name alice
    zoom.add_meeting(you, "Planning", created_under=carol, meeting_id=PLANNED, alternative_hosts=[dave.email])
    conference = world.sandbox.dingtalk.conferences[DEMO_DINGTALK_ID]
    conference.cohosts.add(world.demo.vendors.dingtalk_users["dave"].union_id)
    fakes = [(zoom, "meetings"), (world.sandbox.dingtalk, "conferences")]
    pristine = [copy.deepcopy(getattr(fake, attr)) for fake, attr in fakes]
    wrong = []
    for op, role, path in itertools.product(ROLE_OPS, ROLE_SPEAKERS, ROLE_PATHS):
        for (fake, attr), state in zip(fakes, pristine, strict=True):
            with fake.lock:
                setattr(fake, attr, copy.deepcopy(state))
        await store._exec("DELETE FROM links")
        start = len(world.sandbox.recorder.all())
        world.console.user = ROLE_SPEAKERS[role]
        first = await world.console.send(op.text)
        if "[1]" in first and not first.endswith("[1] Undo") and path != "direct":
            world.console.user = {"confirm_by_speaker": ROLE_SPEAKERS[role], "click_by_someone_else": "bob"}.get(
                path, "you")
            pressed = world.console.choices[0]
            await world.console.send("1")
            if path == "replayed_click":  # the same button again (not the Undo the answer may offer)
                world.console.choices = [pressed]
                await world.console.send("1")
        got = sum(1 for r in world.sandbox.recorder.all()[start:] if r.op in MUTATING and 200 <= r.status < 300)
        got += 1 if op.name.startswith("link") and await store.link("console", "console") else 0
        want = expected(op.prompt(role), path, role)
        if got != want:
            wrong.append(f"{op.name} · {role} · {path}: {got} change(s), expected {want}")
    assert wrong == [], "\n".join(wrong)


# ---- the world moved between the ask and the click (issue 24: what runs is what was shown) --------------
def _written(world: World, start: int) -> list[tuple[str, object]]:
    """The mutating requests the vendor fakes accepted since `start`: (op, what it changed)."""
    return [(r.op, r.body.get("meetingIds") or r.body.get("schedule_for") or r.body.get("settings") or r.path)
            for r in world.sandbox.recorder.all()[start:] if r.op in MUTATING and 200 <= r.status < 300]


async def _moved_link(world: World) -> None:
    await world.bot.services.store.set_link("console", "console", "feishu", world.meeting_id, linked_by="you")


async def _moved_scope(world: World) -> None:
    webex = world.sandbox.webex
    webex.add_meeting(webex.users["dave@example.com"], "Created after the listing")


async def _moved_host(world: World) -> None:
    world.sandbox.webex.meetings[DEMO_WEBEX_ID].host_email = "alice@example.com"


async def _moved_cohosts(world: World) -> None:
    with world.sandbox.zoom.lock:
        world.sandbox.zoom.meetings[DEMO_ZOOM_ID].alternative_hosts = ["bob@example.com", "dave@example.com"]


MOVED = [  # (cell, speaker, request, what moves before the click, who clicks, what the vendors must see)
    ("link changed", "bob", "make @alice host", _moved_link, "you",
     [("zoom.update_meeting", "alice@example.com")]),
    ("scope grown", "carol", "reassign @dave's webex meetings to @erin", _moved_scope, "carol",
     [("webex.reassign", [DEMO_WEBEX_DAVE[0], DEMO_WEBEX_DAVE[2]])]),
    ("host changed", "carol", f"reassign webex meeting {DEMO_WEBEX_ID} to @bob", _moved_host, "carol", []),
    ("co-host list changed", "carol", f"remove @bob as co-host of zoom meeting {DEMO_ZOOM_ID}", _moved_cohosts,
     "carol", []),
]


async def test_a_click_after_the_world_moved_runs_what_was_shown_or_asks_again(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="carol")
    console = world.console
    await console.send(f"link this channel to zoom meeting {DEMO_ZOOM_ID}")  # `you` run it
    with world.sandbox.zoom.lock:
        world.sandbox.zoom.meetings[DEMO_ZOOM_ID].alternative_hosts = ["bob@example.com"]
    wrong = []
    for cell, speaker, text, move, clicker, want in MOVED:
        console.user = speaker
        asked = await console.send(text)
        assert "[1]" in asked, f"{cell}: {asked}"
        start = len(world.sandbox.recorder.all())
        await move(world)
        console.user = clicker
        answer = await console.send("1")
        got = _written(world, start)
        if got != want:
            wrong.append(f"{cell}: the vendors saw {got}, expected {want}")
        if not want and not answer.startswith("⚠️"):
            wrong.append(f"{cell}: {answer!r} does not say what changed")
    assert wrong == [], "\n".join(wrong)
