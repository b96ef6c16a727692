"""Fake Slack user groups: usergroups.list and usergroups.users.list (a mixin of SlackFake).

Shapes and errors from Slack's method pages (as mirrored by the SDKs' method docs; the spec file itself
is not in vendor-oracles): both need usergroups:read (missing_scope with `needed`, checked by SlackFake);
usergroups.users.list requires `usergroup` (missing_argument without it, GUESS: Slack's generic code) and
answers `no_such_subteam` for an id it does not know; a disabled group's members are listed only with
include_disabled (GUESS: without it, no_such_subteam as well). usergroups.list leaves disabled groups
out unless include_disabled, and `users` out unless include_users. Tests steer membership with
`add_usergroup` / `set_usergroup_members`.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse, Response

from bot.sandbox.slack.people import SlackToken, SlackUser

_GROUP_IDS = itertools.count(1)


@dataclass
class SlackUsergroup:
    id: str
    handle: str
    name: str
    users: list[str] = field(default_factory=list)
    disabled: bool = False

    def as_json(self, team_id: str, with_users: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "team_id": team_id, "is_usergroup": True, "name": self.name,
                               "description": "", "handle": self.handle, "is_external": False,
                               "date_create": 1_700_000_000, "date_update": 1_700_000_000,
                               "date_delete": 1_700_000_001 if self.disabled else 0, "auto_type": None,
                               "created_by": "USLACKBOT", "updated_by": "USLACKBOT", "deleted_by": None,
                               "prefs": {"channels": [], "groups": []}, "user_count": len(self.users)}
        if with_users:
            out["users"] = list(self.users)
        return out


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes")


class UsergroupsMixin:
    lock: threading.RLock
    team_id: str
    usergroups: dict[str, SlackUsergroup]

    def add_usergroup(self, handle: str, members: list[SlackUser]) -> SlackUsergroup:
        group = SlackUsergroup(id=f"S{next(_GROUP_IDS):04d}GRP{handle.upper()[:4]}", handle=handle,
                               name=handle.title(), users=[m.id for m in members])
        with self.lock:
            self.usergroups[group.id] = group
        return group

    def set_usergroup_members(self, group_id: str, members: list[SlackUser]) -> None:
        """As usergroups.users.update (or an admin in Slack's UI) would."""
        with self.lock:
            self.usergroups[group_id].users = [m.id for m in members]

    async def _usergroups_list(self, args: dict[str, Any], token: SlackToken) -> Response:
        with self.lock:
            groups = [g.as_json(self.team_id, _truthy(args.get("include_users"))) for g in self.usergroups.values()
                      if not g.disabled or _truthy(args.get("include_disabled"))]
        return JSONResponse({"ok": True, "usergroups": groups})

    async def _usergroups_users_list(self, args: dict[str, Any], token: SlackToken) -> Response:
        wanted = str(args.get("usergroup") or "")
        if not wanted:
            return JSONResponse({"ok": False, "error": "missing_argument"})
        with self.lock:
            group = self.usergroups.get(wanted)
            if group is None or (group.disabled and not _truthy(args.get("include_disabled"))):
                return JSONResponse({"ok": False, "error": "no_such_subteam"})
            return JSONResponse({"ok": True, "users": list(group.users)})
