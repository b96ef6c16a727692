"""What the store tests share: each runs on both backends (`where`: a SQLite file, or the session's PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hostbot.db")
    return str(request.getfixturevalue("pg_url"))
