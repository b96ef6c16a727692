"""The `hostbot` command: demo, parse, sandbox (and more as the bot grows)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import sys
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

import click

from bot import __version__
from bot.telemetry.logs import configure as configure_logs


class LazyGroup(click.Group):
    """Subcommands that live in their own modules, imported only when named (or listed by --help): `hostbot
    run` does not pay for the doctor, the audit reader or the store's tables before it serves."""

    LAZY: ClassVar[dict[str, str]] = {"audit": "bot.ops.audit:audit", "users": "bot.ops.users:users",
            "backup": "bot.ops.backup:backup_command", "doctor": "bot.ops.doctor.report:doctor"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, name = self.LAZY[cmd_name].split(":")
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="hostbot")
def main() -> None:
    """hostbot: change who hosts a video meeting, from chat."""
    if not logging.getLogger().handlers:  # as basicConfig: an embedding program's (or pytest's) logging stays
        configure_logs("plain", logging.WARNING)  # `run` switches to HOSTBOT_LOG_FORMAT / HOSTBOT_LOG_LEVEL


@main.command()
def demo() -> None:
    """Run the bot in this console against the built-in sandbox (no accounts needed); its database,
    ./hostbot-demo.db, is made afresh and kept afterwards for `hostbot audit` and `hostbot users list`."""
    from pathlib import Path

    from bot.devtools.demo import run_demo

    sys.exit(asyncio.run(run_demo(db=Path("hostbot-demo.db"))))


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
    from bot.devtools.demo import PEOPLE

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
    `extra` (handover_id, in_seconds, time_text, time_problem, meeting_problem, all, scope, ...) and, for the
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
@click.option("--bot-port", default=3000, type=int, show_default=True,
              help="the port `hostbot run` will listen on (printed as HOSTBOT_PORT)")
@click.option("--db", default="hostbot-sandbox.db", show_default=True, help="the database `hostbot run` "
              "will use (printed as HOSTBOT_DB): a SQLite file or a postgresql:// URL, made afresh, with the "
              "sandbox's people mapped (one the sandbox did not create is refused)")
def sandbox(port: int, bot_port: int, db: str) -> None:
    """Run the fake vendors, Slack and Feishu alone on 127.0.0.1, seeded with the demo world, and print
    the variables for `hostbot run` and `hostbot say`."""
    import time

    from bot.config import ConfigError
    from bot.devtools.playground import NotOurs, claim_database, print_sandbox, run_env, seed_chat, seed_people
    from bot.sandbox import Sandbox
    from bot.sandbox.feishu.push import EventPusher

    try:  # made afresh: never somebody's real database, nor what a symlink points to
        claim_database(db)
    except ConfigError as err:  # a PostgreSQL that cannot be reached: one line, no traceback
        raise click.BadParameter(str(err), param_hint="--db") from None
    except NotOurs as err:
        raise click.BadParameter(f"{err}; the sandbox's database is made afresh, so name a new file (or an empty "
                                 "PostgreSQL database)", param_hint="--db") from None
    box = Sandbox().start(port=port)
    world = seed_chat(box)
    env = run_env(box, bot_port, db)
    seed_people(box, world, env)
    # Feishu's tenant meeting events (a meeting started, ended) go to the bot's webhook once it listens.
    EventPusher(box.feishu_events, f"http://127.0.0.1:{bot_port}/feishu/events").start()
    print_sandbox(box, world, env, lambda line: click.echo(line))
    sys.stdout.flush()  # `hostbot sandbox | tee sandbox.env` gets the variables now, not at exit
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        box.stop()


@main.command()
@click.argument("text", nargs=-1, required=False)
@click.option("--as", "who", default="you", show_default=True,
              help="the person who speaks (a sandbox user); with --press and no TEXT, `host` is the person the "
                   "latest request with buttons asks")
@click.option("--platform", type=click.Choice(["slack", "feishu"]), default="slack", show_default=True)
@click.option("--channel", default="general", show_default=True, help="Slack channel (name or id)")
@click.option("--p2p", is_flag=True, help="Feishu: a direct message to hostbot instead of a group @mention")
@click.option("--press", multiple=True, type=int,
              help="press button N of the reply (repeat for the next reply); without TEXT, of the latest message "
                   "with buttons, as --as")
@click.option("--timeout", default=20.0, show_default=True, help="seconds to wait for a reply")
def say(text: tuple[str, ...], who: str, platform: str, channel: str, p2p: bool, press: tuple[int, ...],
        timeout: float) -> None:
    """Say TEXT to a running `hostbot run` as a Slack or Feishu user of `hostbot sandbox`; print the replies.

    Reads the variables `hostbot sandbox` printed (HOSTBOT_PORT, SLACK_SIGNING_SECRET, FEISHU_ENCRYPT_KEY,
    FEISHU_DOMAIN / SLACK_API_URL). Text starting with /host is sent as the slash command."""
    import os

    from bot.devtools.say import SayError, run_say

    try:
        sys.exit(run_say(os.environ, who, " ".join(text), platform, channel, "p2p" if p2p else "group",
                         list(press), sys.stdin.isatty(), timeout))
    except SayError as err:
        click.echo(f"hostbot say: {err}", err=True)
        sys.exit(2)




@main.command()
@click.option("--host", default="0.0.0.0", help="interface to listen on (HOSTBOT_PORT sets the port)")
def run(host: str) -> None:
    """Run the real bot: HTTP endpoints for Slack and Feishu, Socket Mode when configured."""
    from bot.ops import heap

    heap.pause()  # no garbage collection until the server listens (bot/ops/heap.py)
    from bot.config import ConfigError, startup_settings
    from bot.ops.server import run as run_server

    try:
        settings = startup_settings()  # the validation `hostbot doctor` shows: whatever it marks ✗ stops here
        configure_logs(settings.log_format, settings.log_level)
        run_server(settings, host)
    except ConfigError as err:  # every bad setting at once; also from building (e.g. HOSTBOT_SECRET_KEY)
        click.echo(f"hostbot: {err}", err=True)
        sys.exit(2)  # a usage error, as click's own: no traceback
