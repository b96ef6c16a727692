"""Secrets: a full scenario in a real `hostbot run` process, with known secret values; none shows up.

Every configured secret gets a value of our choosing (Slack bot token and signing secret, the
Feishu app secret, encrypt key and verification token, DingTalk, Webex and Zoom credentials, the
vault passphrase); the tokens the vendors issue while it runs (Feishu tenant and user tokens,
DingTalk and Zoom access tokens) are collected from the sandbox afterwards. The process logs at
DEBUG, its most talkative level. The scenario: Slack commands for every vendor (Feishu set_host with
the tenant token, Feishu invite with the asker's stored user token, DingTalk, Webex, Zoom), a Feishu
webhook message, forged requests to both endpoints, a Feishu token the vendor rejects (refreshed),
vendor errors whose bodies echo our secrets back, a Slack 429. None of the secrets may appear in
the process's output (stdout and stderr), in any audit row, anywhere in the SQLite files, or in
what hostbot said in chat (a vendor's words it quotes are masked like log lines).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.config import settings_from_mapping
from bot.devtools.demo import seed
from bot.sandbox import Fault, Sandbox
from bot.sandbox.demo_data import DEMO_DINGTALK_ID, DEMO_WEBEX_ID, DEMO_ZOOM_ID
from bot.sandbox.feishu.im import BOT
from bot.sandbox.slack.web import ALL_BOT_SCOPES, SlackToken
from bot.store import Store
from bot.store.vault import build_vault
from tests.support.slack import sign

KNOWN = {
    "SLACK_BOT_TOKEN": "xoxb-4242-known-bot-token-SECRET-a1b2c3",
    "SLACK_SIGNING_SECRET": "known-signing-SECRET-0f1e2d3c4b5a6978",
    "HOSTBOT_SECRET_KEY": "known vault passphrase SECRET 31415926",
    "FEISHU_APP_SECRET": "known-feishu-app-SECRET-27182818",
    "FEISHU_ENCRYPT_KEY": "known-feishu-encrypt-SECRET-1618",
    "FEISHU_VERIFICATION_TOKEN": "known-feishu-verify-SECRET-1414",
    "DINGTALK_APP_SECRET": "known-dingtalk-SECRET-17320508",
    "WEBEX_TOKEN": "known-webex-admin-SECRET-22360679",
    "ZOOM_CLIENT_SECRET": "known-zoom-client-SECRET-26457513",
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _until(what: str, condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _known_sandbox(box: Sandbox) -> None:
    """The sandbox accepts our known credentials instead of the ones it made up."""
    box.feishu.app_secret = KNOWN["FEISHU_APP_SECRET"]
    box.feishu_events.encrypt_key = KNOWN["FEISHU_ENCRYPT_KEY"]
    box.feishu_events.verification_token = KNOWN["FEISHU_VERIFICATION_TOKEN"]
    box.dingtalk.app_secret = KNOWN["DINGTALK_APP_SECRET"]
    box.webex.token = KNOWN["WEBEX_TOKEN"]
    box.zoom.client_secret = KNOWN["ZOOM_CLIENT_SECRET"]
    box.slack.tokens[KNOWN["SLACK_BOT_TOKEN"]] = SlackToken(ALL_BOT_SCOPES, box.slack.bot_user.id)
    box.slack.bot_token = KNOWN["SLACK_BOT_TOKEN"]


def test_no_secret_in_the_output_audit_rows_or_database_of_a_real_process(tmp_path: Path) -> None:
    db = tmp_path / "hostbot.db"
    with Sandbox() as box:
        _known_sandbox(box)
        demo = seed(box)
        users = box.slack.seed(("you", "alice", "bob", "carol"))
        channel = box.slack.channel_named("general")
        env = {**box.env(), **KNOWN, "HOSTBOT_DB": str(db), "HOSTBOT_PORT": str(_port()), "HOSTBOT_LOG_LEVEL": "DEBUG",
               "HOSTBOT_ADMINS": users["you"].id, "HOSTBOT_CONFIRM": "set_host=never"}  # `you` acts at once
        assert {k: env[k] for k in KNOWN} == KNOWN
        # the admin's mapping, and `you`'s Feishu authorization (invite needs it), stored as hostbot stores them
        store = Store(str(db), vault=build_vault(settings_from_mapping(env)))
        dingtalk = demo.vendors.dingtalk_users
        for name, user in users.items():
            store.upsert_person("slack", user.id, name=name, email=user.email, feishu_open_id=demo.users[name].open_id,
                                dingtalk_union_id=dingtalk[name].union_id, webex_email=user.email,
                                zoom_email=user.email)
        you = demo.users["you"].open_id
        user_token = box.feishu.issue_user_token(you)
        store.save_user_token("feishu", you, user_token, refresh_token="known-refresh-SECRET-99")
        store.close()

        inherited = {k: v for k, v in os.environ.items()
                     if not k.startswith(("HOSTBOT_", "SLACK_", "FEISHU_", "DINGTALK_", "WEBEX_", "ZOOM_"))}
        out = tmp_path / "hostbot.out"
        with out.open("w") as sink:
            proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--host", "127.0.0.1"],
                                    env={**inherited, **env, "PYTHONUNBUFFERED": "1"}, cwd=tmp_path,
                                    stdout=sink, stderr=subprocess.STDOUT)
        http = httpx.Client(base_url=f"http://127.0.0.1:{env['HOSTBOT_PORT']}", timeout=10)
        try:
            def healthy() -> bool:
                assert proc.poll() is None, out.read_text()[-3000:]
                try:
                    return http.get("/healthz").status_code == 200
                except httpx.HTTPError:
                    return False

            _until("the bot's /healthz", healthy, 60)
            m = {name: f"<@{u.id}>" for name, u in users.items()}
            asks = [
                f"make {m['alice']} host of meeting 123456789",  # Feishu, tenant token
                f"invite {m['carol']} to meeting 123456789",  # Feishu, the stored user token
                f"make {m['bob']} co-host of dingtalk meeting {DEMO_DINGTALK_ID}",
                f"make {m['alice']} host of webex meeting {DEMO_WEBEX_ID}",
                f"make {m['alice']} host of meeting {DEMO_ZOOM_ID}",
                f"make {m['bob']} host of meeting 123456789",  # Feishu rejects the tenant token once
                f"make {m['you']} host of meeting 123456789",  # Feishu's error echoes our secrets
                f"make {m['bob']} host of webex meeting {DEMO_WEBEX_ID}",  # so does Webex's
            ]
            echo = " ".join(KNOWN.values())
            for n, text in enumerate(asks, 1):
                if n == 6:
                    box.faults.arm(Fault("feishu.set_host", status=400,
                                         body={"code": 99991663, "msg": "Invalid access token for authorization."}))
                if n == 7:
                    box.faults.arm(Fault("feishu.set_host", status=400, body={"code": 1234567, "msg": f"bad {echo}"}))
                    box.slack.ratelimit("chat.postMessage", retry_after=1)
                if n == 8:
                    box.faults.arm(Fault("webex.reassign", status=401, body={
                        "message": f"token {KNOWN['WEBEX_TOKEN']} rejected", "errors": [{"description": echo}],
                        "trackingId": "T"}))
                body = (f"command=%2Fhost&text={text}&user_id={users['you'].id}&user_name=you&channel_id={channel.id}"
                        f"&team_id={box.slack.team_id}&trigger_id=secrets-{n}")
                signed = sign(body, secret=KNOWN["SLACK_SIGNING_SECRET"])
                resp = http.post("/slack/events", content=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded", **signed})
                assert resp.status_code == 200, resp.text
                _until(f"the answer to {text!r}", lambda n=n: sum(
                    1 for x in channel.messages if x.get("thread_ts") and x["ts"] != x["thread_ts"]) >= n)

            # a Feishu message, sealed with the known encrypt key, answered in its thread
            msg = box.feishu_im.user_says(demo.users["you"], "@_user_1 make @_user_2 host of meeting 123456789",
                                          mentions=(BOT, demo.users["alice"]))
            body_bytes, headers = box.feishu_events.seal(box.feishu_events.message(msg))
            assert http.post("/feishu/events", content=body_bytes, headers=headers).status_code == 200
            _until("the Feishu answer", lambda: box.feishu_im.texts(msg["message_id"]))
            # forged requests to both endpoints (they log warnings)
            forged = http.post("/slack/events", content="command=%2Fhost", headers=sign("x", secret="guess"))
            assert forged.status_code == 401
            bad = dict(headers, **{"X-Lark-Signature": "0" * 64})
            assert http.post("/feishu/events", content=body_bytes, headers=bad).status_code == 401
        finally:
            http.close()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)

        issued = {*box.feishu.tenant_tokens, *box.feishu.user_tokens, *box.dingtalk.tokens, *box.zoom.tokens}
        chat = json.dumps([channel.messages, list(box.feishu_im.messages.values())], ensure_ascii=False)
        assert "said: “bad ***" in chat  # the echoing vendor's words were shown, its secrets masked
        assert box.feishu.tenant_tokens and box.dingtalk.tokens and box.zoom.tokens  # all were used
        assert box.recorder.all("feishu.invite")  # with the user token
    secrets = {*KNOWN.values(), user_token, "known-refresh-SECRET-99", *issued}

    assert [s for s in secrets if s in chat] == []  # nor in what hostbot said in Slack and Feishu
    output = out.read_text()
    assert "vendor http" in output  # it did log, at DEBUG, every vendor call
    assert [s for s in secrets if s in output] == []

    conn = sqlite3.connect(db)
    try:
        rows = [dict(zip([c[0] for c in cur.description], r, strict=True))
                for cur in [conn.execute("SELECT * FROM audit")] for r in cur.fetchall()]
    finally:
        conn.close()
    assert len(rows) >= len(asks) * 2  # a request row and an outcome row each, at least
    audit = json.dumps(rows, ensure_ascii=False)
    assert [s for s in secrets if s in audit] == []

    stored = b"".join(p.read_bytes() for p in tmp_path.glob("hostbot.db*"))
    assert [s for s in secrets if s.encode() in stored] == []  # the user tokens are stored sealed
