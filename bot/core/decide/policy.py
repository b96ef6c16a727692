"""Policy settings: who the admins are, and which intents ask for confirmation.

The decision itself is the gate (bot/core/decide/gate.py), a pure function of the Plan. This module holds
what the gate is fed from the settings:
  HOSTBOT_ADMINS    chat user ids, emails, or groups (a Slack user group, a Feishu group chat or
                    department: bot/core/identity/admins.py) whose people may act on any meeting
  HOSTBOT_CONFIRM   per-intent overrides of the confirmation mode each intent declares with
                    @intent(..., confirm=...), e.g. "set_host=always,remove_cohost=never"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.identity.admins import group_ref
from bot.core.model.plan import ConfirmMode

if TYPE_CHECKING:
    from bot.core.identity.admins import AdminGroups
    from bot.core.identity.resolver import Person


class PolicyConfigError(ValueError):
    pass


def parse_confirm_modes(spec: str) -> dict[str, ConfirmMode]:
    """'set_host=always,reassign=never' -> {"set_host": ALWAYS, "reassign": NEVER}."""
    modes: dict[str, ConfirmMode] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, mode = part.partition("=")
        try:
            modes[name.strip()] = ConfirmMode(mode.strip().lower())
        except ValueError:
            raise PolicyConfigError(
                f"HOSTBOT_CONFIRM: {part!r} should be INTENT=always|never|others") from None
    return modes


@dataclass(frozen=True)
class Policy:
    admins: tuple[str, ...] = ()
    confirm: dict[str, ConfirmMode] = field(default_factory=dict)  # HOSTBOT_CONFIRM overrides
    groups: AdminGroups | None = None  # the groups among `admins`, read through the platforms

    async def is_admin(self, person: Person | None, chat_user: str, platform: str = "") -> bool:
        """Named in HOSTBOT_ADMINS (chat user id or email), or a member of a group named there
        (of `platform`'s groups only, when given)."""
        if self.is_listed(person, chat_user):
            return True
        return self.groups is not None and await self.groups.contains(chat_user, platform)

    def is_listed(self, person: Person | None, chat_user: str) -> bool:
        admins = {a.lower() for a in self.admins}
        if chat_user.lower() in admins:
            return True
        return person is not None and bool(person.email) and person.email.lower() in admins

    @property
    def listed_users(self) -> list[str]:
        """The chat user ids HOSTBOT_ADMINS names one by one (not emails, not groups)."""
        return [a for a in self.admins if "@" not in a and group_ref(a) is None]

    def confirm_mode(self, intent: str, declared: ConfirmMode) -> ConfirmMode:
        return self.confirm.get(intent, declared)
