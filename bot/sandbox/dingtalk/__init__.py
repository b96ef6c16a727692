"""Fake DingTalk API (api.dingtalk.com, mounted under /dingtalk): app tokens, conference lookup, co-hosts.

Written from vendor-docs/dingtalk-conference-cohosts.md, vendor-notes.md §C and the error bodies in
vendor-oracles/dingtalk (non-2xx + {"code", "message", "requestid"}). Reachable from state:

    token      POST /v1.0/oauth2/accessToken, JSON {appKey, appSecret} -> {accessToken, expireIn};
               a form body is refused ("body is mandatory for this action"); wrong key or secret
               -> 400 (code name UNCONFIRMED)
    auth       missing, unknown, expired or JSON-quoted token -> 400 InvalidAuthentication
               (the status of the third-party sample; `token_error_status` can make it 401)
    permission the app lacks VideoConference.Conference.Write -> 403 Forbidden.AccessDenied...
    lookup     GET /v1.0/conference/videoConferences/{id} -> {"confInfo": {...}}
    members    GET .../{id}/members -> {"memberModels": [{unionId, userNick, host, coHost, attendStatus}],
               "totalCount"} (QueryConferenceMembers of the official SDK; host/coHost as booleans)
    coHosts    POST .../{id}/coHosts/set {action, userList[{unionId}]} -> {"success": true}
               unknownUserError ... a unionId not in this organisation (doc)
               paramsError ........ no/unknown conferenceId, bad action, empty userList (doc: "error:%s");
                                    GUESS: a conference that has not started ("error:conference is not
                                    started") or has ended ("error:conference is ended") refuses
                                    co-hosts too: the doc does not say, vendor-notes §C marks it UNCONFIRMED
               systemError ........ fault only (status 500)
               {"success": false} . fault only: the doc shows the field, not when it is false
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.base import FakeBase, error_json

CREATED, STARTED, ENDED = 0, 1, 2
PREFIX = "/dingtalk"
WRITE_PERMISSION = "VideoConference.Conference.Write"


@dataclass
class DingTalkUser:
    union_id: str
    name: str


@dataclass
class Conference:
    id: str
    title: str
    creator: str  # unionId
    status: int = STARTED
    room_code: str = ""
    cohosts: set[str] = field(default_factory=set)
    start_time: int = 0


def _error(status: int, code: str, message: str) -> JSONResponse:
    return error_json(status, {"code": code, "message": message, "requestid": secrets.token_hex(16).upper()})


class DingTalkFake(FakeBase):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lock = threading.RLock()
        self.app_key = f"ding{secrets.token_hex(8)}"
        self.app_secret = secrets.token_urlsafe(24)
        self.users: dict[str, DingTalkUser] = {}
        self.conferences: dict[str, Conference] = {}
        self.tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.token_lifetime = 7200
        self.token_error_status = 400
        self.permissions = {WRITE_PERMISSION, "VideoConference.Conference.Read"}

    # ---- state helpers ---------------------------------------------------------------------
    def add_user(self, name: str) -> DingTalkUser:
        user = DingTalkUser(union_id=secrets.token_urlsafe(20).replace("-", "x").replace("_", "y"), name=name)
        with self.lock:
            self.users[user.union_id] = user
        return user

    def add_conference(self, creator: DingTalkUser, title: str = "Design review", *, conference_id: str = "",
                       status: int = STARTED, room_code: str = "") -> Conference:
        conf = Conference(id=conference_id or f"{secrets.token_hex(10)}-{secrets.token_hex(3)}", title=title,
                          creator=creator.union_id, status=status,
                          room_code=room_code or str(100_000_000 + secrets.randbelow(900_000_000)),
                          start_time=int(time.time() * 1000) - 600_000)
        with self.lock:
            self.conferences[conf.id] = conf
        return conf

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    # ---- routes ------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            Route(f"{PREFIX}/v1.0/oauth2/accessToken", self.endpoint("dingtalk.token", self._token),
                  methods=["POST"]),
            Route(f"{PREFIX}/v1.0/conference/videoConferences/{{conference_id}}",
                  self.endpoint("dingtalk.get_conference", self._get), methods=["GET"]),
            Route(f"{PREFIX}/v1.0/conference/videoConferences/{{conference_id}}/coHosts/set",
                  self.endpoint("dingtalk.cohosts", self._cohosts), methods=["POST"]),
            Route(f"{PREFIX}/v1.0/conference/videoConferences/{{conference_id}}/members",
                  self.endpoint("dingtalk.members", self._members), methods=["GET"]),
            Route(f"{PREFIX}/v1.0/conference/users/lists",
                  self.endpoint("dingtalk.user_conferences", self._user_conferences), methods=["GET"]),
        ]

    async def _user_conferences(self, request: Request, body: Any) -> Response:
        """QueryUserOnGoingConference (official SDK conference_1_0: GET, query unionId, required): the
        started conferences the user is in (here: created or co-hosting). onGoingConfIdList is the SDK's
        field; memberModelMap's content is not modelled (GUESS: left empty), nor the permission name
        (GUESS: VideoConference.Conference.Read, as for members)."""
        refused = self._check(request, "VideoConference.Conference.Read")
        if refused is not None:
            return refused
        union_id = request.query_params.get("unionId", "")
        if not union_id:
            return _error(400, "paramsError", "error:unionId is required")
        with self.lock:
            ids = [c.id for c in self.conferences.values()
                   if c.status == STARTED and (c.creator == union_id or union_id in c.cohosts)]
        return JSONResponse({"onGoingConfIdList": ids, "memberModelMap": {}})

    async def _members(self, request: Request, body: Any) -> Response:
        refused = self._check(request, "VideoConference.Conference.Read")
        if refused is not None:
            return refused
        with self.lock:
            conf = self.conferences.get(request.path_params["conference_id"])
            if conf is None:
                return _error(400, "paramsError", "error:conferenceId is invalid")
            ids = [conf.creator, *sorted(conf.cohosts - {conf.creator})]
            models = [{"unionId": uid, "conferenceId": conf.id,
                       "userNick": self.users[uid].name if uid in self.users else "",
                       "host": uid == conf.creator, "coHost": uid in conf.cohosts, "attendStatus": 1}
                      for uid in ids]
        return JSONResponse({"memberModels": models, "totalCount": len(models)})

    async def _token(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):  # the endpoint takes JSON only (dingtalk_error_samples.json)
            return _error(400, "MissingBody", "body is mandatory for this action")
        if body.get("appKey") != self.app_key or body.get("appSecret") != self.app_secret:
            return _error(400, "invalidClientIdOrSecret", "无效的appKey或appSecret")
        token = secrets.token_hex(16)
        with self.lock:
            self.tokens[token] = time.time() + self.token_lifetime
        return JSONResponse({"accessToken": token, "expireIn": self.token_lifetime})

    def _check(self, request: Request, permission: str) -> Response | None:
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is None or expiry < time.time():
            # A quoted token (as the official SDK sends it) lands here too.
            return _error(self.token_error_status, "InvalidAuthentication", "不合法的access_token")
        if permission not in self.permissions:
            body = {"code": "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                    "message": f"没有调用该接口的权限，接口权限申请参考：{permission}",
                    "requestid": secrets.token_hex(16).upper(),
                    "accessdenieddetail": {"requiredPermissions": [permission]}}
            return error_json(403, body)
        return None

    async def _get(self, request: Request, body: Any) -> Response:
        refused = self._check(request, "VideoConference.Conference.Read")
        if refused is not None:
            return refused
        with self.lock:
            conf = self.conferences.get(request.path_params["conference_id"])
            if conf is None:
                return _error(400, "paramsError", "error:conferenceId is invalid")
            creator = self.users.get(conf.creator)
            info = {"conferenceId": conf.id, "title": conf.title, "status": conf.status, "creatorId": conf.creator,
                    "creatorNick": creator.name if creator else "", "roomCode": conf.room_code,
                    "startTime": conf.start_time, "activeNum": 1, "attendNum": 1, "invitedNum": 0,
                    "externalLinkUrl": f"https://meeting.dingtalk.com/j/{conf.room_code}"}
        return JSONResponse({"confInfo": info, "requestId": secrets.token_hex(16).upper()})

    async def _cohosts(self, request: Request, body: Any) -> Response:
        refused = self._check(request, WRITE_PERMISSION)
        if refused is not None:
            return refused
        if not isinstance(body, dict) or body.get("action") not in ("add", "remove"):
            return _error(400, "paramsError", "error:action must be add or remove")
        users = body.get("userList")
        if not isinstance(users, list) or not users or not all(isinstance(u, dict) for u in users):
            return _error(400, "paramsError", "error:userList is empty")
        with self.lock:
            conf = self.conferences.get(request.path_params["conference_id"])
            if conf is None:
                return _error(400, "paramsError", "error:conferenceId is invalid")
            if conf.status == ENDED:  # GUESS (see the module docstring)
                return _error(400, "paramsError", "error:conference is ended")
            if conf.status == CREATED:  # GUESS: co-hosts only while the conference runs
                return _error(400, "paramsError", "error:conference is not started")
            ids = [str(u.get("unionId") or "") for u in users]
            if any(i not in self.users for i in ids):
                return _error(400, "unknownUserError", "unknownUserError")
            if body["action"] == "add":
                conf.cohosts.update(ids)
            else:
                conf.cohosts.difference_update(ids)
        return JSONResponse({"success": True})
