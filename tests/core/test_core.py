"""Core rooms: settings, store (WAL, migrations, exactly-once), registry, i18n catalog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, settings_from_mapping
from bot.core.request.registry import DuplicateIntentError, Registry, intent
from bot.i18n import MESSAGES, placeholders, t
from bot.store import ClaimError, Store


def test_settings_from_env_and_dotenv(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("FEISHU_APP_ID=cli_file\nHOSTBOT_PORT=8080\nHOSTBOT_ADMINS=U1, bob@example.com\n")
    s = load_settings({"FEISHU_APP_ID": "cli_env", "FEISHU_APP_SECRET": "sec"}, dotenv_path=env_file)
    assert s.feishu_app_id == "cli_env"  # the real environment wins over .env
    assert s.port == 8080 and s.admins == ("U1", "bob@example.com")
    assert s.slack_api_url == "https://slack.com/api/" and s.zoom_oauth_url == "https://zoom.us/oauth/token"
    assert "sec" not in repr(s)


@pytest.mark.parametrize(("env", "word"), [({"HOSTBOT_PORT": "http"}, "HOSTBOT_PORT"),
                                           ({"FEISHU_MODE": "socket"}, "FEISHU_MODE")])
def test_bad_settings_say_which(env: dict[str, str], word: str) -> None:
    with pytest.raises(ConfigError, match=word):
        settings_from_mapping(env)


def test_store_is_wal_and_migrations_are_idempotent(tmp_path: Path) -> None:
    path = str(tmp_path / "h.db")
    Store(path).close()
    store = Store(path)  # second start: nothing to migrate, nothing fails
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"people", "links", "deliveries", "proposals", "audit"} <= set(store.db.table_names())
    assert store.first_delivery("slack", "Ev1") and not store.first_delivery("slack", "Ev1")
    assert store.first_delivery("feishu", "Ev1")


def test_proposal_expires_and_is_claimed_once(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 21, 12, 0, tzinfo=UTC)]
    store = Store(str(tmp_path / "h.db"), clock=lambda: now[0])
    pid = store.create_proposal(platform="console", requester="you", action="set_host", payload={})
    late = store.create_proposal(platform="console", requester="you", action="set_host", payload={})
    assert store.claim_proposal(pid, "you").id == pid
    with pytest.raises(ClaimError) as used:
        store.claim_proposal(pid, "you")
    assert used.value.why == "used"
    now[0] += timedelta(minutes=6)
    with pytest.raises(ClaimError) as expired:
        store.claim_proposal(late, "you")
    assert expired.value.why == "expired"
    with pytest.raises(ClaimError) as unknown:
        store.claim_proposal("nope", "you")
    assert unknown.value.why == "unknown"


def test_duplicate_intent_is_a_startup_error() -> None:
    @intent("set_host")
    async def one(ctx: object) -> list[object]:
        return []

    @intent("set_host")
    async def two(ctx: object) -> list[object]:
        return []

    with pytest.raises(DuplicateIntentError):
        Registry([one, two])  # type: ignore[list-item]


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, entry in MESSAGES.items():
        assert set(entry) == {"en", "zh"}, key
        assert placeholders(entry["en"]) == placeholders(entry["zh"]), key


def test_missing_placeholder_never_crashes() -> None:
    assert t("zh", "set_host_done", target="@a") == "✅ 已将 @a 设为?会议 ? 的主持人。"
    assert t("fr", "cancelled") == "Cancelled; nothing was changed."
