"""The edges (issue 16): what reaches the bot from outside, and what it leaves behind.

One test (or more) per finding, each failing on the code before the fix:
1. Feishu webhook: both keys required; no timestamp/nonce/signature -> refused; public URL never from a request
2. bodies over 1 MiB refused (413) by Content-Length and while streaming; signature checked before parsing
4. Webex pagination never sends the admin token to another host
5. the database, -wal and -shm are 0600
6. retention prunes audit, deliveries and proposals; the file stops growing
7. lark-oapi's logger goes through hostbot's handler: one line per bad request, nothing on stdout
8. every bad setting reported at once (run: exit 2, no traceback; doctor: one row each)
9. `hostbot run` with no chat platform says so and exits 2
10. no CPU-heavy step (scrypt) on the event loop: asyncio debug finds no slow callback
The figures under a real `hostbot run` are in test_faults_real_server.py.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import ConfigError, settings_from_mapping
from bot.core.model.outcome import VendorUser
from bot.sandbox import Sandbox
from bot.sandbox.feishu.im import BOT
from bot.store import Store
from bot.telemetry.logs import configure
from bot.vendors.webex.vendor import WebexVendor
from bot.wire import lark_encrypt, lark_signature
from tests.support.faults import FaultWorld, fault_world
from tests.support.feishu import first_text
from tests.support.slack import wait_for

MiB = 1 << 20


@pytest.fixture
async def world(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FaultWorld]:
    async with fault_world(sandbox, tmp_path) as w:
        yield w


# ---- 1. Feishu webhook -----------------------------------------------------------------------------
@pytest.mark.parametrize("only", ["FEISHU_VERIFICATION_TOKEN", "FEISHU_ENCRYPT_KEY"])
def test_feishu_webhook_with_one_key_is_a_start_up_error(sandbox: Sandbox, only: str) -> None:
    env = {**sandbox.env(), "FEISHU_ENCRYPT_KEY": "", "FEISHU_VERIFICATION_TOKEN": "", only: "set-only-this-one"}
    with pytest.raises(ConfigError, match="Feishu webhook mode needs both FEISHU_ENCRYPT_KEY and"):
        settings_from_mapping(env)
    assert settings_from_mapping({**env, "FEISHU_MODE": "ws"}).feishu_mode == "ws"  # the long connection needs none


async def test_a_feishu_request_without_its_signature_headers_is_refused(world: FaultWorld) -> None:
    events, feishu = world.sandbox.feishu_events, world.feishu
    challenge = events.challenge()
    sealed = json.dumps({"encrypt": lark_encrypt(events.encrypt_key, json.dumps(challenge))}).encode()
    # encrypted with the right key and carrying the right token, but unsigned: lark-oapi answered it (200)
    resp = await feishu.http.post("/feishu/events", content=sealed, headers={"Content-Type": "application/json"})
    assert resp.status_code == 401
    # an event in plain text with the token (which travels in every plaintext event), no headers
    message = feishu.says("you", "@_user_1 make @_user_2 host of meeting 123456789", BOT, feishu.user("alice"))
    for headers in ({}, {"X-Lark-Request-Timestamp": str(int(world.feishu.adapter.clock()))}):
        resp = await feishu.http.post("/feishu/events", content=json.dumps(events.message(message)).encode(),
                                      headers={"Content-Type": "application/json", **headers})
        assert resp.status_code == 401
    await world.settle()
    assert world.sandbox.recorder.all("feishu.set_host") == []
    signed = await feishu.push(challenge)  # the same challenge as Feishu sends it: answered
    assert signed.status_code == 200 and signed.json() == {"challenge": challenge["challenge"]}


async def test_the_public_url_never_comes_from_a_request(sandbox: Sandbox, tmp_path: Path) -> None:
    async with fault_world(sandbox, tmp_path, HOSTBOT_PUBLIC_URL="") as world:
        feishu = world.feishu
        body, headers = sandbox.feishu_events.seal(sandbox.feishu_events.challenge())
        resp = await feishu.http.post("/feishu/events", content=body,
                                      headers={**headers, "X-Forwarded-Host": "evil.example", "Host": "evil.example",
                                               "X-Forwarded-Proto": "https"})
        assert resp.status_code == 200
        await world.bot.services.store.delete_user_token("feishu", feishu.user("you").open_id)
        msg, _ = await feishu.ask("you", "@_user_1 invite @_user_2 to meeting 123456789", BOT, feishu.user("dave"))
        await world.settle()
        said = " ".join(feishu.texts(msg["message_id"]))
        assert said and "evil.example" not in said
        assert feishu.adapter.oauth is not None and feishu.adapter.oauth.public_url == ""


async def test_with_the_public_url_set_the_link_is_built_on_it(world: FaultWorld) -> None:
    feishu = world.feishu
    body, headers = world.sandbox.feishu_events.seal(world.sandbox.feishu_events.challenge())
    await feishu.http.post("/feishu/events", content=body, headers={**headers, "X-Forwarded-Host": "evil.example"})
    await world.bot.services.store.delete_user_token("feishu", feishu.user("you").open_id)
    msg, _ = await feishu.ask("you", "@_user_1 invite @_user_2 to meeting 123456789", BOT, feishu.user("dave"))
    text = await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "authorize"))
    link = re.search(r"https?://\S+/open-apis/authen/v1/authorize\?\S+", text)
    assert link is not None
    assert parse_qs(urlsplit(link.group(0)).query)["redirect_uri"] == ["http://hostbot.test/feishu/oauth/callback"]


# ---- 2. bounded bodies, authenticated before parsed --------------------------------------------------
@pytest.mark.parametrize("path", ["/feishu/events", "/slack/events"])
async def test_a_body_over_1_mib_is_refused_by_length_and_while_streaming(world: FaultWorld, path: str) -> None:
    http = world.feishu.http
    big = b"{" + b" " * (2 * MiB) + b"}"
    assert (await http.post(path, content=big, headers={"Content-Type": "application/json"})).status_code == 413

    async def stream() -> AsyncIterator[bytes]:  # chunked: no Content-Length to trust
        for _ in range(64):
            yield b"x" * 65536

    resp = await http.post(path, content=stream(), headers={"Content-Type": "application/json"})
    assert resp.status_code == 413
    assert (await http.get("/healthz")).status_code == 200
    just_under = b"{" + b" " * (MiB - 2) + b"}"  # 1 MiB exactly: read, then refused as unsigned (401)
    assert (await http.post(path, content=just_under, headers={"Content-Type": "application/json"})).status_code == 401


async def test_a_forged_feishu_body_is_not_decrypted_or_parsed(world: FaultWorld,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    key = world.sandbox.feishu_events.encrypt_key
    stamp = str(int(world.feishu.adapter.clock()))
    garbage = json.dumps({"encrypt": "A" * 4096}).encode()
    headers = {"Content-Type": "application/json", "X-Lark-Request-Timestamp": stamp, "X-Lark-Request-Nonce": "n",
               "X-Lark-Signature": lark_signature(stamp, "n", f"not-{key}", garbage)}
    adapter = world.feishu.adapter
    seen: list[Any] = []
    sdk_do = adapter.handler.do
    adapter.handler.do = lambda raw: seen.append(raw) or sdk_do(raw)  # type: ignore[method-assign]
    with caplog.at_level(logging.DEBUG, logger="Lark"):
        resp = await world.feishu.http.post("/feishu/events", content=garbage, headers=headers)
    assert resp.status_code == 401
    assert seen == []  # the SDK (which decrypts and parses first) never saw it
    assert [r for r in caplog.records if r.name == "Lark"] == []


# ---- 4. Webex pagination stays on the API host -------------------------------------------------------
async def test_webex_follows_next_page_links_only_on_its_api_host() -> None:
    seen: list[tuple[str, str]] = []
    series = "0123456789abcdef0123456789abcdef"

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.headers.get("authorization", "")))
        page = {"items": [{"id": series, "meetingNumber": "1", "hostEmail": "a@x", "state": "active"}]}
        if request.url.host == "api.test" and "page=2" not in str(request.url):
            return httpx.Response(200, json=page, headers={"Link": '<https://evil.example/v1/meetings?page=2>; '
                                                                   'rel="next"'})
        return httpx.Response(200, json=page)

    vendor = WebexVendor("admin-token-SECRET", "https://api.test/v1", transport=httpx.MockTransport(handler))
    found = await vendor.list_host_meetings(VendorUser(id="a@x"))
    await vendor.aclose()
    # (the listing also reads the admin's site list once, on the same host: issue 17)
    assert not isinstance(found, BaseException) and {h for h, _ in seen} == {"api.test"}
    assert all("evil" not in h for h, _ in seen)

    seen.clear()

    def same_host(request: httpx.Request) -> httpx.Response:  # a next link on the API host is followed
        seen.append((request.url.host, str(request.url)))
        if "page=2" in str(request.url):
            return httpx.Response(200, json={"items": []})
        return httpx.Response(200, json={"items": []},
                              headers={"Link": '<https://api.test/v1/meetings?page=2>; rel="next"'})

    vendor = WebexVendor("admin-token-SECRET", "https://api.test/v1", transport=httpx.MockTransport(same_host))
    await vendor.list_host_meetings(VendorUser(id="a@x"))
    await vendor.aclose()
    assert {h for h, _ in seen} == {"api.test"} and any("page=2" in url for _, url in seen)


# ---- 5. database files 0600 --------------------------------------------------------------------------
def test_the_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = Store(str(tmp_path / "hostbot.db"))
        store.first_delivery("slack", "Ev1")
        legacy = tmp_path / "legacy.db"
        legacy.touch(mode=0o644)
        os.chmod(legacy, 0o644)
        Store(str(legacy)).close()
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert {"hostbot.db", "hostbot.db-wal", "hostbot.db-shm", "legacy.db"} <= set(modes)
    assert modes == {name: 0o600 for name in modes}
    store.close()


# ---- 6. retention ------------------------------------------------------------------------------------
def _old_traffic(store: Store, n: int, tag: str) -> None:
    for i in range(n):  # what 10,000 requests leave behind: a delivery id, an audit row, a proposal
        store.first_delivery("slack", f"{tag}-{i}")
        store.audit(platform="slack", chat_user="U1", intent="set_host", event="request", detail="x" * 100)
        store.create_proposal(platform="slack", requester="U1", action="set_host", payload={"n": i}, channel="C",
                              thread="T", ttl=timedelta(minutes=5))
        if i % 100 == 0:  # an Undo button after one change in a hundred
            store.create_undo(restore=[{"id": "ou_1"}], made=[{"id": "ou_2"}], pressers=["U1"],
                              ttl=timedelta(minutes=10), platform="slack", operation="set_host")


def test_retention_keeps_the_store_flat_over_10000_old_requests(tmp_path: Path) -> None:
    from bot.store.retention import RetentionPolicy, prune_file

    path = str(tmp_path / "hostbot.db")
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    store = Store(path, clock=lambda: now[0])
    # 90,000 commits: without an fsync each (what they store and prune is the same), 5 s instead of 100 s
    store.db.execute("PRAGMA synchronous = OFF")
    policy = RetentionPolicy(audit_days=90, delivery_hours=48)
    sizes = []
    for round_ in range(3):
        now[0] = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=100 * round_)
        _old_traffic(store, 10_000, f"r{round_}")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        removed = prune_file(path, policy, now[0] + timedelta(days=91))  # all of it is now past every window
        assert removed == {"audit": 10_000, "deliveries": 10_000, "proposals": 10_000, "undos": 100}
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sizes.append(Path(path).stat().st_size)
    counts = {t: store.db[t].count for t in ("audit", "deliveries", "proposals", "undos")}
    assert counts == {"audit": 0, "deliveries": 0, "proposals": 0, "undos": 0}
    assert sizes[2] <= sizes[0] * 1.05, sizes  # freed pages are reused: flat after the first round
    print(f"\nretention: file size after each round of 10,000 old requests: {sizes} bytes")
    store.close()


async def test_retention_runs_in_the_background_keeps_recent_rows_and_counts(world: FaultWorld) -> None:
    store, bot = world.bot.services.store, world.bot
    assert bot.store is not None
    db = bot.store.db  # type: ignore[attr-defined]  # the file's own connection: rows written in the past
    now = store.now()
    db.execute("INSERT INTO deliveries (platform, key, seen_at) VALUES ('slack', 'old', ?)",
               [(now - timedelta(hours=49)).isoformat()])
    db.execute("INSERT INTO audit (at, event) VALUES (?, 'request')", [(now - timedelta(days=91)).isoformat()])
    db.conn.commit()
    await store.first_delivery("slack", "recent")
    assert bot.retention is not None
    bot.retention.interval = 3600
    bot.retention.start()  # what `hostbot run` starts (HostBot.start)
    await wait_for(lambda: db["deliveries"].count_where("key = 'old'") == 0)
    await bot.retention.stop()
    assert db["deliveries"].count_where("key = 'recent'") == 1
    metrics = world.runtime.metrics.render().decode()
    assert 'hostbot_pruned_rows_total{table="deliveries"} 1.0' in metrics
    assert 'hostbot_pruned_rows_total{table="audit"} 1.0' in metrics


def test_retention_of_zero_days_keeps_the_audit(tmp_path: Path) -> None:
    from bot.store.retention import Retention, RetentionPolicy

    policy = RetentionPolicy(audit_days=0, delivery_hours=1)
    assert policy.cutoffs(datetime(2026, 1, 1, tzinfo=UTC))["audit"] is None
    assert isinstance(Retention(":memory:", policy, clock=lambda: datetime.now(UTC)), Retention)


# ---- 7. lark-oapi's logger ---------------------------------------------------------------------------
async def test_bad_feishu_requests_log_one_line_each_through_hostbot(world: FaultWorld,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    key = world.sandbox.feishu_events.encrypt_key
    stream = io.StringIO()
    handler = configure("json", "INFO", stream=stream)
    try:
        stamp = str(int(world.feishu.adapter.clock()))
        bodies: list[tuple[bytes, dict[str, str]]] = [(b"{not json", {})]  # unauthenticated
        broken = json.dumps({"encrypt": "QUJD" * 8}).encode()  # signed with the key, but not Feishu's ciphertext
        bodies.append((broken, {"X-Lark-Request-Timestamp": stamp, "X-Lark-Request-Nonce": "n",
                                "X-Lark-Signature": lark_signature(stamp, "n", key, broken)}))
        for body, headers in bodies:
            resp = await world.feishu.http.post("/feishu/events", content=body,
                                                headers={"Content-Type": "application/json", **headers})
            assert resp.status_code == 401
        logging.getLogger("Lark").error("a line the SDK logs by itself\nwith a second line")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["logger"] for line in lines] == ["bot.adapters.feishu.adapter"] * 2 + ["Lark"]
    assert "Traceback" not in stream.getvalue()
    assert capsys.readouterr().out == ""  # lark-oapi's own stdout handler wrote nothing


# ---- 8. every bad setting at once --------------------------------------------------------------------
BAD = {"HOSTBOT_CONFIRM": "set_host=sometimes,sethost=never", "HOSTBOT_PORT": "http", "HOSTBOT_LOG_LEVEL": "loud"}


def test_every_bad_setting_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        settings_from_mapping(BAD)
    assert err.value.problems == [
        "HOSTBOT_PORT must be a TCP port number, got 'http'",
        "HOSTBOT_LOG_LEVEL must be one of INFO, DEBUG, WARNING, ERROR, got 'loud'",
        "HOSTBOT_CONFIRM: 'set_host=sometimes' should be INTENT=always|never|others",
        "HOSTBOT_CONFIRM: unknown intent 'sethost' (known: set_host, add_cohost, remove_cohost, invite, reassign, "
        "link_meeting, schedule_handover, cancel_handover)",
    ]


def test_run_and_doctor_list_every_bad_setting(sandbox: Sandbox, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    env = {**sandbox.env(), "SLACK_SIGNING_SECRET": "s" * 32, "HOSTBOT_DB": str(tmp_path / "h.db"), **BAD}
    run = CliRunner().invoke(main, ["run", "--host", "127.0.0.1"], env=env)
    assert run.exit_code == 2 and "Traceback" not in run.output
    assert "4 settings are wrong:" in run.output and "unknown intent 'sethost'" in run.output
    doctor = CliRunner().invoke(main, ["doctor", "--timeout", "5"], env=env)
    assert doctor.exit_code == 1
    rows = [line for line in doctor.output.splitlines() if line.startswith("✗  settings")]
    assert len(rows) == 4, doctor.output
    head = re.match(r"hostbot doctor: (\d+) checks, (\d+) failed", doctor.output)
    assert head is not None and int(head.group(1)) > 10 and int(head.group(2)) >= 4  # the rest was checked too


# ---- 9. nothing to serve -----------------------------------------------------------------------------
def test_run_with_no_chat_platform_says_so_and_exits_2(tmp_path: Path) -> None:
    inherited = {k: v for k, v in os.environ.items()
                 if not k.startswith(("HOSTBOT_", "SLACK_", "FEISHU_", "DINGTALK_", "WEBEX_", "ZOOM_"))}
    try:  # the old `hostbot run` served nothing for ever: a timeout is that failure
        run = subprocess.run([sys.executable, "-m", "bot", "run", "--host", "127.0.0.1"], cwd=tmp_path,
                             env={**inherited, "HOSTBOT_DB": str(tmp_path / "h.db"), "WEBEX_TOKEN": "t",
                                  "HOSTBOT_PORT": "39999"},
                             capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("hostbot run kept running with no chat platform configured")
    assert run.returncode == 2, run.stderr
    assert "no chat platform is configured" in run.stderr and "Traceback" not in run.stderr + run.stdout


# ---- 10. nothing slow on the event loop --------------------------------------------------------------
class _SlowCallbacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "took" in record.getMessage():
            self.seen.append(record.getMessage()[:300])


@pytest.mark.serial  # times the event loop's callbacks: run alone (pyproject.toml)
async def test_authorizing_feishu_runs_no_scrypt_on_the_event_loop(world: FaultWorld,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The OAuth callback stores the person's token sealed (scrypt ~0.1 s): that used to run on the loop."""
    import threading

    import bot.store.vault as vault_module

    on_threads: list[int] = []

    real = vault_module.Scrypt

    class CountedScrypt:  # the KDF notes the thread it runs on
        def __init__(self, **params: Any) -> None:
            self.kdf = real(**params)

        def derive(self, key_material: bytes) -> bytes:
            on_threads.append(threading.get_ident())
            return self.kdf.derive(key_material)

    monkeypatch.setattr(vault_module, "Scrypt", CountedScrypt)
    feishu, store = world.feishu, world.bot.services.store
    you = feishu.user("you").open_id
    await store.delete_user_token("feishu", you)
    msg, _ = await feishu.ask("you", "@_user_1 invite @_user_2 to meeting 123456789", BOT, feishu.user("dave"))
    text = await wait_for(lambda: first_text(feishu.texts(msg["message_id"]), "authorize"))
    link = re.search(r"(https?://\S+/open-apis/authen/v1/authorize\?\S+)", text)
    assert link is not None
    world.sandbox.feishu_oauth.sign_in(you)
    async with httpx.AsyncClient() as browser:
        page = await browser.get(link.group(1))
    back = urlsplit(page.headers["location"])

    # as in a process just started: a vault that has sealed nothing yet (old: scrypt ran at the first seal)
    from bot.store.vault import SecretVault

    store.vault = SecretVault(world.bot.services.settings.secret_key)
    on_threads.clear()
    loop = asyncio.get_running_loop()
    slow = _SlowCallbacks()
    logging.getLogger("asyncio").addHandler(slow)
    loop.set_debug(True)
    loop.slow_callback_duration = 0.1  # scrypt alone took ~0.1 s here; the machine is shared, so not less
    try:
        resp = await feishu.http.get(f"{back.path}?{back.query}")
        assert resp.status_code == 200, resp.text
        await world.settle()
    finally:
        loop.set_debug(False)
        logging.getLogger("asyncio").removeHandler(slow)
    assert await store.user_token("feishu", you) is not None  # the token was stored (sealed) meanwhile
    assert threading.get_ident() not in on_threads  # no key derivation on the loop's thread
    assert slow.seen == []



