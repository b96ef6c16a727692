"""doctor and `hostbot run` share one validation (issue 28, item 1): whatever doctor marks ✗ among the
settings stops `hostbot run` with the same line and exit 2. Both are run as the commands they are."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from tests.support.run import _inherited, free_port
from tests.support.slack import SIGNING_SECRET


def hostbot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env={**_inherited(), **env},
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:  # `hostbot run` started and served: that is the failure
        pytest.fail(f"hostbot {' '.join(args)} kept running with {sorted(env)}")


def without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in names}


# (what is wrong, the environment's change, the line both must print)
CASES = [
    ("feishu half", lambda e: without(e, "FEISHU_APP_SECRET"),
     "FEISHU_APP_SECRET is not set: Feishu needs FEISHU_APP_ID and FEISHU_APP_SECRET together"),
    ("slack no inbound", lambda e: without(e, "SLACK_SIGNING_SECRET"),
     "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) is not set: with SLACK_BOT_TOKEN"),
    ("zoom half", lambda e: without(e, "ZOOM_CLIENT_SECRET"),
     "ZOOM_CLIENT_SECRET is not set: Zoom needs ZOOM_ACCOUNT_ID and ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET"),
    ("tz", lambda e: {**e, "HOSTBOT_TZ": "Mars/Base"},
     "HOSTBOT_TZ must be an IANA time zone such as Europe/Berlin or Asia/Shanghai, got 'Mars/Base'"),
    ("no vendor", lambda e: without(e, "FEISHU_APP_ID", "FEISHU_APP_SECRET", "DINGTALK_APP_KEY", "DINGTALK_APP_SECRET",
                                    "WEBEX_TOKEN", "ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"),
     "no meeting vendor is configured"),
]


@pytest.mark.parametrize(("case", "change", "line"), CASES, ids=[c[0] for c in CASES])
def test_what_doctor_marks_wrong_stops_run_with_the_same_line(sandbox: Sandbox, tmp_path: Path, case: str,
                                                               change: object, line: str) -> None:
    good = {**sandbox.env(), "SLACK_SIGNING_SECRET": SIGNING_SECRET, "HOSTBOT_DB": str(tmp_path / "h.db"),
            "HOSTBOT_PORT": str(free_port()), "HOSTBOT_PUBLIC_URL": "https://hostbot.example.com"}
    env = change(good)  # type: ignore[operator]
    doctor = hostbot(["doctor", "--timeout", "5"], env, tmp_path)
    assert doctor.returncode == 1, doctor.stdout
    rows = [r for r in doctor.stdout.splitlines() if r.startswith("✗  settings")]
    assert len(rows) == 1 and line in rows[0], doctor.stdout
    assert "Everything checked is ready" not in doctor.stdout
    run = hostbot(["run", "--host", "127.0.0.1"], env, tmp_path)
    assert run.returncode == 2, run.stderr
    assert line in run.stderr and "Traceback" not in run.stderr + run.stdout


def test_doctor_on_the_sandbox_names_who_zoom_accepts_not_a_404(sandbox: Sandbox, tmp_path: Path) -> None:
    """The sandbox's Zoom app is account-level (users/me: 404, as for a real Server-to-Server app)."""
    env = {**sandbox.env(), "SLACK_SIGNING_SECRET": SIGNING_SECRET, "HOSTBOT_DB": str(tmp_path / "h.db"),
           "HOSTBOT_PUBLIC_URL": "https://hostbot.example.com"}
    doctor = hostbot(["doctor", "--timeout", "5"], env, tmp_path)
    [zoom] = [r for r in doctor.stdout.splitlines() if "ZOOM_API_BASE accepts that token" in r]
    assert zoom.startswith("✓") and "HTTP 404" not in zoom and "users" in zoom, doctor.stdout
    wrong = hostbot(["doctor", "--timeout", "5"], {**env, "ZOOM_API_BASE": f"{sandbox.url}/nowhere/v2"}, tmp_path)
    [zoom] = [r for r in wrong.stdout.splitlines() if "ZOOM_API_BASE accepts that token" in r]
    assert zoom.startswith("✗") and wrong.returncode == 1, wrong.stdout


def test_feishu_as_a_meeting_vendor_beside_slack_is_ready_for_doctor_and_run(sandbox: Sandbox, tmp_path: Path) -> None:
    """Slack carries the chat, Feishu only hosts the meetings (no webhook keys): doctor marks nothing ✗ for
    Feishu's events, and `hostbot run` starts and serves Slack — the two agree."""
    env = without({**sandbox.env(), "SLACK_SIGNING_SECRET": SIGNING_SECRET, "HOSTBOT_DB": str(tmp_path / "h.db"),
                   "HOSTBOT_PORT": str(free_port()), "HOSTBOT_PUBLIC_URL": "https://hostbot.example.com"},
                  "FEISHU_ENCRYPT_KEY", "FEISHU_VERIFICATION_TOKEN")
    doctor = hostbot(["doctor", "--timeout", "5"], env, tmp_path)
    [events] = [r for r in doctor.stdout.splitlines() if "Feishu can deliver events" in r]
    assert events.startswith("✓") and "Slack" in events, doctor.stdout
    assert doctor.returncode == 0 and not [r for r in doctor.stdout.splitlines() if r.startswith("✗")], doctor.stdout
    out = tmp_path / "run.out"
    with out.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--host", "127.0.0.1"], cwd=tmp_path,
                                env={**_inherited(), **env}, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "listening on" not in out.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text()[-2000:]
            time.sleep(0.05)
        assert "(Slack HTTP;" in out.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
