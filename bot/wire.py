"""The chat platforms' wire formats, written once: Slack request signing, Feishu event encryption and signature.

Both directions, for whoever plays the platform (the sandbox, `hostbot say`, the tests, the bench) and
for the adapters that check what arrives. It imports nothing of hostbot and nothing heavy (the standard
library; `cryptography`, ~8 MiB, only when something is encrypted or decrypted), so any of them may import
it without pulling in the sandbox or an SDK. The product's Slack check stays slack_sdk's SignatureVerifier
and its Feishu decryption stays lark-oapi's AESCipher (bot/adapters/); tests/adapters/test_wire.py checks
this module against the vendors' own known-answer vectors, which those SDKs pass too.

Slack (vendor-oracles/slack/extracted/slack_signature_kat.json):
    X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing_secret, "v0:" + timestamp + ":" + raw body)),
    X-Slack-Request-Timestamp = timestamp (Unix seconds).
Feishu (vendor-oracles/lark/lark_decrypt_kat.json, vendor-notes §A):
    {"encrypt": base64(IV + AES-256-CBC(key = SHA-256(encrypt_key), IV, PKCS7(plaintext)))}, a random
    16-byte IV; X-Lark-Signature = hex(SHA-256(timestamp + nonce + encrypt_key + raw body)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

SLACK_TIMESTAMP, SLACK_SIGNATURE = "X-Slack-Request-Timestamp", "X-Slack-Signature"
LARK_TIMESTAMP, LARK_NONCE, LARK_SIGNATURE = "X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature"


def _stamp(timestamp: int | str | None) -> str:
    return str(int(time.time()) if timestamp is None else timestamp)


# ---- Slack ---------------------------------------------------------------------------------------
def slack_signature(secret: str, timestamp: str, body: str | bytes) -> str:
    """"v0=<hex>" for `body` (the raw bytes as sent; a str is taken as UTF-8) stamped `timestamp`."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(secret.encode("utf-8"), f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def slack_headers(secret: str, body: str | bytes, timestamp: int | str | None = None) -> dict[str, str]:
    """The two headers Slack sends with `body`, stamped now unless `timestamp` is given."""
    stamp = _stamp(timestamp)
    return {SLACK_TIMESTAMP: stamp, SLACK_SIGNATURE: slack_signature(secret, stamp, body)}


# ---- Feishu --------------------------------------------------------------------------------------
def _aes(encrypt_key: str, iv: bytes) -> Cipher[modes.CBC]:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    return Cipher(algorithms.AES(hashlib.sha256(encrypt_key.encode("utf-8")).digest()), modes.CBC(iv))


def lark_encrypt(encrypt_key: str, plaintext: str) -> str:
    """What Feishu puts in {"encrypt": ...} for `plaintext` (a fresh random IV each time)."""
    iv = os.urandom(16)
    from cryptography.hazmat.primitives import padding

    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext.encode("utf-8")) + padder.finalize()
    encryptor = _aes(encrypt_key, iv).encryptor()
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode("ascii")


def lark_decrypt(encrypt_key: str, encrypted: str) -> str:
    """The plaintext of a {"encrypt": ...} value; ValueError if it is not Feishu's ciphertext under this key
    (not base64, not whole blocks, bad padding, or not UTF-8)."""
    raw = base64.b64decode(encrypted, validate=True)
    if len(raw) < 32 or len(raw) % 16:
        raise ValueError("not an IV and whole AES blocks")
    decryptor = _aes(encrypt_key, raw[:16]).decryptor()
    from cryptography.hazmat.primitives import padding

    unpadder = padding.PKCS7(128).unpadder()
    data = unpadder.update(decryptor.update(raw[16:]) + decryptor.finalize()) + unpadder.finalize()
    return data.decode("utf-8")


def lark_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """X-Lark-Signature of the raw `body`."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode("utf-8") + body).hexdigest()


def lark_seal(encrypt_key: str, envelope: dict[str, Any], *, timestamp: int | str | None = None,
              nonce: str | None = None) -> tuple[bytes, dict[str, str]]:
    """The POST body and headers Feishu sends for the event `envelope`: encrypted, stamped now unless
    `timestamp` is given, signed."""
    body = json.dumps({"encrypt": lark_encrypt(encrypt_key, json.dumps(envelope, ensure_ascii=False))}).encode()
    stamp, nonce = _stamp(timestamp), secrets.token_hex(8) if nonce is None else nonce
    return body, {"Content-Type": "application/json; charset=utf-8", LARK_TIMESTAMP: stamp, LARK_NONCE: nonce,
                  LARK_SIGNATURE: lark_signature(stamp, nonce, encrypt_key, body)}
