"""The `hostbot` command: demo, parse, sandbox (and more as the bot grows)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from bot import __version__
from bot.core.logs import configure as configure_logs


@click.group()
@click.version_option(__version__, prog_name="hostbot")
def main() -> None:
    """hostbot: change who hosts a video meeting, from chat."""
    if not logging.getLogger().handlers:  # as basicConfig: an embedding program's (or pytest's) logging stays
        configure_logs("plain", logging.WARNING)  # `run` switches to HOSTBOT_LOG_FORMAT / HOSTBOT_LOG_LEVEL


@main.command()
def demo() -> None:
    """Run the bot in this console against the built-in sandbox (no accounts needed)."""
    from bot.ops.demo import run_demo

    sys.exit(asyncio.run(run_demo()))


def _now_option(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO-8601 time, e.g. 2026-11-23T09:00:00+08:00") from None


def _tz_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if not value:
        return None
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        raise click.BadParameter(f"{value!r} is not an IANA time zone, e.g. Asia/Shanghai") from None
    return value


def _known_names(given: tuple[str, ...]) -> list[str]:
    """--known names, else the people in the store (HOSTBOT_DB, read only), else the demo's people."""
    if given:
        return [n.strip().lstrip("@") for item in given for n in item.split(",") if n.strip()]
    import os
    import sqlite3

    path = os.environ.get("HOSTBOT_DB", "hostbot.db")
    if "://" not in path and os.path.exists(path):
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                rows = db.execute("SELECT chat_user, name FROM people").fetchall()
            return [str(v) for row in rows for v in row if v]
        except sqlite3.Error:
            pass
    from bot.ops.demo import PEOPLE

    return list(PEOPLE)


@main.command()
@click.argument("text", nargs=-1)
@click.option("--platform", type=click.Choice(["console", "slack", "feishu"]), default="console")
@click.option("--now", "now", default=None, callback=_now_option, help="ISO-8601 instant that 'now' means")
@click.option("--tz", default=None, callback=_tz_option, help="IANA time zone of the speaker (default UTC)")
@click.option("--known", multiple=True, help="a name hostbot knows (repeat, or comma-separated); default: "
              "the people in HOSTBOT_DB, else the demo's")
def parse(text: tuple[str, ...], platform: str, now: datetime | None, tz: str | None, known: tuple[str, ...]) -> None:
    """Print what TEXT means to hostbot, as one JSON object.

    The keys of the contract (intent, targets, from_user, meeting, at, lang) come first; then
    `extra` (handover_id, in_seconds, time_text, time_problem, all, scope, ...) and, for the
    intents that have them, `suggestion` (did_you_mean), `parts` (compound), `why` (nothing).
    A bad --now or --tz is an error (exit 2)."""
    from bot.adapters.markup import console_inbound, feishu_inbound, slack_inbound
    from bot.intents import parse as parse_text

    # The platform's markup is the adapter's to read, as when the bot runs; Feishu's @_user_N need the
    # event's mentions list, which a command line has not, so they stay names hostbot does not know.
    raw = " ".join(text)
    neutral = {"slack": slack_inbound, "feishu": lambda t: feishu_inbound(t, ())}.get(platform, console_inbound)(raw)
    intent = parse_text(neutral, now=now, tz=tz or "UTC", known_names=_known_names(known))
    click.echo(json.dumps(intent.to_payload(), ensure_ascii=False))


@main.command()
@click.option("--port", default=0, type=int, help="TCP port on 127.0.0.1 (0 = any free port)")
def sandbox(port: int) -> None:
    """Run the fake vendors alone on 127.0.0.1, seeded with the demo world."""
    import time

    from bot.ops.demo import banner, seed
    from bot.sandbox import Sandbox

    box = Sandbox().start(port=port)
    world = seed(box)
    click.echo(f"# hostbot sandbox on {box.url} — point a bot at it with:")
    for key, value in box.env().items():
        click.echo(f"export {key}={value}")
    click.echo("# The seeded world (the same as `hostbot demo`'s):")
    for line in banner(world).splitlines()[1:]:
        click.echo(f"#   {line}")
    click.echo("# Feishu open_ids: " + ", ".join(f"{n}={u.open_id}" for n, u in world.users.items()))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        box.stop()


from bot.ops.audit import audit  # noqa: E402
from bot.ops.backup import backup_command  # noqa: E402 - subcommands live in their own modules
from bot.ops.doctor import doctor  # noqa: E402
from bot.ops.users import users  # noqa: E402

main.add_command(audit)
main.add_command(users)
main.add_command(backup_command)
main.add_command(doctor)


@main.command()
@click.option("--host", default="0.0.0.0", help="interface to listen on (HOSTBOT_PORT sets the port)")
def run(host: str) -> None:
    """Run the real bot: HTTP endpoints for Slack and Feishu, Socket Mode when configured."""
    from bot.config import ConfigError, load_settings
    from bot.ops.server import run as run_server

    try:
        settings = load_settings()
        configure_logs(settings.log_format, settings.log_level)
        run_server(settings, host)
    except ConfigError as err:  # every bad setting at once; also from building (e.g. HOSTBOT_SECRET_KEY)
        click.echo(f"hostbot: {err}", err=True)
        sys.exit(2)  # a usage error, as click's own: no traceback
