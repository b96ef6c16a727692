"""bot/wire.py against the vendors' known answers: Slack's signature vector (tests/corpus/slack_signature_kat.json,
copied verbatim from ../shared/vendor-oracles/slack/extracted/: python-slack-sdk's verifier test) and Lark's
decrypt vectors (tests/corpus/lark_decrypt_kat.json); what it seals passes the checks the product makes
(slack_sdk's SignatureVerifier, lark-oapi's AESCipher, bot/adapters/feishu/transport/webhook.py). And importing it,
or the sandbox package, stays light."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from lark_oapi.core.utils import AESCipher
from slack_sdk.signature import SignatureVerifier

from bot.adapters.feishu.transport.webhook import refusal
from bot.wire import lark_decrypt, lark_encrypt, lark_seal, lark_signature, slack_headers, slack_signature

CORPUS = Path(__file__).parents[1] / "corpus"
SLACK = json.loads((CORPUS / "slack_signature_kat.json").read_text(encoding="utf-8"))
LARK: list[dict[str, Any]] = json.loads((CORPUS / "lark_decrypt_kat.json").read_text(encoding="utf-8"))["vectors"]


def test_slack_signature_is_the_sdk_vector() -> None:
    secret, stamp, body = SLACK["signing_secret"], SLACK["timestamp"], SLACK["body"]
    assert slack_signature(secret, stamp, body) == SLACK["expected_signature"]
    assert slack_signature(secret, stamp, body.encode()) == SLACK["expected_signature"]  # raw bytes sign the same
    assert slack_headers(secret, body, stamp) == SLACK["headers"]
    assert slack_signature(secret + "x", stamp, body) != SLACK["expected_signature"]
    assert slack_signature(secret, str(int(stamp) + 1), body) != SLACK["expected_signature"]


def test_slack_headers_stamped_now_pass_the_verifier_the_adapter_uses() -> None:
    body = "command=%2Fhost&text=make+%E5%B0%8F%E7%8E%8B+host"
    headers = slack_headers("s3cret", body)
    assert abs(int(headers["X-Slack-Request-Timestamp"]) - time.time()) < 5
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not SignatureVerifier("other").is_valid(body, headers["X-Slack-Request-Timestamp"],
                                                   headers["X-Slack-Signature"])


@pytest.mark.parametrize("vector", LARK, ids=[v["source"]["repo"] for v in LARK])
def test_lark_decrypt_gives_the_vectors_plaintext(vector: dict[str, Any]) -> None:
    plaintext = lark_decrypt(vector["encrypt_key"], vector["encrypt"])
    if "expected_plaintext" in vector:
        assert plaintext == vector["expected_plaintext"]
    else:
        assert json.loads(plaintext)["challenge"] == vector["expected_challenge"]


def test_lark_decrypt_refuses_what_is_not_feishus_ciphertext() -> None:
    vector = LARK[0]
    with pytest.raises(ValueError):
        lark_decrypt("not-" + vector["encrypt_key"], vector["encrypt"])  # another key: the padding is wrong
    with pytest.raises(ValueError):
        lark_decrypt(vector["encrypt_key"], vector["encrypt"][:-8])  # truncated
    with pytest.raises(ValueError):
        lark_decrypt(vector["encrypt_key"], "not base64!")
    with pytest.raises(ValueError):
        lark_decrypt(vector["encrypt_key"], "QUJD" * 4)  # 12 bytes: not even an IV


@pytest.mark.parametrize("plaintext", ['{"a":1}', "x" * 16, "飞书" * 33, ""])
def test_lark_encrypt_is_what_the_sdk_and_lark_decrypt_read(plaintext: str) -> None:
    sealed = lark_encrypt("some-key", plaintext)
    assert AESCipher("some-key").decrypt_str(sealed) == plaintext
    assert lark_decrypt("some-key", sealed) == plaintext
    assert lark_encrypt("some-key", plaintext) != sealed  # a fresh IV each time


def test_lark_seal_passes_the_webhook_check_and_decrypts_to_the_envelope() -> None:
    envelope = {"schema": "2.0", "header": {"event_type": "im.message.receive_v1"},
                "event": {"text": "把 @小王 设为主持人"}}
    body, headers = lark_seal("k3y", envelope, timestamp=1700000000, nonce="n0nce")
    assert headers["X-Lark-Request-Timestamp"] == "1700000000" and headers["X-Lark-Request-Nonce"] == "n0nce"
    assert headers["X-Lark-Signature"] == lark_signature("1700000000", "n0nce", "k3y", body)
    assert json.loads(lark_decrypt("k3y", json.loads(body)["encrypt"])) == envelope
    lowered = {k.lower(): v for k, v in headers.items()}  # as Starlette hands them to the adapter
    assert refusal("k3y", body, lowered, now=1700000000) == ""
    assert refusal("other", body, lowered, now=1700000000) == "signature does not match"
    assert refusal("k3y", body + b" ", lowered, now=1700000000) == "signature does not match"


@pytest.mark.parametrize(("module", "absent"), [
    ("bot.wire", ("bot.sandbox", "bot.adapters", "bot.core", "lark_oapi.core", "slack_sdk", "starlette")),
    ("bot.sandbox", ("bot.sandbox.box", "bot.sandbox.feishu", "bot.sandbox.slack", "starlette", "lark_oapi.ws.pb")),
])  # bot/__init__ puts lark_lazy's empty stand-ins for lark_oapi, lark_oapi.api and lark_oapi.ws in place
def test_importing_stays_light(module: str, absent: tuple[str, ...]) -> None:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert [m for m in loaded if m.startswith(absent)] == []


def test_the_sandbox_package_still_gives_its_names() -> None:
    code = "from bot.sandbox import Fault, Sandbox; print(Sandbox.__module__, Fault.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["bot.sandbox.box", "bot.sandbox.faults"]
