"""`hostbot doctor`: check what can be checked before going live, and say exactly how to fix the rest.

For the settings, the database and every configured platform and vendor it prints one table row
per check (✓ or ✗, what was checked, what was found) and, under each ✗, the fix. It exits 1 when
anything failed, so it can gate a deployment. The remote checks live in bot/ops/doctor/remote.py.

Nothing is changed: the database is opened without migrating it (writability is probed with a
write inside a transaction that is rolled back) and vendors are asked only for a token or who the
credentials belong to. No secret is printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import httpx
import sqlite_utils

from bot.config import Settings, check_environment
from bot.ops.doctor.checks import Check, Say, sayer
from bot.store import is_postgres_url, migrations
from bot.store.retention import RetentionPolicy, oldest
from bot.store.vault import MIN_KEY_CHARS, SecretVault, VaultError

DEFAULT_TIMEOUT = 10.0



# ---- settings ---------------------------------------------------------------------------------
def chat_platforms(s: Settings) -> list[str]:
    return [name for name, on in (("slack", bool(s.slack_bot_token)), ("feishu", s.feishu_configured)) if on]


def meeting_vendors(s: Settings) -> list[str]:
    configured = {
        "feishu": s.feishu_configured,
        "dingtalk": bool(s.dingtalk_app_key and s.dingtalk_app_secret),
        "webex": bool(s.webex_token),
        "zoom": bool(s.zoom_account_id and s.zoom_client_id and s.zoom_client_secret),
    }
    return [name for name, on in configured.items() if on]


def check_settings(s: Settings, say: Say) -> list[Check]:
    """The settings as read, and the time zone. What is wrong with them (a bad value, a platform half
    configured, nothing to serve) comes from bot/config.py, the validation `hostbot run` stops on."""
    chat, vendors = chat_platforms(s), meeting_vendors(s)
    none = say("doctor_none")
    return [Check("settings", say("doctor_what_settings"), True,
                  say("doctor_settings_ok", chat=", ".join(chat) or none, vendors=", ".join(vendors) or none)),
            Check("settings", say("doctor_what_tz"), True, s.tz)]


# ---- database ---------------------------------------------------------------------------------
def check_database(s: Settings, say: Say) -> list[Check]:
    if is_postgres_url(s.db_path):
        return check_postgres(s, say)
    path = Path(s.db_path)
    what = say("doctor_what_db_write", path=s.db_path)
    if s.db_path == ":memory:":
        return []
    folder = path.parent
    if not folder.is_dir():
        return [Check("database", what, False, say("doctor_db_no_folder", folder=str(folder)),
                      say("doctor_fix_db_folder", folder=str(folder)))]
    if not path.exists():
        if os.access(folder, os.W_OK | os.X_OK):
            return [Check("database", what, True, say("doctor_db_new"))]
        return [Check("database", what, False, say("doctor_db_not_writable", error=f"{folder}: permission denied"),
                      say("doctor_fix_db_write", path=s.db_path))]
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=5.0, isolation_level=None)
    except sqlite3.Error as err:
        return [Check("database", what, False, say("doctor_db_not_writable", error=str(err)),
                      say("doctor_fix_db_write", path=s.db_path))]
    try:
        return _probe(conn, s, say, what)
    finally:
        conn.close()


def _probe(conn: sqlite3.Connection, s: Settings, say: Say, what: str) -> list[Check]:
    try:
        journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE _hostbot_doctor_probe (x)")
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err) or "malformed" in str(err):
            return [Check("database", what, False, say("doctor_db_unreadable", error=str(err)),
                          say("doctor_fix_db_unreadable"))]
        return [Check("database", what, False, say("doctor_db_not_writable", error=str(err)),
                      say("doctor_fix_db_write", path=s.db_path))]
    checks = [Check("database", what, True, say("doctor_db_writable", version=sqlite3.sqlite_version,
                                                  journal=journal))]
    db = sqlite_utils.Database(conn)
    known = [m.name for m in migrations.pending(sqlite_utils.Database(memory=True))]
    return [*checks, schema_check(known, [m.name for m in migrations.applied(db)], say)]


def check_postgres(s: Settings, say: Say) -> list[Check]:
    """Connect, probe a write (a temporary table, rolled back), compare the migrations applied."""
    import psycopg

    from bot.store.postgres import schema as pg_schema
    from bot.store.postgres.conn import redact

    what = say("doctor_what_db_pg", where=redact(s.db_path))
    try:
        with psycopg.connect(s.db_path, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            conn.execute("CREATE TEMP TABLE _hostbot_doctor_probe (x int)")
            conn.rollback()
            applied = pg_schema.applied(conn)
    except psycopg.Error as err:
        error = (str(err).strip().splitlines() or [type(err).__name__])[0]
        return [Check("database", what, False, say("doctor_db_pg_failed", error=error), say("doctor_fix_db_pg"))]
    checks = [Check("database", what, True, say("doctor_db_pg_ok", version=str(row[0]) if row else "?"))]
    if not applied:  # an empty database: the first replica to start creates the schema
        return [*checks, Check("database", say("doctor_what_db_migrated"), True, say("doctor_db_pg_empty"))]
    return [*checks, schema_check([name for name, _ in pg_schema.MIGRATIONS], applied, say)]


def schema_check(known: list[str], applied: list[str], say: Say) -> Check:
    """The schema version: the migrations this hostbot knows against those the database has."""
    pending = [name for name in known if name not in applied]
    unknown = [name for name in applied if name not in known]
    what = say("doctor_what_db_migrated")
    if unknown:
        return Check("database", what, False, say("doctor_db_newer", names=", ".join(unknown)),
                     say("doctor_fix_db_newer"))
    if pending:
        return Check("database", what, False, say("doctor_db_pending", count=len(pending), names=", ".join(pending)),
                     say("doctor_fix_db_pending"))
    return Check("database", what, True, say("doctor_db_migrated", count=len(applied)))


# ---- retention ----------------------------------------------------------------------------------
def check_retention(s: Settings, say: Say, now: datetime | None = None) -> list[Check]:
    """The windows, and whether rows older than them linger (then pruning is not running)."""
    policy = RetentionPolicy(s.retention_days, s.delivery_retention_hours)
    audit = say("doctor_retention_days", days=s.retention_days) if s.retention_days else \
        say("doctor_retention_forever")
    what = say("doctor_what_retention")
    found: dict[str, str] = {}
    if is_postgres_url(s.db_path):
        found = _oldest_pg(s.db_path)
    elif s.db_path != ":memory:" and Path(s.db_path).is_file():
        with contextlib.suppress(sqlite3.Error):
            conn = sqlite3.connect(f"{Path(s.db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
            try:
                found = oldest(conn)
            finally:
                conn.close()
    grace = timedelta(days=1)  # pruning runs hourly: a row a day past its window means it does not run
    for table, cutoff in policy.cutoffs((now or datetime.now(UTC)) - grace).items():
        if cutoff is not None and found.get(table) and found[table] < cutoff:
            return [Check("database", what, False, say("doctor_retention_behind", table=table, oldest=found[table]),
                          say("doctor_fix_retention"))]
    return [Check("database", what, True, say("doctor_retention_ok", audit=audit, hours=s.delivery_retention_hours,
                                              oldest=found.get("audit") or say("doctor_retention_none")))]


def _oldest_pg(url: str) -> dict[str, str]:
    """The oldest rows on PostgreSQL ({} when it cannot be read: the database check says why)."""
    import psycopg

    from bot.store.retention import oldest_in_store

    class _Rows:  # oldest_in_store's one need: _rows(sql) -> dicts
        def __init__(self, conn: psycopg.Connection) -> None:
            self.conn = conn

        def _rows(self, sql: str) -> list[dict[str, object]]:
            cur = self.conn.execute(sql)  # fixed SQL from retention.py
            names = [d.name for d in cur.description or []]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return oldest_in_store(_Rows(conn))
    except psycopg.Error:
        return {}


# ---- the key of the token vault -------------------------------------------------------------------
def check_secret_key(s: Settings, say: Say) -> list[Check]:
    """Feishu invite stores people's user tokens, sealed with a key derived from HOSTBOT_SECRET_KEY."""
    if not s.feishu_configured:
        return []
    what = say("doctor_what_secret")
    if not s.secret_key:
        return [Check("feishu", what, False, say("doctor_secret_missing"), say("doctor_fix_secret"))]
    if len(s.secret_key) < MIN_KEY_CHARS:
        return [Check("feishu", what, False, say("doctor_secret_short", length=len(s.secret_key)),
                      say("doctor_fix_secret"))]
    sealed, count = _stored_token(s.db_path)
    if not sealed:
        return [Check("feishu", what, True, say("doctor_secret_ok_empty"))]
    try:
        SecretVault(s.secret_key).open(sealed)
    except VaultError:
        where = s.db_path
        if is_postgres_url(where):
            from bot.store.postgres.conn import redact

            where = redact(where)
        return [Check("feishu", what, False, say("doctor_secret_wrong", path=where),
                      say("doctor_fix_secret_wrong"))]
    return [Check("feishu", what, True, say("doctor_secret_ok", count=count))]


