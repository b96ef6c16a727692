"""`hostbot sandbox`: the fake vendors and chat platforms on 127.0.0.1, seeded, and the variables that
point `hostbot run` (and `hostbot say`) at them — every one `hostbot run` needs, so copy-paste works."""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Callable
from pathlib import Path

from bot.config import settings_from_mapping
from bot.ops.demo import DEMO_ADMIN, PEOPLE, DemoWorld, banner, fresh_database, seed
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import demo_email
from bot.store import Store
from bot.store.vault import build_vault

SLACK_CHANNEL = "general"


def seed_chat(box: Sandbox) -> DemoWorld:
    """The demo world, and the same people in Slack (same emails, so hostbot finds their vendor accounts
    as it would in a real workspace) with one channel, #general, where they all are."""
    world = seed(box)
    users = [box.slack.add_user(name, email=demo_email(name)) for name in PEOPLE]
    box.slack.add_channel(SLACK_CHANNEL, users)
    return world


def seed_people(box: Sandbox, world: DemoWorld, env: dict[str, str]) -> None:
    """The database `hostbot run` will use, made afresh (the sandbox's ids are new each run) with what an
    admin would import: each person's Slack and Feishu chat ids mapped to their vendor accounts (DingTalk
    ids come only from a mapping), and `you`'s Feishu authorization (Feishu invite needs one)."""
    settings = settings_from_mapping(env)
    fresh_database(Path(settings.db_path))
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


def run_env(box: Sandbox, bot_port: int, db: Path) -> dict[str, str]:
    """Everything `hostbot run` needs against this sandbox (Slack HTTP mode and Feishu webhook mode)."""
    return {
        **box.env(),
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),  # `hostbot say` signs with it, as Slack would
        "HOSTBOT_PORT": str(bot_port),
        "HOSTBOT_PUBLIC_URL": f"http://127.0.0.1:{bot_port}",
        "HOSTBOT_DB": str(db.resolve()),
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
