"""Operations on PostgreSQL: `hostbot doctor` checks the connection and schema version; `hostbot backup`
explains pg_dump instead of copying; nothing prints the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import settings_from_mapping
from bot.ops.backup import BackupError, backup
from bot.ops.doctor.report import check_database, sayer
from bot.store import Store
from bot.store.postgres.schema import MIGRATIONS
from tests.support.pg import free_port


def test_doctor_checks_the_connection_and_the_schema_version(pg_url: str) -> None:
    say = sayer("en")
    before = check_database(settings_from_mapping({"HOSTBOT_DB": pg_url}), say)
    assert before[0].ok and "PostgreSQL 1" in before[0].result
    assert before[1].ok and "first replica to start creates the schema" in before[1].result
    Store(pg_url).close()
    after = check_database(settings_from_mapping({"HOSTBOT_DB": pg_url}), say)
    assert [c.ok for c in after] == [True, True]
    assert after[1].result == f"{len(MIGRATIONS)} migrations applied, none pending"


def test_doctor_says_why_it_cannot_connect_without_the_password() -> None:
    url = f"postgresql://bot:s3cret@127.0.0.1:{free_port()}/hostbot"
    checks = check_database(settings_from_mapping({"HOSTBOT_DB": url}), sayer("en"))
    assert len(checks) == 1 and not checks[0].ok
    assert "postgresql://bot@127.0.0.1" in checks[0].what and "HOSTBOT_DB" in checks[0].fix
    assert "s3cret" not in f"{checks[0].what} {checks[0].result} {checks[0].fix}"


def test_backup_explains_pg_dump(tmp_path: Path) -> None:
    with pytest.raises(BackupError) as err:
        backup("postgresql://bot:s3cret@db.internal/hostbot", tmp_path / "hostbot.dump")
    assert err.value.key == "backup_postgres"
    assert err.value.values["where"] == "postgresql://bot@db.internal/hostbot"
    assert not (tmp_path / "hostbot.dump").exists()
    from bot.i18n import t

    text = t("en", err.value.key, **err.value.values)
    assert "pg_dump --format=custom" in text and "pg_restore" in text and "s3cret" not in text
