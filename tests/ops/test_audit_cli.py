"""`hostbot audit`: every path leaves rows, and the command filters and formats them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import click
import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.ops.audit import parse_since
from tests.conftest import World


async def _some_history(world: World) -> None:
    world.console.user = "bob"
    await world.say("make me host of meeting 123456789")  # request + approval_requested
    world.console.user = "you"
    await world.say("1")  # decision approve, confirmed, outcome ok


async def test_audit_table_json_csv_and_filters(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    await _some_history(world)
    monkeypatch.setenv("HOSTBOT_DB", world.bot.services.store.path)
    runner = CliRunner()

    table = await _invoke(runner, ["audit"])
    assert table.exit_code == 0, table.output
    header = table.output.splitlines()[0].split()
    assert header[:6] == ["at", "platform", "chat_user", "name", "intent", "event"]
    assert "approval_requested" in table.output and "feishu" in table.output

    rows = json.loads((await _invoke(runner, ["audit", "--format", "json"])).output)
    events = [(r["chat_user"], r["event"], r["outcome"]) for r in rows]
    assert ("bob", "request", "") in events
    assert ("bob", "decision", "approval_requested") in events
    assert ("you", "decision", "approve") in events
    assert ("bob", "outcome", "ok") in events
    ok = next(r for r in rows if r["event"] == "outcome")
    assert ok["vendor"] == "feishu" and ok["meeting"] == world.meeting_id
    assert ok["vendor_ids"] == world.open_id("bob") and ok["latency_ms"] > 0

    only_you = json.loads((await _invoke(runner, ["audit", "--user", "you", "--format", "json"])).output)
    assert {r["chat_user"] for r in only_you} == {"you"}

    as_csv = list(csv.DictReader(io.StringIO((await _invoke(runner, ["audit", "--format", "csv"])).output)))
    assert len(as_csv) == len(rows) and as_csv[0]["platform"] == "console"

    future = await _invoke(runner, ["audit", "--since", "2999-01-01"])
    assert future.output.strip() == "no audit rows match"
    recent = json.loads((await _invoke(runner, ["audit", "--since", "1h", "--format", "json"])).output)
    assert len(recent) == len(rows)
    bad = await _invoke(runner, ["audit", "--since", "yesterday-ish"])
    assert bad.exit_code != 0 and "use a duration like 2h" in bad.output


def test_parse_since() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert parse_since("90m", now) == now - timedelta(minutes=90)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("2026-11-20", now) == datetime(2026, 11, 20, tzinfo=UTC)
    with pytest.raises(click.BadParameter):
        parse_since("soon", now)


async def _invoke(runner: CliRunner, args: list[str]) -> Result:
    """`hostbot …` as a person runs it: its synchronous Store off this test's event loop."""
    return await asyncio.to_thread(runner.invoke, main, args)
