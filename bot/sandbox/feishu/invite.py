"""Fake Feishu VC invite (PATCH /open-apis/vc/v1/meetings/:meeting_id/invite), kept beside feishu.py.

Written from vendor-docs/feishu-vc-invite.md. Only a user_access_token may call it; the operator
must be in the meeting; at most 10 invitees; each invitee gets `status` 1 (invited) or 2 (failed).
Every documented code is reachable from state:

    121003 param error ........... no invitees, more than 10, an invitee without id
    121005 no permission ......... meeting of another tenant
    122001 status unexpected ..... meeting not in progress
    122002 meeting not exist ..... unknown meeting_id
    122003 operator not in mtg ... the token's user is not in the meeting
    122005 cannot operate self ... the operator invites themselves
    122006 count reach limit ..... the meeting is full (FeishuMeeting.max_participants)
    122007 callee is busy ........ every invitee of the call is busy (FeishuFake.busy); a busy
                                   invitee among others only gets status 2
    122008 meeting is locked ..... FeishuMeeting.locked
and 121001 by a fault. A tenant token is refused with 99991668, an expired user token with
99991677 (both codes UNCONFIRMED: vendor-notes §A lists no user-token codes). Invitee ids are read
as the request's `user_id_type` (open_id / union_id / user_id), and the app's 50/s and 1000/min
are enforced (429 / 99991400, bot/sandbox/feishu/limits.py).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.sandbox.base import error_json
from bot.sandbox.feishu.state import IN_PROGRESS, P_CALLING, P_IN_MEETING, P_LEFT, P_RINGING, VcFake
from bot.sandbox.feishu.state import err as _err

MAX_INVITEES = 10
STATUS_INVITED, STATUS_FAILED = 1, 2


def invite(fake: VcFake, request: Request, body: Any) -> Response:
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if token in fake.expired_user_tokens:
        return error_json(400, {"code": 99991677, "msg": "user access token expired"})
    admitted = fake.admit_change(request, user_token_only=True)
    if isinstance(admitted, Response):
        return admitted
    (_, who), kind = admitted
    mid = request.path_params["meeting_id"]
    with fake.lock:
        meeting = fake.meetings.get(mid)
        if meeting is None:
            return _err(122002)
        invitees = body.get("invitees") if isinstance(body, dict) else None
        if not isinstance(invitees, list) or not 1 <= len(invitees) <= MAX_INVITEES \
                or not all(isinstance(i, dict) and i.get("id") for i in invitees):
            return _err(121003)
        if meeting.foreign_tenant:
            return _err(121005)
        if meeting.status != IN_PROGRESS:
            return _err(122001)
        if meeting.participants.get(who, (1, P_LEFT))[1] != P_IN_MEETING:
            return _err(122003)
        ids = [fake.to_open_id(kind, str(i["id"])) for i in invitees]
        if who in ids:
            return _err(122005)
        if meeting.locked:
            return _err(122008)
        if all(i in fake.busy for i in ids):
            return _err(122007)
        present = sum(1 for _, s in meeting.participants.values() if s in (P_IN_MEETING, P_CALLING, P_RINGING))
        if present + len(ids) > meeting.max_participants:
            return _err(122006)
        results: list[dict[str, Any]] = []
        for item, uid in zip(invitees, ids, strict=True):
            utype = int(item.get("user_type") or 1)
            ok = uid in fake.users and uid not in fake.busy and utype == 1
            if ok and meeting.participants.get(uid, (1, P_LEFT))[1] != P_IN_MEETING:
                meeting.participants[uid] = (utype, P_CALLING)
            results.append({"id": str(item["id"]), "user_type": utype,
                            "status": STATUS_INVITED if ok else STATUS_FAILED})
    return JSONResponse({"code": 0, "msg": "success", "data": {"invite_results": results}})
