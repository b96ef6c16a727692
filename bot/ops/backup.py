"""`hostbot backup PATH`: a consistent copy of the live database, made while hostbot keeps running.

SQLite's online backup API (sqlite3.Connection.backup) copies the pages of one read snapshot;
in WAL mode the bot's writes go on meanwhile (a reader never blocks a writer). The copy is made in
one step on purpose: a stepped backup starts over whenever another connection writes, which a
busy bot could make it do forever. The pages go to a temporary file beside PATH (mode 0600: it
holds the sealed user tokens), which is switched to journal_mode=DELETE (one self-contained file,
no -wal beside it) and checked (PRAGMA integrity_check) before it is renamed to PATH — so PATH is
never a half-written file. Restoring is a file copy while hostbot is stopped (README).

With PostgreSQL (HOSTBOT_DB=postgresql://…) the command copies nothing: it explains pg_dump and
pg_restore, which snapshot the database consistently while the replicas run, and exits 1.
"""

from __future__ import annotations

import contextlib
import secrets
import shlex
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.config import ConfigError, load_settings
from bot.i18n import t
from bot.store import is_postgres_url


@dataclass(frozen=True)
class BackupResult:
    source: str
    dest: str
    tables: int
    rows: int


class BackupError(Exception):
    """The backup was not made; `key` and `values` are the message (bot/i18n/operate.py)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def backup(source: str, dest: str | Path, *, force: bool = False) -> BackupResult:
    """Copy the database at `source` to `dest` (a file, or a folder to put a dated file in)."""
    if is_postgres_url(source):
        from bot.store.postgres.conn import redact

        dump = Path(dest)
        if dump.is_dir():  # a folder, as for SQLite: pg_dump writes a file, so name one in it
            dump = dump / f"hostbot-{datetime.now(UTC):%Y%m%d-%H%M%S}.dump"
        raise BackupError("backup_postgres", where=redact(source), dest=shlex.quote(str(dump)))
    src_path = Path(source)
    if source == ":memory:" or not src_path.is_file():
        raise BackupError("backup_no_source", path=source)
    target = Path(dest)
    if target.is_dir():
        target = target / f"{src_path.stem}-{datetime.now(UTC):%Y%m%d-%H%M%S}.db"
    if target.exists() and not force:
        raise BackupError("backup_exists", dest=str(target))
    if not target.parent.is_dir():
        raise BackupError("backup_failed", error=f"no folder {target.parent}", dest=str(target))
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.touch(mode=0o600, exist_ok=False)  # before SQLite creates it with the umask's mode
        tables, rows = _copy(src_path, tmp)
        tmp.replace(target)
    except sqlite3.Error as err:
        raise BackupError("backup_failed", error=str(err), dest=str(target)) from None
    except OSError as err:
        raise BackupError("backup_failed", error=err.strerror or type(err).__name__, dest=str(target)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return BackupResult(str(src_path), str(target), tables, rows)


def _copy(src_path: Path, tmp: Path) -> tuple[int, int]:
    src = sqlite3.connect(str(src_path), timeout=30.0)  # the backup only reads it
    try:
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)  # pages=-1: everything from one snapshot (see the module docstring)
            dst.execute("PRAGMA journal_mode=DELETE")
            verdict = str(dst.execute("PRAGMA integrity_check").fetchone()[0])
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"integrity check of the copy: {verdict}")
            names = [str(r[0]) for r in dst.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            rows = sum(int(dst.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]) for name in names)
        finally:
            dst.close()
    finally:
        src.close()
    return len(names), rows


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace PATH if it exists")
def backup_command(path: Path, force: bool) -> None:
    """Copy the database (HOSTBOT_DB) to PATH while hostbot runs (SQLite online backup)."""
    try:
        settings = load_settings()
        result = backup(settings.db_path, path, force=force)
    except ConfigError as err:
        raise click.ClickException(str(err)) from None
    except BackupError as err:
        raise click.ClickException(t("en", err.key, **err.values)) from None
    click.echo(t("en", "backup_done", source=result.source, dest=result.dest, tables=result.tables,
                 rows=result.rows))
