"""`hostbot doctor` against the sandbox: all ✓ when everything is right, and for each thing that is
wrong a ✗ on the right row with the exact fix; the command exits 1 on any ✗."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from bot.app import build
from bot.cli import main
from bot.config import settings_from_mapping
from bot.ops.doctor.report import Check, run_checks
from bot.sandbox import Sandbox
from bot.store import migrations
from tests.support.slack import SIGNING_SECRET

Env = dict[str, str]


@pytest.fixture
def env(sandbox: Sandbox, tmp_path: Path) -> Iterator[Env]:
    """Settings pointing at the sandbox, with a database that hostbot already created and migrated."""
    values = {**sandbox.env(), "HOSTBOT_DB": str(tmp_path / "hostbot.db"), "SLACK_SIGNING_SECRET": SIGNING_SECRET,
              "HOSTBOT_PUBLIC_URL": "https://hostbot.example.com"}
    bot = build(settings_from_mapping(values))
    asyncio.run(bot.aclose())
    yield values


async def check(env: Env, lang: str = "en", **changes: str) -> list[Check]:
    return await run_checks(settings_from_mapping({**env, **changes}), lang, timeout=5.0)


def failed(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]


def row(checks: list[Check], area: str, what: str) -> Check:
    return next(c for c in checks if c.area == area and c.what == what)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_everything_configured_right_is_all_green(env: Env) -> None:
    checks = await check(env)
    assert failed(checks) == []
    assert [(c.area, c.what) for c in checks] == [
        ("settings", "settings from the environment and .env"),
        ("settings", "HOSTBOT_TZ is a time zone"),
        ("database", f"database {env['HOSTBOT_DB']} is writable"),
        ("database", "database schema is up to date"),
        ("database", "retention (HOSTBOT_RETENTION_DAYS, HOSTBOT_DELIVERY_RETENTION_HOURS)"),
        ("feishu", "HOSTBOT_SECRET_KEY for Feishu user tokens"),
        ("slack", "SLACK_BOT_TOKEN is valid (auth.test)"),
        ("slack", "granted scopes cover manifest.yaml"),
        ("slack", "Slack can deliver events"),
        ("feishu", "FEISHU_APP_ID / FEISHU_APP_SECRET give a tenant token"),
        ("feishu", "the app has an active bot (bot/v3/info)"),
        ("feishu", "Feishu can deliver events"),
        ("feishu", "HOSTBOT_PUBLIC_URL for invite's authorization link"),
        ("dingtalk", "DINGTALK_APP_KEY / DINGTALK_APP_SECRET give an access token"),
        ("webex", "WEBEX_TOKEN is accepted (people/me)"),
        ("zoom", "ZOOM_ACCOUNT_ID / ZOOM_CLIENT_ID / ZOOM_CLIENT_SECRET give a token"),
        ("zoom", "ZOOM_API_BASE accepts that token"),
    ]
    assert checks[0].result == "read; chat: slack, feishu; vendors: feishu, dingtalk, webex, zoom"
    assert row(checks, "slack", "SLACK_BOT_TOKEN is valid (auth.test)").result == "bot @hostbot in workspace Sandbox"
    assert row(checks, "slack", "granted scopes cover manifest.yaml").result == "all 11 granted"
    webex = row(checks, "webex", "WEBEX_TOKEN is accepted (people/me)")
    assert webex.result == "hostbot admin <webex-admin@example.com>"
    assert row(checks, "database", "database schema is up to date").result.endswith("migrations applied, none pending")


def test_the_command_prints_the_table_and_exits_0_or_1(env: Env, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    runner = CliRunner()
    ok = runner.invoke(main, ["doctor"], env=env)
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("hostbot doctor: 17 checks, 0 failed\n")
    assert ok.output.rstrip().endswith("Everything checked is ready.")
    assert ok.output.count("\n✓  ") == 17
    bad = runner.invoke(main, ["doctor", "--lang", "zh"], env={**env, "SLACK_BOT_TOKEN": "xoxb-revoked"})
    assert bad.exit_code == 1
    assert bad.output.startswith("hostbot doctor：共 16 项检查，1 项未通过\n")  # no scopes to read without a token
    assert "✗  slack     SLACK_BOT_TOKEN 有效（auth.test）" in bad.output
    assert "修复：从应用的 OAuth & Permissions 页面复制 Bot User OAuth Token（xoxb-…）到 SLACK_BOT_TOKEN" in bad.output
    broken = runner.invoke(main, ["doctor"], env={**env, "HOSTBOT_PORT": "http"})
    assert broken.exit_code == 1
    assert "✗  settings" in broken.output and "HOSTBOT_PORT must be a TCP port number, got 'http'" in broken.output
    assert "fix: correct that variable (.env.example describes each one)" in broken.output
    undo = runner.invoke(main, ["doctor"], env={**env, "HOSTBOT_UNDO_MIN": "0"})
    assert undo.exit_code == 1 and "HOSTBOT_UNDO_MIN must be a number of minutes (1 to 1440), got '0'" in undo.output
    for secret in (env["SLACK_BOT_TOKEN"], env["FEISHU_APP_SECRET"], env["WEBEX_TOKEN"], env["ZOOM_CLIENT_SECRET"]):
        assert secret not in ok.output + bad.output


async def test_a_bad_slack_token_says_where_to_copy_the_right_one(env: Env) -> None:
    checks = await check(env, SLACK_BOT_TOKEN="xoxb-1234-revoked")
    assert failed(checks) == [Check(
        "slack", "SLACK_BOT_TOKEN is valid (auth.test)", False, "Slack says invalid_auth",
        "copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page into SLACK_BOT_TOKEN "
        "(reinstalling the app issues a new one)")]


async def test_a_missing_scope_is_named_with_how_to_grant_it(env: Env, sandbox: Sandbox) -> None:
    from bot.adapters.slack.adapter import BOT_SCOPES

    sandbox.slack.set_scopes([s for s in BOT_SCOPES if s not in ("users:read.email", "im:history")])
    checks = await check(env)
    assert failed(checks) == [Check(
        "slack", "granted scopes cover manifest.yaml", False, "missing im:history, users:read.email",
        "add im:history, users:read.email under OAuth & Permissions → Scopes → Bot Token Scopes (or paste "
        "manifest.yaml again under App Manifest), then reinstall the app (Install App → Reinstall to Workspace)")]


async def test_a_bad_feishu_secret_says_where_to_copy_the_right_one(env: Env) -> None:
    checks = await check(env, FEISHU_APP_SECRET="not-the-secret")
    assert failed(checks) == [Check(
        "feishu", "FEISHU_APP_ID / FEISHU_APP_SECRET give a tenant token", False,
        "Feishu says 10014: app secret invalid",
        "copy the App Secret from Credentials & Basic Info into FEISHU_APP_SECRET (resetting it there makes the "
        "old one invalid)")]
    assert not any(c.what.startswith("the app has an active bot") for c in checks)  # no token: nothing more to ask


async def test_an_unreachable_vendor_names_the_variable_with_its_url(env: Env) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    checks = await check(env, WEBEX_API_BASE=url)
    assert failed(checks) == [Check(
        "webex", "WEBEX_TOKEN is accepted (people/me)", False, f"no answer from {url}: ConnectError",
        f"check WEBEX_API_BASE ({url}), DNS, the firewall and this machine's proxy (HTTPS_PROXY), then run "
        "hostbot doctor again")]


async def test_wrong_vendor_credentials_each_get_their_fix(env: Env) -> None:
    checks = await check(env, DINGTALK_APP_SECRET="nope", WEBEX_TOKEN="expired", ZOOM_CLIENT_SECRET="nope")
    assert [(c.area, c.result, c.fix.split(" ")[0:3]) for c in failed(checks)] == [
        ("dingtalk", "DingTalk says invalidClientIdOrSecret: 无效的appKey或appSecret", ["copy", "the", "Client"]),
        ("webex", "Webex says 401: The request requires a valid access token set in the Authorization request header.",
         ["put", "a", "current"]),
        ("zoom", "Zoom says invalid_client: Invalid client_id or client_secret", ["copy", "the", "Account"]),
    ]


async def test_the_feishu_long_connection_needs_a_public_url_for_invite(env: Env) -> None:
    checks = await check(env, FEISHU_MODE="ws", HOSTBOT_PUBLIC_URL="")
    events = row(checks, "feishu", "Feishu can deliver events")
    assert events.result == "long connection: the endpoint answers for this app"
    assert failed(checks) == [Check(
        "feishu", "HOSTBOT_PUBLIC_URL for invite's authorization link", False,
        "not set (hostbot never takes its address from a request's headers)",
        "set HOSTBOT_PUBLIC_URL to hostbot's public HTTPS address and add <that address>/feishu/oauth/callback under "
        "Security Settings → Redirect URLs")]
    assert failed(await check(env, FEISHU_MODE="ws", HOSTBOT_PUBLIC_URL="https://hostbot.example.com")) == []


async def test_the_secret_key_must_exist_and_open_the_stored_tokens(env: Env) -> None:
    missing = failed(await check(env, HOSTBOT_SECRET_KEY=""))
    assert [(c.area, c.result) for c in missing] == [("feishu", "not set")]
    assert missing[0].fix.startswith("set HOSTBOT_SECRET_KEY to a passphrase of at least 16 characters")
    bot = build(settings_from_mapping(env))  # a person authorized hostbot: a token sealed with the key
    await bot.services.store.save_user_token("feishu", "ou_someone", "u-token-of-someone")
    await bot.aclose()
    assert row(await check(env), "feishu", "HOSTBOT_SECRET_KEY for Feishu user tokens").result == \
        "set; opens the 1 stored user tokens"
    changed = failed(await check(env, HOSTBOT_SECRET_KEY="another passphrase, long enough"))
    assert [(c.result, c.fix) for c in changed] == [(
        f"does not open the user tokens stored in {env['HOSTBOT_DB']}",
        "put the previous key back, or delete the stored tokens (table user_tokens) so that people authorize "
        "hostbot again")]


async def test_a_database_behind_on_migrations_or_damaged_is_caught(env: Env, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    everything = [m.name for m in migrations.pending(sqlite_utils.Database(memory=True))]
    migrations.apply(sqlite_utils.Database(old), stop_before=everything[1])  # an older hostbot's database
    behind = failed(await check(env, HOSTBOT_DB=str(old)))
    assert [(c.what, c.result, c.fix) for c in behind] == [(
        "database schema is up to date", f"{len(everything) - 1} pending: {', '.join(everything[1:])}",
        "make a backup (hostbot backup PATH), then start hostbot once: migrations run at start")]

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database, just some bytes " * 200)
    damaged = failed(await check(env, HOSTBOT_DB=str(junk)))
    assert [(c.area, c.result.split(":")[0]) for c in damaged] == [("database", "not a hostbot database, or damaged")]
    assert damaged[0].fix.startswith("restore a backup")

    fresh = await check(env, HOSTBOT_DB=str(tmp_path / "new" / "h.db"))
    assert [(c.result, c.fix) for c in failed(fresh)] == [(
        f"folder {tmp_path / 'new'} does not exist",
        f"create {tmp_path / 'new'}, or point HOSTBOT_DB at a file in an existing folder")]


def test_nothing_configured_says_what_to_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    out = CliRunner().invoke(main, ["doctor"], env={"HOSTBOT_DB": str(tmp_path / "h.db"), "HOSTBOT_TZ": "Mars/Base"})
    assert out.exit_code == 1
    assert [re.sub(r"^✗  settings  settings from the environment and .env +", "", row)
            for row in out.output.splitlines() if row.startswith("✗")] == [
        "HOSTBOT_TZ must be an IANA time zone such as Europe/Berlin or "
        "Asia/Shanghai, got 'Mars/Base'",
        "no chat platform is configured, so nothing would reach hostbot: "
        "set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or FEISHU_APP_ID and FEISHU_APP_SECRET "
        "with FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN (or FEISHU_MODE=ws); see .env.example",
        "no meeting vendor is configured, so hostbot could change no "
        "meeting: set the credentials of Feishu, DingTalk, Webex or Zoom (see .env.example)",
    ]
    assert "HOSTBOT_TZ is a time zone" not in out.output  # the bad zone's row, not the default's
    checks = asyncio.run(run_checks(settings_from_mapping({"HOSTBOT_DB": str(tmp_path / "h.db")})))
    writable = next(c for c in checks if c.what.endswith("is writable"))
    assert writable.result == "not created yet; its folder is writable (created and migrated at start)"
