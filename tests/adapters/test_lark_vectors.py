"""Lark's decrypt known-answer vectors (tests/corpus/lark_decrypt_kat.json, copied verbatim from
../shared/vendor-oracles/lark/: literals of larksuite/oapi-sdk-java TestDecryptor and
larksuite/node-sdk's challenge test) decrypt through our path: POST /feishu/events, lark-oapi's
EventDispatcherHandler, our answer. The sandbox's encryption (what tests push) is Feishu's too."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lark_oapi.core.utils import AESCipher

from bot.sandbox import Sandbox
from bot.wire import lark_encrypt, lark_signature
from tests.support.feishu import feishu_world

KAT = json.loads((Path(__file__).parents[1] / "corpus" / "lark_decrypt_kat.json").read_text(encoding="utf-8"))
VECTORS: list[dict[str, Any]] = KAT["vectors"]


def _signed(encrypt_key: str, encrypted: str, stamp: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"encrypt": encrypted}).encode()
    nonce = "kat-nonce"
    return body, {"Content-Type": "application/json", "X-Lark-Request-Timestamp": stamp,
                  "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": lark_signature(stamp, nonce, encrypt_key, body)}


@pytest.fixture
async def bot_for(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Any]:
    """A bot configured with one vector's encrypt key and a verification token; its HTTP client."""
    worlds: list[Any] = []

    async def make(encrypt_key: str, token: str) -> httpx.AsyncClient:
        folder = tmp_path / str(len(worlds))
        folder.mkdir()
        ctx = feishu_world(sandbox, folder, FEISHU_ENCRYPT_KEY=encrypt_key, FEISHU_VERIFICATION_TOKEN=token)
        world = await ctx.__aenter__()
        worlds.append(ctx)
        return world.http

    yield make
    for ctx in worlds:
        await ctx.__aexit__(None, None, None)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["source"]["repo"] for v in VECTORS])
def test_the_vectors_decrypt_with_the_sdk_cipher_the_dispatcher_uses(vector: dict[str, Any]) -> None:
    plaintext = AESCipher(vector["encrypt_key"]).decrypt_str(vector["encrypt"])
    if "expected_plaintext" in vector:
        assert plaintext == vector["expected_plaintext"]
    else:
        assert json.loads(plaintext)["challenge"] == vector["expected_challenge"]


async def test_the_challenge_vector_is_answered_through_post_feishu_events(bot_for: Any) -> None:
    vector = next(v for v in VECTORS if "expected_challenge" in v)
    token = json.loads(AESCipher(vector["encrypt_key"]).decrypt_str(vector["encrypt"]))["token"]
    http = await bot_for(vector["encrypt_key"], token)
    body, headers = _signed(vector["encrypt_key"], vector["encrypt"], str(int(time.time())))
    resp = await http.post("/feishu/events", content=body, headers=headers)
    assert resp.status_code == 200 and resp.json() == {"challenge": vector["expected_challenge"]}
    # the same body under another encrypt key does not decrypt: refused, no challenge echoed
    other = await bot_for("not-" + vector["encrypt_key"], token)
    assert (await other.post("/feishu/events", content=body, headers=headers)).status_code == 401


async def test_the_event_vector_decrypts_and_its_token_is_checked(bot_for: Any) -> None:
    vector = next(v for v in VECTORS if "expected_plaintext" in v)
    token = json.loads(vector["expected_plaintext"])["header"]["token"]
    body, headers = _signed(vector["encrypt_key"], vector["encrypt"], str(int(time.time())))
    right = await bot_for(vector["encrypt_key"], token)
    # decrypted, token and signature good; contact.user.created_v3 is not an event hostbot handles
    resp = await right.post("/feishu/events", content=body, headers=headers)
    assert resp.status_code == 200 and resp.json() == {"msg": "ignored"}
    wrong = await bot_for(vector["encrypt_key"], token + "-other")  # the token inside is read: refused
    assert (await wrong.post("/feishu/events", content=body, headers=headers)).status_code == 401


@pytest.mark.parametrize("plaintext", ['{"a":1}', "x" * 16, "飞书" * 33])
def test_the_sandbox_encrypts_as_feishu_does(plaintext: str) -> None:
    assert AESCipher("sandbox-key").decrypt_str(lark_encrypt("sandbox-key", plaintext)) == plaintext
