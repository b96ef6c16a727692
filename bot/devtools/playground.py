"""`hostbot sandbox`: the fake vendors and chat platforms on 127.0.0.1, seeded, and the variables that
point `hostbot run` (and `hostbot say`) at them — every one `hostbot run` needs, so copy-paste works."""

from __future__ import annotations

import secrets
import shlex
import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.config import settings_from_mapping
from bot.devtools.demo import DEMO_ADMIN, PEOPLE, DemoWorld, banner, fresh_database, seed
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import demo_email
from bot.store import Store, is_postgres_url
from bot.store.vault import build_vault

SLACK_CHANNEL = "general"


def seed_chat(box: Sandbox) -> DemoWorld:
    """The demo world, and the same people in Slack (same emails, so hostbot finds their vendor accounts
    as it would in a real workspace) with one channel, #general, where they all are."""
    world = seed(box)
    users = [box.slack.add_user(name, email=demo_email(name)) for name in PEOPLE]
    box.slack.add_channel(SLACK_CHANNEL, users)
    return world


# Every table of hostbot's schema: what a sandbox database made afresh on PostgreSQL is emptied of.
TABLES = ("people", "mappings", "links", "deliveries", "proposals", "audit", "user_tokens", "handovers", "replicas",
          "rate_budget", "rate_slots", "undos")
MARK = "hostbot_sandbox"  # a table only `hostbot sandbox` creates: the database is the sandbox's own


class NotOurs(Exception):
    """The database named for the sandbox holds something it did not make; it is left untouched."""


def claim_database(db: str) -> None:
    """Make `db` the sandbox's, afresh, or raise NotOurs: a symlink (it would replace what it points to),
    a file or a PostgreSQL database with data in it that the sandbox did not create."""
    if is_postgres_url(db):
        store = Store(db)
        try:
            marked = store._rows("SELECT to_regclass(?) AS t", [MARK])[0]["t"] is not None
            used = any(store._rows(f"SELECT 1 FROM {t} LIMIT 1") for t in TABLES)  # fixed names only
            if used and not marked:
                raise NotOurs(f"{db.split('@')[-1]} holds hostbot data the sandbox did not create")
            store._exec(f"TRUNCATE {', '.join(TABLES)}")
            store._exec(f"CREATE TABLE IF NOT EXISTS {MARK} (made_at text)")
        finally:
            store.close()
        return
    path = Path(db)
    if path.is_symlink():
        raise NotOurs(f"{db} is a symbolic link")
    if path.exists() and not _marked_sqlite(path):
        raise NotOurs(f"{db} exists and the sandbox did not create it")
    fresh_database(path)
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"CREATE TABLE {MARK} (made_at text)")
        conn.commit()
    finally:
        conn.close()


def _marked_sqlite(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [MARK]).fetchone() is not None
    except sqlite3.DatabaseError:  # not a database at all: certainly not ours
        return False
    finally:
        conn.close()


def seed_people(box: Sandbox, world: DemoWorld, env: dict[str, str]) -> None:
    """The database `hostbot run` will use (made afresh by claim_database: the sandbox's ids are new each
    run) with what an admin would import: each person's Slack and Feishu chat ids mapped to their vendor
    accounts (DingTalk ids come only from a mapping), and `you`'s Feishu authorization (Feishu invite needs one)."""
    settings = settings_from_mapping(env)
    store = Store(settings.db_path, vault=build_vault(settings))
    try:
        slack = {u.name: u.id for u in box.slack.users.values()}
        for name, user in world.users.items():
            ids = {"name": name, "email": user.email, "feishu_open_id": user.open_id,
                   "feishu_union_id": user.union_id, "dingtalk_union_id": world.vendors.dingtalk_users[name].union_id,
                   "webex_email": user.email, "zoom_email": user.email}
            store.upsert_person("slack", slack[name], **ids)
            store.upsert_person("feishu", user.open_id, **ids)
        you = world.users["you"].open_id
        store.save_user_token("feishu", you, box.feishu.issue_user_token(you))
    finally:
        store.close()


def run_env(box: Sandbox, bot_port: int, db: str) -> dict[str, str]:
    """Everything `hostbot run` needs against this sandbox (Slack HTTP mode and Feishu webhook mode)."""
    return {
        **box.env(),
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),  # `hostbot say` signs with it, as Slack would
        "HOSTBOT_PORT": str(bot_port),
        "HOSTBOT_PUBLIC_URL": f"http://127.0.0.1:{bot_port}",
        "HOSTBOT_DB": db if is_postgres_url(db) else str(Path(db).absolute()),
        "HOSTBOT_ADMINS": demo_email(DEMO_ADMIN),
    }


def print_sandbox(box: Sandbox, world: DemoWorld, env: dict[str, str], echo: Callable[[str], None]) -> None:
    echo(f"# hostbot sandbox on {box.url}. In another terminal, with these variables: hostbot run")
    echo('# and in a third: hostbot say --as you "make @alice host of meeting 123456789"')
    for key, value in env.items():
        echo(f"export {key}={shlex.quote(value)}")
    echo("# The seeded world (the same as `hostbot demo`'s):")
    for line in banner(world).splitlines()[1:]:
        if "!" not in line and "authorized" not in line:  # the demo console's own controls and set-up
            echo(f"#   {line}")
    echo(f"# People (Slack users in #{SLACK_CHANNEL}, Feishu users, vendor accounts): {', '.join(PEOPLE)}; "
         f"{DEMO_ADMIN} is a hostbot admin")
    echo("# Feishu open_ids: " + ", ".join(f"{n}={u.open_id}" for n, u in world.users.items()))
