"""`hostbot doctor`'s check of the groups named in HOSTBOT_ADMINS (bot/core/identity/admins.py): each is read
once through the same code the bot uses, and a failure names the scope to grant when the platform says."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from bot.core.identity.admins import DirectoryError
from bot.ops.doctor.checks import Check, Say


async def admin_group_checks(s: Settings, say: Say) -> list[Check]:
    from bot.app import build_admin_groups, build_clients

    clients = build_clients(s)
    groups = build_admin_groups(s, clients, lambda: datetime.now(UTC))
    if groups is None:
        return []
    checks = []
    for ref, found in await groups.check():
        what = say("doctor_what_admin_group", group=str(ref))
        if not isinstance(found, DirectoryError):
            checks.append(Check(ref.platform, what, True, say("doctor_admin_group_ok", count=found)))
            continue
        fix = (say("doctor_fix_admin_group_scope", platform=ref.platform.title(), scope=found.scope) if found.scope
               else say("doctor_fix_admin_group", group=str(ref)))
        reason = say(found.key, **found.values)
        checks.append(Check(ref.platform, what, False, say("doctor_admin_group_failed", reason=reason), fix))
    return checks