def _stored_token(db_path: str) -> tuple[str, int]:
    """One sealed user token from the database (and how many there are); ('', 0) when none."""
    if is_postgres_url(db_path):
        return _stored_token_pg(db_path)
    if db_path == ":memory:" or not Path(db_path).is_file():
        return "", 0
    try:
        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return "", 0
    try:
        count = int(conn.execute("SELECT COUNT(*) FROM user_tokens").fetchone()[0])
        row = conn.execute("SELECT token_enc FROM user_tokens LIMIT 1").fetchone()
        return (str(row[0]) if row else ""), count
    except sqlite3.Error:  # no table yet (not migrated): nothing stored
        return "", 0
    finally:
        conn.close()


def _stored_token_pg(url: str) -> tuple[str, int]:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            count = conn.execute("SELECT COUNT(*) FROM user_tokens").fetchone()
            row = conn.execute("SELECT token_enc FROM user_tokens LIMIT 1").fetchone()
    except psycopg.Error:  # unreachable (the database check says so) or not migrated: nothing stored
        return "", 0
    return (str(row[0]) if row else ""), int(count[0]) if count else 0


# ---- all of it ----------------------------------------------------------------------------------
async def run_checks(s: Settings, lang: str = "en", *, timeout: float = DEFAULT_TIMEOUT,
                     transport: httpx.AsyncBaseTransport | None = None) -> list[Check]:
    """Every check for these settings, local ones first, then each platform and vendor (concurrently)."""
    from bot.ops.doctor.admins import admin_group_checks
    from bot.ops.doctor.remote import remote_checks

    say = sayer(lang)
    checks = [*check_settings(s, say), *check_database(s, say), *check_retention(s, say), *check_secret_key(s, say)]
    async with httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=False) as client:
        groups = await asyncio.gather(*remote_checks(s, client, say), admin_group_checks(s, say))
    return checks + [check for group in groups for check in group]


