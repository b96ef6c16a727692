"""Feishu user authorization end to end: invite without a token -> a link in the thread -> Feishu's
authorize page (the sandbox) -> GET /feishu/oauth/callback -> the token stored encrypted -> the
invite runs; refresh before expiry; the state's rules; the key's start-up errors."""

from __future__ import annotations

import asyncio
import html
import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from bot.app import build
from bot.config import ConfigError, settings_from_mapping
from bot.sandbox import Sandbox
from bot.sandbox.feishu.im import BOT
from bot.store import Store
from bot.store.vault import SecretVault, VaultError
from tests.conftest import WorldFactory
from tests.support.feishu import FeishuWorld, feishu_world, first_text
from tests.support.slack import wait_for

INVITE = "@_user_1 invite @_user_2 to meeting 123456789"
LINK = re.compile(r"(https?://\S+/open-apis/authen/v1/authorize\?\S+)")


@pytest.fixture
async def feishu(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FeishuWorld]:
    async with feishu_world(sandbox, tmp_path) as world:
        yield world


async def _ask_invite(feishu: FeishuWorld, who: str = "you") -> tuple[str, str]:
    """`who` asks hostbot to invite dave; returns the thread root and the authorization link it answered."""
    msg, _ = await feishu.ask(who, INVITE, BOT, feishu.user("dave"))
    text = await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "authorize"))
    found = LINK.search(text)
    assert found, text
    return msg["message_id"], found.group(1)


