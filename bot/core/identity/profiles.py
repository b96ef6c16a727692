"""What a chat platform tells about a person (a Profile), and how identity asks for it.

The platforms' own lookups are adapters: bot/adapters/slack/profiles.py (users.info) and
bot/adapters/feishu/directory.py (contact v3). Each answers a Profile or raises IdentityError
(`transient` when trying again later may help).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

SLACK_EMAIL_SCOPE = "users:read.email"
FEISHU_EMAIL_SCOPE = "contact:user.email:readonly"
PLATFORM_NAMES = {"slack": "Slack", "feishu": "Feishu", "console": "console"}


@dataclass(frozen=True)
class Profile:
    chat_user: str
    name: str = ""
    email: str = ""
    ids: dict[str, str] = field(default_factory=dict)  # vendor key (VENDOR_ID_COLUMNS) -> id
    email_scope: str = ""  # the scope whose absence hid the email; '' when it was visible
    tz: str = ""
    locale: str = ""


class ProfileSource(Protocol):
    platform: str

    async def profile(self, chat_user: str) -> Profile: ...

    async def by_email(self, email: str) -> Profile | None:
        """The chat user with this email on the platform; None when there is nobody with it."""
        ...


class EmailDirectory(Protocol):
    async def open_id_by_email(self, email: str, who: str) -> str | None: ...
