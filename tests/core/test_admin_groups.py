"""Admins from the directory (HOSTBOT_ADMINS naming a Slack user group or a Feishu group chat or
department), end to end: signed Slack bodies and encrypted Feishu events, the sandbox's Slack and
Feishu serving the group's members, the bot's clock moved by hand.

The cells are the authorization matrix's (tests/core/test_authorization_matrix.py) for "make @alice
host of meeting 123456789": the host acts at once, an admin is asked to confirm, anybody else's request
goes to the host for approval. A member of the admins' group is an admin; removed from the group, they
stop being one once the cache (5 minutes) has passed.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.identity.admins import CACHE_TTL, GroupRef, group_ref
from bot.sandbox import Sandbox
from bot.sandbox.feishu.im import BOT
from tests.support.feishu import feishu_world
from tests.support.slack import SlackWorld, wait_for
from tests.support.slack_views import slack_world


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def wait(self, delta: timedelta) -> None:
        self.now += delta


_n = itertools.count(1)


def _prompt(text: str) -> str:
    """What the speaker got first: executed | confirm | approval (or the text, to show in a failure)."""
    if "is now host" in text:
        return "executed"
    if "Go ahead?" in text:
        return "confirm"
    if "can approve" in text:
        return "approval"
    return text


async def _slack_ask(world: SlackWorld, who: str) -> str:
    world.sandbox.feishu.change_host(world.meeting_id, world.demo.users["you"].open_id)  # each cell starts alike
    n = next(_n)
    ts = f"1700000{n:03d}.000100"
    event = {"type": "app_mention", "user": world.users[who].id, "channel": world.channel.id,
             "text": f"<@{world.sandbox.slack.bot_user.id}> make <@{world.users['alice'].id}> host of meeting "
                     "123456789", "ts": ts, "event_ts": ts}
    assert (await world.event(event, f"EvAdm{n}")).status_code == 200
    replies = await wait_for(lambda: world.replies_in(ts))
    return _prompt(replies[0]["text"])


def test_admin_entries_name_groups_or_people() -> None:
    assert group_ref("S0614TZR7") == GroupRef("slack", "usergroup", "S0614TZR7")
    assert group_ref("@Host-Admins") == GroupRef("slack", "handle", "host-admins")
    assert group_ref("oc_a0553eda9014c201e6969b478895c230") == GroupRef("feishu", "chat",
                                                                        "oc_a0553eda9014c201e6969b478895c230")
    assert group_ref("od-4e6ac4d14bcd5071a37a39de902c7141") is not None
    for person in ("U012ABCDEF", "W012ABCDEF", "carol@example.com", "ou_7d8a6e6df7621556ce0d21922b676706", "carol"):
        assert group_ref(person) is None


async def test_a_member_of_the_admins_slack_user_group_is_an_admin_until_removed(sandbox: Sandbox,
                                                                                 tmp_path: Path) -> None:
    clock = Clock()
    users = {n: sandbox.slack.add_user(n) for n in ("ops1",)}  # somebody else in the group besides carol
    group = sandbox.slack.add_usergroup("hostadmins", [users["ops1"]])
    async with slack_world(sandbox, tmp_path, clock=clock, HOSTBOT_ADMINS=group.id) as world:
        sandbox.slack.set_usergroup_members(group.id, [users["ops1"], world.users["carol"]])
        cells = {who: await _slack_ask(world, who) for who in ("you", "carol", "bob")}
        assert cells == {"you": "executed", "carol": "confirm", "bob": "approval"}

        # carol leaves the group: within the cache she still is an admin, once it has passed she is not
        sandbox.slack.set_usergroup_members(group.id, [users["ops1"]])
        clock.wait(timedelta(minutes=1))
        assert await _slack_ask(world, "carol") == "confirm"
        clock.wait(CACHE_TTL)
        assert await _slack_ask(world, "carol") == "approval"
        # bob is added: a speaker not among the cached members refreshes them (at most every 30 s)
        sandbox.slack.set_usergroup_members(group.id, [world.users["bob"]])
        clock.wait(timedelta(seconds=31))
        assert await _slack_ask(world, "bob") == "confirm"
    reads = sandbox.recorder.all("slack.usergroups.users.list")
    assert reads and all(r.query.get("usergroup") == group.id for r in reads)
    assert len(reads) <= 5  # cached, not read for every request


async def test_a_slack_user_group_by_handle_and_a_missing_scope(sandbox: Sandbox, tmp_path: Path) -> None:
    from bot.adapters.slack.adapter import BOT_SCOPES

    clock = Clock()
    async with slack_world(sandbox, tmp_path, clock=clock, HOSTBOT_ADMINS="@hostadmins") as world:
        sandbox.slack.add_usergroup("hostadmins", [world.users["carol"]])
        assert await _slack_ask(world, "carol") == "confirm"
        assert sandbox.recorder.all("slack.usergroups.list")
        # without usergroups:read nobody is an admin through the group once the cache is gone
        sandbox.slack.set_scopes([s for s in BOT_SCOPES if s != "usergroups:read"])
        clock.wait(CACHE_TTL + timedelta(seconds=1))
        assert await _slack_ask(world, "carol") == "approval"
        checks = await world.runtime.bot.services.policy.groups.check()  # type: ignore[union-attr]
        [(ref, err)] = checks
        assert str(ref) == "@hostadmins" and getattr(err, "scope", "") == "usergroups:read"


def _feishu_prompt(texts: list[str]) -> str:
    return _prompt(texts[0]) if texts else ""


async def test_a_member_of_the_admins_feishu_group_chat_is_an_admin_until_removed(sandbox: Sandbox,
                                                                                 tmp_path: Path) -> None:
    clock = Clock()
    chat = sandbox.feishu_groups.add_chat("hostbot admins", [])  # its members: the demo's people, below
    async with feishu_world(sandbox, tmp_path, clock=clock, HOSTBOT_ADMINS=chat.id) as world:
        sandbox.feishu_groups.set_members(chat.id, [world.user("carol"), world.user("erin")])

        async def ask(who: str) -> str:
            sandbox.feishu.change_host(world.demo.feishu_meeting.id, world.user("you").open_id)
            msg, resp = await world.ask(who, "@_user_1 make @_user_2 host of meeting 123456789", BOT,
                                        world.user("alice"))
            assert resp.status_code == 200
            return _feishu_prompt(await wait_for(lambda: world.texts(msg["message_id"])))

        cells = {who: await ask(who) for who in ("you", "carol", "bob")}
        assert cells == {"you": "executed", "carol": "confirm", "bob": "approval"}
        sandbox.feishu_groups.set_members(chat.id, [world.user("erin")])
        clock.wait(CACHE_TTL + timedelta(seconds=1))
        assert await ask("carol") == "approval"
    reads: list[Any] = sandbox.recorder.all("feishu.chat_members")
    assert reads and all(r.query.get("member_id_type") == "open_id" for r in reads)


async def test_doctor_reads_each_admins_group_and_names_the_missing_scope(sandbox: Sandbox, tmp_path: Path) -> None:
    from bot.adapters.slack.adapter import BOT_SCOPES
    from bot.config import settings_from_mapping
    from bot.ops.doctor.report import run_checks

    carol = sandbox.slack.add_user("carol")
    group = sandbox.slack.add_usergroup("hostadmins", [carol])
    chat = sandbox.feishu_groups.add_chat("hostbot admins", [sandbox.feishu.add_user("carol")])
    gone = sandbox.feishu_groups.add_chat("left", [], bot_in=False)
    env = {**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "d.db"), "SLACK_SIGNING_SECRET": "s" * 32,
           "HOSTBOT_PUBLIC_URL": "https://hostbot.example.com", "HOSTBOT_ADMINS": f"{group.id},{chat.id},{gone.id}"}
    checks = {(c.area, c.what): c for c in await run_checks(settings_from_mapping(env), "en", timeout=5.0)}
    assert checks[("slack", f"HOSTBOT_ADMINS group {group.id} can be read")].result == "yes, 1 members"
    assert checks[("feishu", f"HOSTBOT_ADMINS group {chat.id} can be read")].ok
    left = checks[("feishu", f"HOSTBOT_ADMINS group {gone.id} can be read")]
    assert not left.ok and "232011" in left.result and "the bot is in (oc_…)" in left.fix

    sandbox.slack.set_scopes([s for s in BOT_SCOPES if s != "usergroups:read"])
    sandbox.feishu_groups.chat_scope_granted = False
    checks = {(c.area, c.what): c for c in await run_checks(settings_from_mapping(env), "zh", timeout=5.0)}
    slack = checks[("slack", f"可以读取 HOSTBOT_ADMINS 中的群组 {group.id}")]
    assert not slack.ok and "usergroups:read" in slack.fix
    feishu = checks[("feishu", f"可以读取 HOSTBOT_ADMINS 中的群组 {chat.id}")]
    assert not feishu.ok and "im:chat:readonly" in feishu.fix


async def test_a_member_of_the_admins_feishu_department_is_an_admin_read_page_by_page(sandbox: Sandbox,
                                                                                     tmp_path: Path) -> None:
    staff = [sandbox.feishu.add_user(f"staff{n}") for n in range(60)]  # carol comes last: the second page
    dept = sandbox.feishu_groups.add_department("IT", staff)
    async with feishu_world(sandbox, tmp_path, HOSTBOT_ADMINS=dept.id) as world:
        sandbox.feishu_groups.set_members(dept.id, [*staff, world.user("carol")])

        async def ask(who: str) -> str:
            sandbox.feishu.change_host(world.demo.feishu_meeting.id, world.user("you").open_id)
            msg, _ = await world.ask(who, "@_user_1 make @_user_2 host of meeting 123456789", BOT,
                                     world.user("alice"))
            return _feishu_prompt(await wait_for(lambda: world.texts(msg["message_id"])))

        assert await ask("carol") == "confirm"
        assert await ask("bob") == "approval"
    pages = sandbox.recorder.all("feishu.find_by_department")
    assert [(r.query.get("page_size"), r.query.get("page_token")) for r in pages[:2]] == [("50", None), ("50", "50")]
    assert all(r.query["department_id_type"] == "open_department_id" for r in pages)