def test_doctor_shows_the_retention_and_says_when_pruning_does_not_run(tmp_path: Path) -> None:
    from bot.ops.doctor.report import check_retention, sayer

    path = str(tmp_path / "h.db")
    store = Store(path)
    store.first_delivery("slack", "recent")
    settings = settings_from_mapping({"HOSTBOT_DB": path, "HOSTBOT_RETENTION_DAYS": "30"})
    [ok] = check_retention(settings, sayer("en"))
    assert ok.ok and ok.result.startswith("audit 30 days, deliveries and proposals 48 h")
    store.db.execute("INSERT INTO audit (at, event) VALUES (?, 'request')",
                     [(datetime.now(UTC) - timedelta(days=40)).isoformat()])
    store.db.conn.commit()
    [behind] = check_retention(settings, sayer("en"))
    assert not behind.ok and "rows older than the window are still there (oldest audit row" in behind.result
    store.close()


@pytest.mark.serial  # times the event loop's callbacks (50 ms): run alone (pyproject.toml)
async def test_a_long_hostile_text_never_holds_the_event_loop(world: FaultWorld) -> None:
    """Parsing runs on the loop and grows faster than the text: 4,000 characters of `<!channel> ` took
    seconds there. The adapters answer a request over 500 characters without parsing it."""
    text = "<!channel> " * 5000  # 55 KB: far under the body limit
    warm, _ = await world.feishu.ask("carol", "@_user_1 help")  # first calls import and connect: not measured
    await wait_for(lambda: world.feishu.texts(warm["message_id"]))
    await world.ask_slack("carol", "help")
    await world.settle()
    loop = asyncio.get_running_loop()
    slow = _SlowCallbacks()
    logging.getLogger("asyncio").addHandler(slow)
    loop.set_debug(True)
    loop.slow_callback_duration = 0.05
    try:
        assert (await world.slack.command("you", text)).status_code == 200
        await wait_for(lambda: world.sandbox.recorder.all("slack.chat.postEphemeral"), timeout=60)
        msg, resp = await world.feishu.ask("carol", f"@_user_1 {text}")
        assert resp.status_code == 200
        said = await wait_for(lambda: first_text(world.feishu.texts(msg["message_id"]), "too long"), timeout=60)
        await world.settle()
    finally:
        loop.set_debug(False)
        logging.getLogger("asyncio").removeHandler(slow)
    assert re.search(r"\(550\d\d characters; I read requests of up to 500\)", said), said
    ephemeral = world.sandbox.recorder.all("slack.chat.postEphemeral")[0].body
    assert "too long" in str(ephemeral)
    assert slow.seen == []
