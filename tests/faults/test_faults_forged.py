"""Forged and stale requests: 100 to POST /slack/events, 100 to POST /feishu/events — all refused.

Each one asks for something that would reach a vendor if accepted: a slash command or an
@mention making alice host, or a click on the Approve button of a real approval request waiting
for `you`. The variants are the ways such a request is made without the secret or replayed
late: wrong key, tampered body, missing or malformed headers, timestamps outside 5 minutes, and
for Feishu also a wrong verification token and ciphertext that is not what Feishu would send.
After each barrage nothing reached a vendor and nothing was said in chat; then a genuine request
still works (the refusals were of forgeries, not of everything).
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.feishu.im import BOT
from bot.wire import lark_encrypt, lark_signature, slack_headers, slack_signature
from tests.support.faults import FaultWorld, fault_world
from tests.support.feishu import ASK, card_text, first_text
from tests.support.slack import SIGNING_SECRET, wait_for

N = 100


@pytest.fixture
async def world(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FaultWorld]:
    async with fault_world(sandbox, tmp_path) as w:
        yield w


# ---- Slack --------------------------------------------------------------------------------------
def _slack_sig(body: str, stamp: str, secret: str = SIGNING_SECRET, scheme: str = "v0") -> str:
    return slack_signature(secret, stamp, body).replace("v0=", f"{scheme}=", 1)


Headers = dict[str, str | bytes]
SlackForgery = Callable[[str, int, int], tuple[str | bytes, Headers]]  # (body, now, n) -> (body sent, headers)


_NOT_STAMPS = ("", "abc", "1e10", f"{int(time.time())}.5")


def _not_utf8(body: str, now: int, n: int) -> tuple[bytes, Headers]:
    raw = body.encode() + b"&note=\xff\xfe"  # signed over the raw bytes, as Slack signs
    return raw, dict(slack_headers(SIGNING_SECRET, raw, now))


SLACK_FORGERIES: dict[str, SlackForgery] = {
    "signed with another secret": lambda b, now, n: (b, {"X-Slack-Request-Timestamp": str(now),
                                                         "X-Slack-Signature": _slack_sig(b, str(now), f"guess-{n}")}),
    "stale timestamp": lambda b, now, n: (b, {"X-Slack-Request-Timestamp": str(now - 301 - 37 * n),
                                              "X-Slack-Signature": _slack_sig(b, str(now - 301 - 37 * n))}),
    "future timestamp": lambda b, now, n: (b, {"X-Slack-Request-Timestamp": str(now + 301 + 41 * n),
                                               "X-Slack-Signature": _slack_sig(b, str(now + 301 + 41 * n))}),
    "body changed after signing": lambda b, now, n: (b.replace("alice", "bob") + f"&x={n}",
                                                     {"X-Slack-Request-Timestamp": str(now),
                                                      "X-Slack-Signature": _slack_sig(b, str(now))}),
    "signature of the stamp moved": lambda b, now, n: (b, {"X-Slack-Request-Timestamp": str(now - 1),
                                                           "X-Slack-Signature": _slack_sig(b, str(now))}),
    "no signature": lambda b, now, n: (b, {"X-Slack-Request-Timestamp": str(now)}),
    "no timestamp": lambda b, now, n: (b, {"X-Slack-Signature": _slack_sig(b, str(now))}),
    "other scheme": lambda b, now, n: (b, {"X-Slack-Request-Timestamp": str(now),
                                           "X-Slack-Signature": _slack_sig(b, str(now), scheme="v1")}),
    "truncated signature": lambda b, now, n: (b, {"X-Slack-Request-Timestamp": str(now),
                                                  "X-Slack-Signature": _slack_sig(b, str(now))[:-1 - n % 20]}),
    "timestamp not a number": lambda b, now, n: (b, {"X-Slack-Request-Timestamp": _NOT_STAMPS[n % 4],
                                                     "X-Slack-Signature": _slack_sig(b, str(now))}),
    "signature not ASCII": lambda b, now, n: (b, {"X-Slack-Request-Timestamp": str(now),
                                                  "X-Slack-Signature": b"v0=" + b"\xe9" * 64}),
    "body not UTF-8": _not_utf8,
}


def _slack_bodies(world: FaultWorld, approval: dict[str, Any]) -> list[tuple[str, str]]:
    """(content type, body): a slash command, an @mention and a click on the real Approve button."""
    s, users = world.sandbox.slack, world.slack.users
    command = urlencode({
        "token": "legacy", "team_id": s.team_id, "channel_id": world.slack.channel.id, "user_id": users["you"].id,
        "user_name": "you", "command": "/host", "text": f"make {world.mention('alice')} host of meeting 123456789",
        "api_app_id": s.app_id, "trigger_id": "forged-trigger"})
    mention = json.dumps({
        "token": "legacy", "team_id": s.team_id, "api_app_id": s.app_id, "type": "event_callback",
        "event_id": "EvForged", "event_time": int(time.time()),
        "event": {"type": "app_mention", "user": users["you"].id, "channel": world.slack.channel.id,
                  "ts": "1700000000.000001",
                  "text": f"<@{s.bot_user.id}> make {world.mention('alice')} host of meeting 123456789"}})
    button = next(e for b in approval["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "hostbot_approve")
    click = urlencode({"payload": json.dumps({
        "type": "block_actions", "team": {"id": s.team_id}, "user": {"id": users["you"].id, "username": "you"},
        "api_app_id": s.app_id, "token": "legacy", "trigger_id": "t",
        "container": {"type": "message", "message_ts": approval["ts"], "channel_id": world.slack.channel.id},
        "channel": {"id": world.slack.channel.id}, "message": approval,
        "actions": [{"action_id": "hostbot_approve", "block_id": "hostbot_choices", "text": button["text"],
                     "value": button["value"], "type": "button", "action_ts": "1.1"}]})})
    return [("application/x-www-form-urlencoded", command), ("application/json", mention),
            ("application/x-www-form-urlencoded", click)]


async def _pending_approval(world: FaultWorld) -> dict[str, Any]:
    """bob asks to become host: an approval request for `you` (the host) waits in the channel."""
    await world.slack.command("bob", "make me host of meeting 123456789")
    return await wait_for(lambda: next((m for m in world.slack.messages()
                                        if "can approve" in m.get("text", "") and m.get("blocks")), None))


async def test_100_forged_or_stale_slack_requests_are_refused_and_reach_no_vendor(world: FaultWorld) -> None:
    approval = await _pending_approval(world)
    world.sandbox.recorder.clear()
    bodies = _slack_bodies(world, approval)
    kinds = list(SLACK_FORGERIES.items())
    statuses: dict[str, set[int]] = {}
    for n in range(N):
        label, forge = kinds[n % len(kinds)]
        ctype, body = bodies[n % len(bodies)]
        sent, headers = forge(body, int(time.time()), n)
        raw: Any = {"Content-Type": ctype, **headers}  # httpx sends bytes values as they are (a non-ASCII header)
        resp = await world.slack.http.post("/slack/events", content=sent, headers=raw)
        statuses.setdefault(label, set()).add(resp.status_code)
    assert statuses == {label: {401} for label in SLACK_FORGERIES}
    assert world.sandbox.recorder.all() == []  # no vendor call, no chat message, not even a lookup
    # the approval request, nothing after
    assert (await world.bot.services.store.audit_rows())[-1]["event"] == "decision"

    # the same click, genuinely signed by Slack, does approve: the forgeries were refused for what they were
    await world.slack.click("you", approval, "hostbot_approve")
    await wait_for(lambda: any("is now host" in m.get("text", "") for m in world.slack.messages()))
    assert [r.body["host_user"]["id"] for r in world.sandbox.recorder.all("feishu.set_host")] == \
        [world.demo.users["bob"].open_id]


# ---- Feishu -------------------------------------------------------------------------------------
def _headers(body: bytes, key: str, stamp: int | str, nonce: str = "n0nce") -> dict[str, str]:
    stamp = str(stamp)
    return {"Content-Type": "application/json; charset=utf-8", "X-Lark-Request-Timestamp": stamp,
            "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": lark_signature(stamp, nonce, key, body)}


def _sealed(plain: dict[str, Any], key: str) -> bytes:
    return json.dumps({"encrypt": lark_encrypt(key, json.dumps(plain))}).encode()


def _flip(ciphertext: str, n: int) -> str:
    raw = bytearray(base64.b64decode(ciphertext))
    raw[16 + n % (len(raw) - 16)] ^= 0x5A  # a byte of the ciphertext proper (after the IV)
    return base64.b64encode(bytes(raw)).decode()


FeishuForgery = Callable[[dict[str, Any], str, int, int], tuple[bytes, dict[str, str]]]


def _feishu_forgeries() -> dict[str, FeishuForgery]:
    def other_key_signature(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = _sealed(env, key)
        return body, _headers(body, f"not-the-key-{n}", now)

    def zero_signature(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = _sealed(env, key)
        return body, {**_headers(body, key, now), "X-Lark-Signature": "0" * 64}

    def body_swapped(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        signed = _sealed({**env, "schema": "2.0"}, key)
        return _sealed(env, key), _headers(signed, key, now)

    def wrong_token(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        forged = {**env, "header": {**env["header"], "token": f"guessed-token-{n}"}}
        body = _sealed(forged, key)
        return body, _headers(body, key, now)

    def no_token_unsigned(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        forged = {**env, "header": {k: v for k, v in env["header"].items() if k != "token"}}
        return _sealed(forged, key), {"Content-Type": "application/json", "X-Lark-Request-Timestamp": str(now)}

    def stale(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = _sealed(env, key)
        return body, _headers(body, key, now - 301 - 53 * n)

    def future(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = _sealed(env, key)
        return body, _headers(body, key, now + 301 + 59 * n)

    def stamp_not_a_number(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = _sealed(env, key)
        return body, _headers(body, key, ["abc", "", f"{now}.0", "9" * 30][n % 4])

    def random_ciphertext(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = json.dumps({"encrypt": base64.b64encode(os.urandom(16 * (1 + n % 6) + n % 2 * 7)).decode()}).encode()
        return body, _headers(body, key, now)  # signed with the right key: the decryption itself must refuse

    def flipped_ciphertext(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = json.dumps({"encrypt": _flip(lark_encrypt(key, json.dumps(env)), n)}).encode()
        return body, _headers(body, key, now)

    def truncated_ciphertext(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        cipher = lark_encrypt(key, json.dumps(env))
        body = json.dumps({"encrypt": cipher[: len(cipher) - 4 - 4 * (n % 5)]}).encode()
        return body, _headers(body, key, now)

    def not_base64(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = json.dumps({"encrypt": ["%%%not base64%%%", "====", "AAAA", "🙂" * 8][n % 4]}).encode()
        return body, _headers(body, key, now)

    def other_encrypt_key(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = _sealed(env, f"another-key-{n}")
        return body, _headers(body, key, now)  # the signature is right; the content is not ours

    def plaintext_unsigned(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        return json.dumps(env).encode(), {"Content-Type": "application/json"}

    def not_json(env: dict[str, Any], key: str, now: int, n: int) -> tuple[bytes, dict[str, str]]:
        body = [b"", b"{", b"[]", b"null", b'{"encrypt": 42}'][n % 5]
        return body, _headers(body, key, now)

    return {f.__name__.replace("_", " "): f for f in (
        other_key_signature, zero_signature, body_swapped, wrong_token, no_token_unsigned, stale, future,
        stamp_not_a_number, random_ciphertext, flipped_ciphertext, truncated_ciphertext, not_base64, other_encrypt_key,
        plaintext_unsigned, not_json)}


async def test_100_forged_or_stale_feishu_requests_are_refused_and_reach_no_vendor(world: FaultWorld) -> None:
    feishu, events = world.feishu, world.sandbox.feishu_events
    # a real approval card waiting for `you`: bob asks to become host
    asked = feishu.says("bob", "@_user_1 make me host of meeting 123456789", BOT)
    await feishu.push(events.message(asked))
    card = await wait_for(lambda: next((c for c in feishu.cards(asked["message_id"]) if "can approve" in card_text(c)),
                                       None))
    await world.settle()
    world.sandbox.recorder.clear()

    message = feishu.says("you", ASK, BOT, feishu.user("alice"))
    button = next(b for b in world.sandbox.feishu_im.buttons(card) if b["value"]["hostbot"] == "approve")
    envelopes = [events.message(message), events.card_click(feishu.user("you"), card, button["value"])]
    forgeries = list(_feishu_forgeries().items())
    statuses: dict[str, set[int]] = {}
    for n in range(N):
        label, forge = forgeries[n % len(forgeries)]
        envelope = envelopes[n % 2]
        envelope = {**envelope, "header": {**envelope["header"], "event_id": f"forged-{n}"}}
        body, headers = forge(envelope, events.encrypt_key, int(time.time()), n)
        resp = await feishu.http.post("/feishu/events", content=body, headers=headers)
        statuses.setdefault(label, set()).add(resp.status_code)
    await world.settle()
    assert statuses == {label: {401} for label in _feishu_forgeries()}
    assert world.sandbox.recorder.all() == []  # no vendor call, no reply, not even a lookup

    # the genuine message, sealed as Feishu does, is acted on
    await feishu.push(events.message(message))
    assert await wait_for(lambda: first_text(feishu.texts(message["message_id"]), "is now host"))
    assert len(world.sandbox.recorder.all("feishu.set_host")) == 1
