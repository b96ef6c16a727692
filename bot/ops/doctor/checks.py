"""What a doctor check is: one line of `hostbot doctor`'s table (bot/ops/doctor/report.py, doctor_remote.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.i18n import t


@dataclass(frozen=True)
class Check:
    area: str  # "database", "slack", "feishu", ... (not translated: the names people configure)
    what: str  # what was checked
    ok: bool
    result: str  # what was found
    fix: str = ""  # for a failed check: exactly what to do


Say = Callable[..., str]


def sayer(lang: str) -> Say:
    def say(key: str, **values: object) -> str:
        return t(lang, key, **values)

    return say
