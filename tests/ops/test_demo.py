"""The README's promise: `printf 'make @alice host of meeting <number>' | make demo` changes the host."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.devtools.demo import DEMO_MEETING_NO, run_demo
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_ZOOM_ID


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


async def test_piped_demo_makes_alice_host_with_one_cas_call() -> None:
    out = io.StringIO()
    with Sandbox() as box:
        await run_demo(_Pipe(f"make @alice host of meeting {DEMO_MEETING_NO}\n"), out, sandbox=box)
        calls = box.recorder.all("feishu.set_host")
        users = {u.name: u for u in box.feishu.users.values()}
        meeting = next(iter(box.feishu.meetings.values()))
    assert "@alice is now host of Feishu meeting 123 456 789" in out.getvalue()
    assert len(calls) == 1
    assert calls[0].method == "PATCH"
    assert calls[0].path == f"/open-apis/vc/v1/meetings/{meeting.id}/set_host"
    assert calls[0].body == {
        "host_user": {"id": users["alice"].open_id, "user_type": 1},
        "old_host_user": {"id": users["you"].open_id, "user_type": 1},
    }
    assert meeting.host[0] == users["alice"].open_id


async def test_piped_demo_shows_undo_and_puts_the_host_back() -> None:
    out = io.StringIO()
    with Sandbox() as box:
        await run_demo(_Pipe(f"make @alice host of meeting {DEMO_MEETING_NO}\n1\n"), out, sandbox=box)
        users = {u.open_id: u.name for u in box.feishu.users.values()}
        calls = [(users[c.body["host_user"]["id"]], users[c.body["old_host_user"]["id"]])
                 for c in box.recorder.all("feishu.set_host")]
        meeting = next(iter(box.feishu.meetings.values()))
    assert "A change comes with [1] Undo" in out.getvalue() and "[1] Undo" in out.getvalue()
    assert "↩️ Undone: @you is host of Feishu meeting 123 456 789 again." in out.getvalue()
    assert calls == [("alice", "you"), ("you", "alice")] and users[meeting.host[0]] == "you"


async def test_piped_demo_makes_bob_co_host_for_30_minutes_and_wait_removes_him() -> None:
    out = io.StringIO()
    lines = f"make @bob co-host of meeting {DEMO_ZOOM_ID} for 30 minutes\nlist handovers\n!wait 29\n!wait 1\n"
    with Sandbox() as box:
        await run_demo(_Pipe(lines), out, sandbox=box)
        writes = [r.body for r in box.recorder.all("zoom.update_meeting") if 200 <= r.status < 300]
        left = box.zoom.meetings[DEMO_ZOOM_ID].alternative_hosts
    text = out.getvalue()
    assert "then handover #1 removes @bob as co-host" in text
    assert "@bob stops being co-host of Zoom meeting 850 1234 5678 · by @you" in text
    assert text.index("⏰ Reminder") < text.index("✅ Removed @bob as co-host of Zoom meeting 850 1234 5678.")
    assert writes == [{"settings": {"alternative_hosts": "bob@example.com"}}, {"settings": {"alternative_hosts": ""}}]
    assert left == []


def test_installed_command_runs_the_demo_from_a_pipe_and_keeps_its_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hostbot-demo.db").write_text("an old demo's database, replaced")
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        input="make @alice host of meeting 123456789\nhelp\n", cwd=tmp_path,
        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "number 123456789" in proc.stdout and "id 6911188411932033028" in proc.stdout
    assert "✅ @alice is now host of Feishu meeting 123 456 789." in proc.stdout
    assert "Traceback" not in proc.stderr
    db = tmp_path / "hostbot-demo.db"
    assert f"The demo's database is {db} (made afresh now, kept when the demo ends)." in proc.stdout
    hint = proc.stdout.rstrip().splitlines()[-1]
    assert hint.endswith(" users list") and f"HOSTBOT_DB={db} " in hint
    # the hint runs as typed, from a shell where the venv is not activated (as after `make demo`)
    audit_line = hint.split("try  ", 1)[1].split("   ·   ")[0]
    shell = subprocess.run(["sh", "-c", audit_line], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert shell.returncode == 0 and "set_host" in shell.stdout, shell.stderr
    # afterwards, what the README suggests works on what the demo did
    monkeypatch.setenv("HOSTBOT_DB", str(db))
    audit = CliRunner().invoke(main, ["audit", "--format", "json"])
    assert audit.exit_code == 0, audit.output
    assert [(r["chat_user"], r["intent"], r["outcome"]) for r in json.loads(audit.output)
            if r["event"] == "outcome"] == [("you", "set_host", "ok")]
    people = CliRunner().invoke(main, ["users", "list"])
    assert people.exit_code == 0 and "erin" in people.output and "小王" in people.output


async def test_demo_sandbox_controls_show_the_conflict_path() -> None:
    out = io.StringIO()
    script = "!race bob\nmake @alice host of meeting 123456789\n1\n!as bob\n1\n!requests\n!nonsense\n"
    await run_demo(_Pipe(script), out)
    text = out.getvalue()
    assert "it is now @bob" in text and "[1] Retry" in text
    assert "[1] Approve   [2] Decline" in text
    assert text.count("PATCH /open-apis/vc/v1/meetings/") == 2
    assert "@alice is now host" in text
