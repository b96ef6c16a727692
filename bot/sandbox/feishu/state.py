"""What the Feishu VC fake and its invite endpoint share: meeting and participant states, the
documented error codes and how an error answer looks."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.responses import JSONResponse

from bot.sandbox.base import error_json

# Meeting status (vendor-notes: believed 1 calling, 2 in progress, 3 ended)
CALLING, IN_PROGRESS, ENDED = 1, 2, 3
# Participant status: 1 calling, 2 in meeting, 3 ringing, 4 left
P_CALLING, P_IN_MEETING, P_RINGING, P_LEFT = 1, 2, 3, 4

ERRORS: dict[int, tuple[int, str]] = {
    121001: (500, "internal error"),
    121002: (400, "not support"),
    121003: (400, "param error"),
    121005: (403, "no permission"),
    121006: (409, "data conflict"),
    122001: (400, "meeting status unexpected"),
    122002: (404, "meeting not exist"),
    122003: (400, "operator user not in meeting"),
    122004: (400, "target user not in meeting"),
    122005: (400, "cannot operate self"),
    122006: (400, "participant count reach limit"),  # invite only (feishu_invite.py)
    122007: (400, "callee is busy"),
    122008: (400, "meeting is locked"),
    122009: (400, "participant status not expected"),
}


def err(code: int, data: dict[str, Any] | None = None) -> JSONResponse:
    status, msg = ERRORS[code]
    body: dict[str, Any] = {"code": code, "msg": msg, "error": {"log_id": secrets.token_hex(8)}}
    if data is not None:
        body["data"] = data
    return error_json(status, body)
