"""`hostbot sandbox`: the fake vendors and chat platforms on 127.0.0.1, seeded, and the variables that
point `hostbot run` (and `hostbot say`) at them — every one `hostbot run` needs, so copy-paste works."""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Callable
from pathlib import Path

from bot.ops.demo import DEMO_ADMIN, PEOPLE, DemoWorld, banner, seed
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import demo_email

SLACK_CHANNEL = "general"


def seed_chat(box: Sandbox) -> DemoWorld:
    """The demo world, and the same people in Slack (same emails, so hostbot finds their vendor accounts
    as it would in a real workspace) with one channel, #general, where they all are."""
    world = seed(box)
    users = [box.slack.add_user(name, email=demo_email(name)) for name in PEOPLE]
    box.slack.add_channel(SLACK_CHANNEL, users)
    return world


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