async def _authorize(feishu: FeishuWorld, link: str, as_user: str) -> httpx.Response:
    """`as_user` opens the link in a browser, agrees on Feishu's page and comes back to hostbot."""
    feishu.sandbox.feishu_oauth.sign_in(feishu.user(as_user).open_id)
    async with httpx.AsyncClient() as browser:
        page = await browser.get(link)
    assert page.status_code == 302, page.text
    back = urlsplit(page.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == "http://hostbot.test/feishu/oauth/callback"
    return await feishu.http.get(f"{back.path}?{back.query}")


def _invite_tokens(feishu: FeishuWorld) -> list[str]:
    return [r.headers["authorization"].removeprefix("Bearer ") for r in feishu.sandbox.recorder.all("feishu.invite")]


async def test_invite_asks_for_authorization_then_proceeds_with_the_stored_token(feishu: FeishuWorld) -> None:
    you = feishu.user("you").open_id
    root, link = await _ask_invite(feishu)
    reply = feishu.texts(root)[0]
    assert reply.startswith("❌ Could not invite @dave to Feishu meeting 123 456 789: Feishu lets only a person")
    assert reply.endswith("and allow hostbot to act for you in Feishu (once); your request then continues by itself.")
    query = parse_qs(urlsplit(link).query)
    assert query["app_id"] == [feishu.sandbox.feishu.app_id]
    assert query["redirect_uri"] == ["http://hostbot.test/feishu/oauth/callback"]
    assert feishu.sandbox.recorder.count("feishu.invite") == 0

    page = await _authorize(feishu, link, "you")
    assert page.status_code == 200 and "Your request continues in Feishu" in page.text
    done = await wait_for(lambda: first_text(feishu.texts(root), "Invited"))
    assert done == "✅ Invited @dave to Feishu meeting 123 456 789; Feishu is calling them."
    assert first_text(feishu.texts(root), "authorized hostbot in Feishu; carrying on")
    token = _invite_tokens(feishu)[0]
    assert feishu.sandbox.feishu.user_tokens[token] == you  # the invite ran as you, with your new token
    exchange = feishu.sandbox.recorder.all("feishu.oauth.token")[0]
    assert exchange.headers["authorization"].startswith("Bearer a-")  # app_access_token, as the doc wants

    # at rest the token is sealed: not in the database file, unreadable with another key
    store = feishu.runtime.bot.services.store
    [row] = await store._rows("SELECT * FROM user_tokens WHERE vendor = 'feishu' AND subject = ?", [you])
    assert row["token_enc"].startswith("v1:") and token not in row["token_enc"]
    stored = await store.user_token("feishu", you)
    assert stored is not None and stored.token == token and stored.refresh_token.startswith("ur-")
    await store._rows("PRAGMA wal_checkpoint(FULL)")
    files = [Path(store.path), Path(store.path + "-wal")]
    assert not any(token.encode() in f.read_bytes() for f in files if f.exists())
    with sqlite3.connect(store.path) as raw:
        sealed = raw.execute("SELECT token_enc, refresh_enc FROM user_tokens").fetchone()
    assert token not in sealed[0] and stored.refresh_token not in sealed[1]
    thief = await asyncio.to_thread(Store, store.path, vault=SecretVault("somebody else's passphrase"))
    with pytest.raises(VaultError):
        await asyncio.to_thread(thief.user_token, "feishu", you)
    thief.close()


async def test_the_token_is_refreshed_before_it_expires(feishu: FeishuWorld) -> None:
    you = feishu.user("you").open_id
    root, link = await _ask_invite(feishu)
    await _authorize(feishu, link, "you")
    await wait_for(lambda: first_text(feishu.texts(root), "Invited"))
    store = feishu.runtime.bot.services.store
    old = await store.user_token("feishu", you)
    assert old is not None and old.expires_at is not None
    assert old.expires_at - store.now() > timedelta(hours=1)  # Feishu said 7200 s
    # four minutes before it expires (inside the 5-minute margin), the next invite refreshes it first
    await store.save_user_token("feishu", you, old.token, old.refresh_token,
                                expires_at=store.now() + timedelta(minutes=4))
    again, _ = await feishu.ask("you", INVITE, BOT, feishu.user("dave"))
    await wait_for(lambda: first_text(feishu.texts(again["message_id"]), "Invited"))
    assert feishu.sandbox.recorder.count("feishu.oauth.refresh") == 1
    new = await store.user_token("feishu", you)
    assert new is not None and new.token != old.token and new.refresh_token != old.refresh_token
    assert _invite_tokens(feishu)[-1] == new.token
    assert new.expires_at is not None and new.expires_at - store.now() > timedelta(hours=1)

    # a refresh Feishu refuses (the refresh token was used or revoked) drops the grant: a new link
    await store.save_user_token("feishu", you, new.token, old.refresh_token,
                                expires_at=store.now() + timedelta(minutes=1))
    third, _ = await feishu.ask("you", INVITE, BOT, feishu.user("dave"))
    text = await wait_for(lambda: first_text(feishu.texts(third["message_id"]), "authorize"))
    assert LINK.search(text) and await store.user_token("feishu", you) is None
    assert len(_invite_tokens(feishu)) == 2


async def test_the_links_state_rules(feishu: FeishuWorld) -> None:
    unknown = await feishu.http.get("/feishu/oauth/callback?code=abc&state=forged")
    assert unknown.status_code == 400 and "不是 hostbot 生成的" in unknown.text  # Chinese unless the browser is English
    english = await feishu.http.get("/feishu/oauth/callback?code=abc&state=forged",
                                    headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.status_code == 400 and "not one hostbot made" in english.text

    root, link = await _ask_invite(feishu)
    feishu.sandbox.feishu_oauth.sign_in(feishu.user("you").open_id)
    feishu.sandbox.feishu_oauth.decline()
    async with httpx.AsyncClient() as browser:
        refused = await browser.get(link)
    back = urlsplit(refused.headers["location"])
    declined = await feishu.http.get(f"{back.path}?{back.query}")
    assert declined.status_code == 400 and "You did not authorize hostbot" in declined.text

    ok = await _authorize(feishu, link, "you")  # the same link still works once
    assert ok.status_code == 200
    await wait_for(lambda: first_text(feishu.texts(root), "Invited"))
    again = await _authorize(feishu, link, "you")
    assert again.status_code == 400 and "already been used" in again.text
    assert len(_invite_tokens(feishu)) == 1


async def test_somebody_elses_link_saves_their_token_but_runs_nothing_for_them(feishu: FeishuWorld) -> None:
    _, link = await _ask_invite(feishu, "you")
    page = await _authorize(feishu, link, "bob")
    assert page.status_code == 200 and "somebody else's request" in html.unescape(page.text)
    store = feishu.runtime.bot.services.store
    assert await store.user_token("feishu", feishu.user("bob").open_id) is not None
    assert await store.user_token("feishu", feishu.user("you").open_id) is None
    await feishu.adapter.drain()
    assert _invite_tokens(feishu) == []


async def test_a_console_request_gets_a_link_and_is_asked_to_ask_again(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_PUBLIC_URL="https://hostbot.example.com")
    await world.bot.services.store.delete_user_token("feishu", world.open_id("you"))
    reply = await world.say("invite @dave to meeting 123456789")
    found = LINK.search(reply)
    assert found, reply
    assert parse_qs(urlsplit(found.group(1)).query)["redirect_uri"] == [
        "https://hostbot.example.com/feishu/oauth/callback"]
    assert reply.endswith("and allow hostbot to act for you in Feishu (once), then ask again.")


# ---- the key -----------------------------------------------------------------------------------------
def test_feishu_without_a_usable_key_is_a_start_up_error(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "k.db")}
    del env["HOSTBOT_SECRET_KEY"]
    with pytest.raises(ConfigError, match="HOSTBOT_SECRET_KEY is not set, and Feishu is configured"):
        build(settings_from_mapping(env))
    with pytest.raises(ConfigError, match="HOSTBOT_SECRET_KEY is too short"):
        build(settings_from_mapping({**env, "HOSTBOT_SECRET_KEY": "short"}))


async def test_a_changed_key_refuses_to_start_and_a_fernet_key_is_a_passphrase(sandbox: Sandbox,
                                                                               tmp_path: Path) -> None:
    env = {**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "k.db"), "HOSTBOT_SECRET_KEY": Fernet.generate_key().decode()}
    bot = build(settings_from_mapping(env))
    await bot.services.store.save_user_token("feishu", "ou_x", "u-secret-token", "ur-refresh")
    await bot.aclose()
    again = build(settings_from_mapping(env))  # the same key opens what it sealed
    grant = await again.services.store.user_token("feishu", "ou_x")
    assert grant is not None and grant.token == "u-secret-token"
    await again.aclose()
    with pytest.raises(ConfigError, match="does not open the user tokens stored"):
        build(settings_from_mapping({**env, "HOSTBOT_SECRET_KEY": "a different passphrase, long enough"}))


