"""The fake Slack workspace's people, channels and tokens: the values the Web API fake (web.py) and its
mixins (views.py, groups.py) share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SlackUser:
    id: str
    name: str  # the handle
    real_name: str = ""
    email: str = ""
    tz: str = "America/Los_Angeles"
    tz_label: str = "Pacific Standard Time"
    tz_offset: int = -28800
    locale: str = "en-US"
    is_bot: bool = False
    deleted: bool = False

    def as_json(self, team_id: str, *, with_email: bool, with_locale: bool) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "real_name": self.real_name or self.name,
            "real_name_normalized": self.real_name or self.name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "team": team_id,
        }
        if with_email and self.email:
            profile["email"] = self.email
        user: dict[str, Any] = {
            "id": self.id, "team_id": team_id, "name": self.name, "deleted": self.deleted,
            "real_name": self.real_name or self.name, "tz": self.tz, "tz_label": self.tz_label,
            "tz_offset": self.tz_offset, "profile": profile, "is_admin": False, "is_owner": False,
            "is_bot": self.is_bot, "is_app_user": False, "updated": 1_700_000_000,
        }
        if with_locale:
            user["locale"] = self.locale
        return user


@dataclass
class SlackChannel:
    id: str
    name: str
    members: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)

    def find(self, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages if m["ts"] == ts), None)


@dataclass
class SlackToken:
    scopes: tuple[str, ...]
    user_id: str  # the bot user the token acts as
