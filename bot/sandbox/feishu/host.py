"""Fake Feishu VC set_host (PATCH /open-apis/vc/v1/meetings/:meeting_id/set_host), kept beside vc.py.

Written from vendor-docs/feishu-vc-set-host.md (the codes are listed in vc.py's docstring). Strict
where the real API is: the ids of host_user / old_host_user are read as the request's `user_id_type`
(open_id, union_id or user_id; the answer's data.host_user speaks the same type), and the app's
50/s and 1000/min are enforced from the fake's own state (429, code 99991400).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.sandbox.feishu.state import IN_PROGRESS, P_IN_MEETING, P_LEFT, VcFake
from bot.sandbox.feishu.state import err as _err


def set_host(fake: VcFake, request: Request, body: Any) -> Response:
    admitted = fake.admit_change(request)
    if isinstance(admitted, Response):
        return admitted
    op, kind = admitted
    mid = request.path_params["meeting_id"]
    with fake.lock:
        if mid in fake.race_hosts and mid in fake.meetings:
            fake.meetings[mid].host = fake.race_hosts.pop(mid)
        meeting = fake.meetings.get(mid)
        if meeting is None:
            return _err(122002)
        if not isinstance(body, dict) or not isinstance(body.get("host_user"), dict) \
                or not body["host_user"].get("id"):
            return _err(121003)
        if meeting.foreign_tenant:
            return _err(121005)
        if meeting.status != IN_PROGRESS:
            return _err(122001)
        target_id = fake.to_open_id(kind, str(body["host_user"]["id"]))
        target_type = int(body["host_user"].get("user_type") or 1)
        who_kind, who = op
        if who_kind == "user":
            if meeting.participants.get(who, (1, P_LEFT))[1] != P_IN_MEETING:
                return _err(122003)
            if who == target_id:
                return _err(122005)
            if meeting.host[0] != who:
                return _err(121005)
        old = body.get("old_host_user")
        current = {"id": fake.from_open_id(kind, meeting.host[0]), "user_type": meeting.host[1]}
        if isinstance(old, dict) and old.get("id") and fake.to_open_id(kind, str(old["id"])) != meeting.host[0]:
            return _err(121006, {"host_user": current})
        if target_type != 1:
            return _err(121002)
        presence = meeting.participants.get(target_id)
        if presence is None or presence[1] == P_LEFT:
            return _err(122004)
        if presence[1] != P_IN_MEETING:
            return _err(122009)
        meeting.host = (target_id, target_type)
        now = {"id": fake.from_open_id(kind, target_id), "user_type": target_type}
        return JSONResponse({"code": 0, "msg": "success", "data": {"host_user": now}})
