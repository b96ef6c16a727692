"""Feishu webhook authentication: what a POST /feishu/events must carry before anything parses it.

lark-oapi's EventDispatcherHandler decrypts and parses the body first and checks the signature
last, skips the signature for `url_verification`, and does not check the timestamp at all
(vendor-notes §A), and bot/adapters/feishu/transport/events.py does as it does. So the adapter checks here, on the
raw bytes, before any of that sees them:

- both FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN are configured (the token alone travels in
  every plaintext event; the key alone leaves url_verification open),
- X-Lark-Request-Timestamp, X-Lark-Request-Nonce and X-Lark-Signature are all present,
- the timestamp is within MAX_SKEW_S of now (replay),
- X-Lark-Signature == sha256(timestamp + nonce + encrypt_key + body), compared in constant time.

The body's size is bounded before this (bot/ops/limits.py); hashing a 1 MiB body takes ~2 ms.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping

from bot.wire import LARK_NONCE, LARK_SIGNATURE, LARK_TIMESTAMP, lark_signature

# The header names as lark-oapi spells them (lark_oapi/core/const.py; the signature's in bot/wire.py);
# importing that module would import lark_oapi.core, which a bot that has not yet received a Feishu
# event does not need.
X_REQUEST_ID = "X-Request-Id"
MAX_SKEW_S = 300  # a webhook request stamped further from now than this is refused (replay)
# Starlette lower-cases header names; lark-oapi looks them up by these exact spellings.
CANONICAL_HEADERS = {h.lower(): h for h in (LARK_TIMESTAMP, LARK_NONCE, LARK_SIGNATURE,
                                            X_REQUEST_ID, "Content-Type")}


def refusal(encrypt_key: str, body: bytes, headers: Mapping[str, str], now: float) -> str:
    """Why this request is not from Feishu ('' when it is): checked on the raw bytes, nothing parsed."""
    stamp = headers.get(LARK_TIMESTAMP.lower(), "")
    nonce = headers.get(LARK_NONCE.lower(), "")
    sig = headers.get(LARK_SIGNATURE.lower(), "")
    if not (stamp and nonce and sig):
        return "timestamp, nonce or signature header missing"
    if not stamp.isdigit() or len(stamp) > 12 or abs(now - int(stamp)) > MAX_SKEW_S:
        return f"timestamp {stamp[:20]!r} is more than {MAX_SKEW_S} s off"
    expected = lark_signature(stamp, nonce, encrypt_key, body)
    if not hmac.compare_digest(expected.encode("ascii"), sig.encode("utf-8", "replace")):
        return "signature does not match"
    return ""


def sdk_message(content: bytes) -> str:
    """The `msg` of the SDK's error answer (its 500 body)."""
    try:
        return str(json.loads(content).get("msg") or "")
    except (ValueError, AttributeError):
        return content[:200].decode("utf-8", "replace")