def test_hostbot_run_says_what_is_missing(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no stray .env
    env = {k: v for k, v in sandbox.env().items() if k != "HOSTBOT_SECRET_KEY"} | {"SLACK_SIGNING_SECRET": "s" * 32}
    result = CliRunner(env={**env, "HOSTBOT_DB": str(tmp_path / "r.db"), "HOSTBOT_SECRET_KEY": ""}).invoke(
        main, ["run", "--host", "127.0.0.1"])
    assert result.exit_code == 2  # a settings error: exit 2, no traceback
    assert "HOSTBOT_SECRET_KEY is not set" in result.output


async def test_the_request_resumed_after_authorizing_stays_on_the_meeting_it_was_about(feishu: FeishuWorld) -> None:
    """“invite @dave to this meeting” in a chat linked to 123 456 789; before the person authorizes, the
    chat is linked to another meeting of theirs. The invite that resumes goes to the meeting the request
    was about and shown with, not to what the chat is linked to by then (issue 24: what runs is what was shown)."""
    store, feishu_fake = feishu.runtime.bot.services.store, feishu.sandbox.feishu
    you = feishu.user("you")
    shown = next(m for m in feishu_fake.meetings.values() if m.meeting_no == "123456789")
    other = feishu_fake.add_meeting(you, [feishu.user("alice")], topic="Another one", meeting_no="987654321")
    await store.set_link("feishu", "oc_sandbox_group", "feishu", shown.id, you.open_id)
    msg, _ = await feishu.ask("you", "@_user_1 invite @_user_2 to this meeting", BOT, feishu.user("dave"))
    text = await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "authorize"))
    assert "123 456 789" in text
    link = LINK.search(text)
    assert link, text
    await store.set_link("feishu", "oc_sandbox_group", "feishu", other.id, you.open_id)  # the world moves
    page = await _authorize(feishu, link.group(1), "you")
    assert page.status_code == 200
    done = await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "Invited"))
    assert done == "✅ Invited @dave to Feishu meeting 123 456 789; Feishu is calling them."
    [call] = feishu.sandbox.recorder.all("feishu.invite")
    assert shown.id in call.path and other.id not in call.path
