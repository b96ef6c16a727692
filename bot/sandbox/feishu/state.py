"""What the Feishu VC fake and its invite endpoint share: meeting and participant states, the
documented error codes and how an error answer looks."""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

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


@dataclass
class FeishuUser:
    open_id: str
    union_id: str
    user_id: str
    name: str
    email: str = ""


@dataclass
class FeishuMeeting:
    id: str  # 19 digits, as a string on the wire
    meeting_no: str  # 9 digits
    topic: str
    host: tuple[str, int]  # (id, user_type)
    status: int = IN_PROGRESS
    participants: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (user_type, status)
    start_time: int = 0
    end_time: int = 0
    foreign_tenant: bool = False  # owned by another tenant: 121005 for us
    locked: bool = False  # nobody can be invited: 122008
    max_participants: int = 100  # invite beyond it: 122006

    def as_json(self, with_participants: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "topic": self.topic,
            "url": f"https://vc.feishu.cn/j/{self.meeting_no}",
            "meeting_no": self.meeting_no,
            "start_time": str(self.start_time),
            "end_time": str(self.end_time) if self.end_time else "",
            "host_user": {"id": self.host[0], "user_type": self.host[1]},
            "status": self.status,
            "participant_count": str(sum(1 for _, s in self.participants.values() if s == P_IN_MEETING)),
        }
        if with_participants:
            out["participants"] = [
                {"id": pid, "user_type": utype, "status": status, "is_host": pid == self.host[0]}
                for pid, (utype, status) in self.participants.items()
            ]
        return out


class VcFake(Protocol):
    """What set_host and invite (host.py, invite.py) use of the fake Feishu (vc.FeishuFake): named here so
    that those modules need not import the fake that mounts them."""

    @property
    def lock(self) -> AbstractContextManager[Any]: ...
    @property
    def users(self) -> dict[str, FeishuUser]: ...
    @property
    def meetings(self) -> dict[str, FeishuMeeting]: ...
    @property
    def race_hosts(self) -> dict[str, tuple[str, int]]: ...
    @property
    def busy(self) -> set[str]: ...
    @property
    def expired_user_tokens(self) -> set[str]: ...

    def to_open_id(self, kind: str, raw: str) -> str: ...

    def from_open_id(self, kind: str, open_id: str) -> str: ...

    def admit_change(self, request: Request, *, user_token_only: bool = False
                     ) -> tuple[tuple[str, str], str] | Response: ...
