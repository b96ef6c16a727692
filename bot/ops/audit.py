"""`hostbot audit`: read the audit trail (requests, decisions, vendor outcomes) from the store."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from bot.config import load_settings
from bot.ops.tables import format_rows
from bot.store import Store

COLUMNS = ("at", "platform", "chat_user", "name", "intent", "event", "vendor", "meeting", "vendor_ids", "outcome",
           "vendor_code", "latency_ms", "detail")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.I)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """'90m', '2h', '7d', '1w' back from now, or an ISO date/datetime (UTC unless it says otherwise)."""
    match = _DURATION.match(text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r}: use a duration like 2h / 30m / 7d, or a date like 2026-11-20") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def format_audit(rows: list[dict[str, Any]], fmt: str) -> str:
    return format_rows(rows, COLUMNS, fmt)


@click.command()
@click.option("--since", default=None, help="a duration back from now (2h, 30m, 7d) or a date (2026-11-20)")
@click.option("--user", default=None, help="only rows of this person: a chat user id or a name (`users list`)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def audit(since: str | None, user: str | None, fmt: str) -> None:
    """Show the audit trail: who asked what, what was decided, what the vendor answered."""
    settings = load_settings()
    store = Store(settings.db_path)
    try:
        start = parse_since(since, store.now()) if since else None
        names = {(str(p["platform"]), str(p["chat_user"])): str(p.get("name") or "") for p in store.all_people()}
        rows = store.audit_rows(since=start)
    finally:
        store.close()
    rows = [{**r, "name": names.get((str(r["platform"]), str(r["chat_user"])), "")} for r in rows]
    if user:  # an id, or a name as people know it (case and a leading @ do not matter)
        wanted = user.strip().removeprefix("@").casefold()
        rows = [r for r in rows if wanted in (str(r["chat_user"]).casefold(), r["name"].casefold())]
    if not rows and fmt == "table":
        click.echo("no audit rows match")
        return
    click.echo(format_audit(rows, fmt))