def width(text: str) -> int:
    """Columns the text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def render(checks: list[Check], lang: str = "en") -> str:
    say = sayer(lang)
    failed = sum(1 for c in checks if not c.ok)
    head = ("", say("doctor_col_area"), say("doctor_col_check"), say("doctor_col_result"))
    rows = [("✓" if c.ok else "✗", c.area, c.what, c.result) for c in checks]
    area_w = max(width(r[1]) for r in [head, *rows])
    what_w = max(width(r[2]) for r in [head, *rows])
    lines = [say("doctor_head", checks=len(checks), failed=failed), ""]
    lines.append(f"{pad(head[0], 1)}  {pad(head[1], area_w)}  {pad(head[2], what_w)}  {head[3]}".rstrip())
    indent = " " * (1 + 2 + area_w + 2)
    for check, row in zip(checks, rows, strict=True):
        lines.append(f"{row[0]}  {pad(row[1], area_w)}  {pad(row[2], what_w)}  {row[3]}".rstrip())
        if not check.ok and check.fix:
            lines.append(indent + "→ " + say("doctor_fix", fix=check.fix))
    if not failed:
        lines += ["", say("doctor_all_ok")]
    return "\n".join(lines)


@click.command()
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", help="language of the table")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
              help="seconds to wait for each platform or vendor")
def doctor(lang: str, timeout: float) -> None:
    """Check the settings, the database and every configured platform and vendor; exit 1 on any ✗."""
    say = sayer(lang)
    settings, problems = check_environment()
    # Each bad setting is its own row; the rest is checked with those at their defaults.
    bad = [Check("settings", say("doctor_what_settings"), False, p, say("doctor_fix_settings")) for p in problems]
    checks = asyncio.run(run_checks(settings, lang, timeout=timeout))
    if bad:  # the first row would say the settings read fine; a bad zone's row would show the default
        tz_bad = any(p.startswith("HOSTBOT_TZ") for p in problems)
        checks = [*bad, *(c for c in checks[1:] if not (tz_bad and c.what == say("doctor_what_tz")))]
    click.echo(render(checks, lang))
    sys.exit(0 if all(c.ok for c in checks) else 1)
