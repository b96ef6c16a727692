"""Identity against the sandbox: Slack users.info through slack_sdk and Feishu contact through lark-oapi,
both over 127.0.0.1; the cache with a controllable clock; mappings that win; every error reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.feishu.people.directory import FeishuDirectory
from bot.adapters.markup import slack_inbound, slack_text
from bot.adapters.slack.profiles import SlackProfiles
from bot.app import HostBot, build
from bot.config import settings_from_mapping
from bot.core.identity.resolver import IdentityResolver
from bot.core.model.errors import IdentityError
from bot.core.model.events import ChatMessage, Platform
from bot.devtools.demo import seed
from bot.i18n import t
from bot.sandbox import Sandbox
from bot.sandbox.slack.web import ALL_BOT_SCOPES, SlackUser
from bot.store import AsyncStore, Store
from bot.vendors.feishu.auth import FeishuAuth, build_client
from tests.support.undo import without_undo


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Env:
    box: Sandbox
    store: AsyncStore
    clock: Clock
    people: IdentityResolver
    slack_users: dict[str, SlackUser]

    def requests(self, op: str) -> int:
        return self.box.recorder.count(op)


@pytest.fixture
def env(sandbox: Sandbox, tmp_path: Path) -> Iterator[Env]:
    seed(sandbox)  # Feishu users you, alice, bob, carol, dave (emails name@example.com)
    users = {n: sandbox.slack.add_user(n) for n in ("you", "alice", "bob")}
    users["zed"] = sandbox.slack.add_user("zed", email="zed@elsewhere.example")  # nobody at Feishu
    clock = Clock()
    store = Store(str(tmp_path / "h.db"), clock=clock)
    app_id, secret = sandbox.feishu.app_id, sandbox.feishu.app_secret
    directory = FeishuDirectory(FeishuAuth(build_client(app_id, secret, sandbox.url), app_id, secret))
    slack = AsyncWebClient(token=sandbox.slack.bot_token, base_url=f"{sandbox.url}/api/", timeout=10)
    aio = store.aio()
    people = IdentityResolver(aio, sources={"slack": SlackProfiles(slack),
                                              "feishu": directory},
                              feishu_directory=directory, ttl=timedelta(hours=12))
    yield Env(sandbox, aio, clock, people, users)
    asyncio.run(aio.aclose())
    store.close()


def _words(err: IdentityError) -> tuple[str, str]:
    return t("en", err.key, **err.values), t("zh", err.key, **err.values)


# ---- the chain -------------------------------------------------------------------------------
async def test_slack_profile_then_feishu_lookup_by_email(env: Env) -> None:
    alice = env.slack_users["alice"]
    person = await env.people.resolve(alice.id, "slack", env.slack_users["you"].id)
    feishu_alice = env.box.feishu.user_by_name("alice")
    assert (person.name, person.email, person.tz, person.locale) == ("alice", "alice@example.com", "Europe/Berlin",
                                                                      "en-US")
    assert env.people.vendor_user(person, "feishu").id == feishu_alice.open_id
    assert env.people.vendor_user(person, "zoom").id == "alice@example.com"
    info = env.box.recorder.all("slack.users.info")[-1]
    assert info.query == {"user": alice.id, "include_locale": "1"}
    assert info.headers["authorization"] == f"Bearer {env.box.slack.bot_token}"
    lookup = env.box.recorder.all("feishu.batch_get_id")[-1]
    assert lookup.query == {"user_id_type": "open_id"}
    assert lookup.body == {"emails": ["alice@example.com"], "include_resigned": False}
    row = await env.store.person("slack", alice.id)
    assert row is not None and (row["source"], row["feishu_open_id"]) == ("profile", feishu_alice.open_id)


async def test_feishu_contact_through_lark(env: Env) -> None:
    bob = env.box.feishu.user_by_name("bob")
    person = await env.people.resolve(bob.open_id, "feishu", "ou_speaker")
    assert person.ids == {"feishu": bob.open_id, "feishu_union": bob.union_id}
    assert (person.name, person.email) == ("bob", "bob@example.com")
    got = env.box.recorder.all("feishu.get_user")[-1]
    assert got.path == f"/open-apis/contact/v3/users/{bob.open_id}" and got.query["user_id_type"] == "open_id"
    assert got.headers["authorization"].startswith("Bearer t-")
    assert env.requests("feishu.batch_get_id") == 0  # a Feishu user's open_id comes with the profile


async def test_me_is_the_speaker(env: Env) -> None:
    you = env.slack_users["you"]
    person = await env.people.resolve("me", "slack", you.id)
    assert person.chat_user == you.id and person.email == "you@example.com"


# ---- cache and mappings ------------------------------------------------------------------------
async def test_profile_cache_expires_after_the_ttl(env: Env) -> None:
    bob = env.slack_users["bob"]
    await env.people.resolve(bob.id, "slack", bob.id)
    env.clock.now += timedelta(hours=11, minutes=59)
    await env.people.resolve(bob.id, "slack", bob.id)
    assert env.requests("slack.users.info") == 1
    env.box.slack.users[bob.id].email = "robert@example.com"  # changed at Slack meanwhile
    env.clock.now += timedelta(minutes=2)
    person = await env.people.resolve(bob.id, "slack", bob.id)
    assert env.requests("slack.users.info") == 2
    assert person.email == "robert@example.com"
    assert (await env.store.person("slack", bob.id))["email"] == "robert@example.com"  # type: ignore[index]


async def test_stale_profile_is_used_while_slack_rate_limits(env: Env) -> None:
    bob = env.slack_users["bob"]
    await env.people.resolve(bob.id, "slack", bob.id)
    env.clock.now += timedelta(days=2)
    env.box.slack.ratelimit("users.info", retry_after=30)
    person = await env.people.resolve(bob.id, "slack", bob.id)
    assert person.email == "bob@example.com"
    assert [r.status for r in env.box.recorder.all("slack.users.info")] == [200, 429]


async def test_a_mapping_wins_for_the_ids_it_sets_and_lookups_give_the_rest(env: Env) -> None:
    alice = env.slack_users["alice"]
    await env.people.resolve(alice.id, "slack", alice.id)  # cached profile first
    await env.store.set_mapping("slack", alice.id, "zoom_email", "alice.zoom@example.com")
    await env.store.set_mapping("slack", alice.id, "dingtalk_union_id", "dt-union-alice")
    env.clock.now += timedelta(days=30)  # long past the TTL: a mapping never expires, the profile is asked again
    person = await env.people.resolve(alice.id, "slack", alice.id)
    assert env.people.vendor_user(person, "zoom").id == "alice.zoom@example.com"
    assert env.people.vendor_user(person, "dingtalk").id == "dt-union-alice"
    assert env.people.vendor_user(person, "webex").id == "alice@example.com"  # from the profile's email
    assert env.people.vendor_user(person, "feishu").id.startswith("ou_")  # from batch_get_id, as before
    assert env.requests("slack.users.info") == 2


# ---- people asked about by several requests at once ------------------------------------------------
async def test_requests_naming_the_same_person_at_once_ask_the_platforms_once(env: Env) -> None:
    """A burst of twenty commands naming @alice: one users.info, one batch_get_id, one cached row, and every
    request gets her (bot/core/identity/shared.py)."""
    alice, you = env.slack_users["alice"], env.slack_users["you"]
    env.box.faults.set_latency("slack.users.info", 0.2)  # all twenty arrive while the first is being answered
    people = await asyncio.gather(*(env.people.resolve(alice.id, "slack", you.id) for _ in range(20)))
    feishu_alice = env.box.feishu.user_by_name("alice").open_id
    assert {(p.chat_user, p.email, env.people.vendor_user(p, "feishu").id) for p in people} == {
        (alice.id, "alice@example.com", feishu_alice)}
    assert (env.requests("slack.users.info"), env.requests("feishu.batch_get_id")) == (1, 1)
    await env.people.resolve(env.slack_users["bob"].id, "slack", you.id)  # somebody else is asked about
    assert env.requests("slack.users.info") == 2


async def test_a_shared_lookup_shares_its_error_and_the_next_request_asks_again(env: Env) -> None:
    alice, you = env.slack_users["alice"], env.slack_users["you"]
    env.box.slack.ratelimit("users.info", retry_after=30)  # one refusal, while five ask
    env.box.faults.set_latency("slack.users.info", 0.2)
    got = await asyncio.gather(*(env.people.resolve(alice.id, "slack", you.id) for _ in range(5)),
                               return_exceptions=True)
    assert all(isinstance(g, IdentityError) and g.key == "profile_unavailable" for g in got), got
    assert env.requests("slack.users.info") == 1
    person = await env.people.resolve(alice.id, "slack", you.id)  # nothing cached from the failure
    assert person.email == "alice@example.com" and env.requests("slack.users.info") == 2


async def test_when_the_request_asking_goes_away_a_waiting_one_asks_again(env: Env) -> None:
    alice, you = env.slack_users["alice"], env.slack_users["you"]
    env.box.faults.set_latency("slack.users.info", 0.3)
    first = asyncio.create_task(env.people.resolve(alice.id, "slack", you.id))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(env.people.resolve(alice.id, "slack", you.id))
    await asyncio.sleep(0.05)
    first.cancel()  # e.g. its replica shutting down
    person = await asyncio.wait_for(second, 10)
    assert first.cancelled() and person.email == "alice@example.com"
    assert env.requests("slack.users.info") == 2


# ---- errors, as the user reads them ----------------------------------------------------------
async def test_unknown_slack_user(env: Env) -> None:
    with pytest.raises(IdentityError) as err:
        await env.people.resolve("UNOBODY1", "slack", env.slack_users["you"].id)
    assert _words(err.value) == ("I don't know who @UNOBODY1 is. An admin can add them with `hostbot users set`.",
                                 "我不知道 @UNOBODY1 是谁。管理员可以用 `hostbot users set` 添加。")


async def test_ambiguous_name_lists_the_candidates(env: Env) -> None:
    await env.store.upsert_person("slack", "U0AL1", name="Alice")
    await env.store.upsert_person("slack", "U0AL2", name="alice")
    with pytest.raises(IdentityError) as err:
        await env.people.resolve("@alice", "slack", "U0YOU")
    en, zh = _words(err.value)
    assert en == "@alice could be several people: @U0AL1, @U0AL2. Please @mention the one you mean."
    assert "@U0AL1, @U0AL2" in zh


async def test_slack_email_hidden_names_the_scope(env: Env) -> None:
    env.box.slack.set_scopes([s for s in ALL_BOT_SCOPES if s != "users:read.email"])
    bob = env.slack_users["bob"]
    person = await env.people.resolve(bob.id, "slack", bob.id)
    with pytest.raises(IdentityError) as err:
        env.people.vendor_user(person, "feishu")
    en, zh = _words(err.value)
    assert f"can't see <@{bob.id}>'s email address" in slack_text(en) and "`users:read.email`" in en
    assert f"hostbot users set {bob.id} feishu=<id>" in en
    assert "`users:read.email` 权限" in zh
    assert await env.store.person("slack", bob.id) is None  # not cached: granting the scope works at once
    env.box.slack.set_scopes(ALL_BOT_SCOPES)
    assert env.people.vendor_user(await env.people.resolve(bob.id, "slack", bob.id), "feishu").id


async def test_feishu_email_hidden_names_the_scope(env: Env) -> None:
    env.box.feishu.email_scope_granted = False
    carol = env.box.feishu.user_by_name("carol")
    person = await env.people.resolve(carol.open_id, "feishu", carol.open_id)
    assert env.people.vendor_user(person, "feishu").id == carol.open_id  # set_host still works
    with pytest.raises(IdentityError) as err:
        env.people.vendor_user(person, "zoom")
    en, zh = _words(err.value)
    assert "`contact:user.email:readonly`" in en and "Feishu" in en
    assert "`contact:user.email:readonly` 权限" in zh


async def test_no_id_for_this_vendor_says_how_an_admin_adds_it(env: Env) -> None:
    alice = env.slack_users["alice"]
    person = await env.people.resolve(alice.id, "slack", alice.id)
    with pytest.raises(IdentityError) as err:
        env.people.vendor_user(person, "dingtalk")
    en, zh = _words(err.value)
    assert f"`hostbot users set {alice.id} dingtalk=<id>`" in en and "can't be looked up by email" in en
    assert f"`hostbot users set {alice.id} dingtalk=<id>`" in zh


async def test_email_unknown_at_feishu(env: Env) -> None:
    zed = env.slack_users["zed"]
    person = await env.people.resolve(zed.id, "slack", zed.id)
    with pytest.raises(IdentityError) as err:
        env.people.vendor_user(person, "feishu")
    en, _ = _words(err.value)
    assert en == (f"feishu has no account with @zed's email (zed@elsewhere.example). An admin can add the right id "
                  f"with `hostbot users set {zed.id} feishu=<id>`.")


async def test_missing_users_read_scope(env: Env) -> None:
    env.box.slack.set_scopes(["chat:write"])
    with pytest.raises(IdentityError) as err:
        await env.people.resolve(env.slack_users["bob"].id, "slack", "U0YOU")
    en, _ = _words(err.value)
    assert "the app lacks the `users:read` permission" in en


async def test_rate_limited_without_a_cached_answer(env: Env) -> None:
    env.box.slack.ratelimit("users.info", retry_after=7)
    with pytest.raises(IdentityError) as err:
        await env.people.resolve(env.slack_users["bob"].id, "slack", "U0YOU")
    en, zh = _words(err.value)
    assert en == "I couldn't look up @" + env.slack_users["bob"].id + \
        " on Slack just now (rate-limited, retry in 7 s). Please try again in a minute."
    assert "请稍后再试" in zh


# ---- through the bot: a Slack message changes a Feishu host ----------------------------------
@pytest.fixture
async def slack_bot(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[tuple[HostBot, dict[str, SlackUser], str]]:
    seed(sandbox)
    users = {n: sandbox.slack.add_user(n) for n in ("you", "alice")}
    channel = sandbox.slack.add_channel("ops", list(users.values()))
    bot = build(settings_from_mapping({**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "h.db")}))
    yield bot, users, channel.id
    await bot.aclose()


SlackBot = tuple[HostBot, dict[str, SlackUser], str]


async def test_slack_mention_to_feishu_open_id_end_to_end(sandbox: Sandbox, slack_bot: SlackBot) -> None:
    bot, users, channel = slack_bot
    typed = f"<@{sandbox.slack.bot_user.id}> make <@{users['alice'].id}> host of meeting 123456789"
    msg = ChatMessage(platform=Platform.SLACK, user=users["you"].id, channel=channel,
                      text=slack_inbound(typed, sandbox.slack.bot_user.id))
    bot.dispatcher.bot_user = sandbox.slack.bot_user.id
    replies = await bot.dispatcher.handle_message(msg)
    assert [without_undo(slack_text(r.text)) for r in replies] == [
        f"✅ <@{users['alice'].id}> is now host of Feishu meeting 123 456 789."]
    call = sandbox.recorder.all("feishu.set_host")[-1]
    assert call.body["host_user"] == {"id": sandbox.feishu.user_by_name("alice").open_id, "user_type": 1}


async def test_unknown_slack_user_reply_through_the_bot(sandbox: Sandbox, slack_bot: SlackBot) -> None:
    bot, users, channel = slack_bot
    replies = await bot.dispatcher.handle_message(ChatMessage(
        platform=Platform.SLACK, user=users["you"].id, channel=channel,
        text=slack_inbound("把 <@UGHOST1> 设为主持人 123456789")))
    assert [slack_text(r.text) for r in replies] == ["我不知道 @UGHOST1 是谁。管理员可以用 `hostbot users set` 添加。"]
    assert sandbox.recorder.count("feishu.set_host") == 0
