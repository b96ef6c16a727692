"""How handovers read: times in the reader's zone, durations, names as people know them."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.identity.resolver import IdentityResolver
from bot.i18n import MESSAGES, t, vendor_name
from bot.i18n.clock import when_text, zone_of
from bot.scheduling.book import Handover

__all__ = ["duration_text", "hkey", "until_text", "when_text", "words", "zone_of"]


def hkey(h: Handover, key: str) -> str:
    """The message `key` for handover `h`: its co-host form (`key`_cohost, bot/i18n/expire.py) when `h`
    ends a co-host role ("… stops being co-host") rather than giving the host role."""
    cohost = f"{key}_cohost"
    return cohost if h.operation == "remove_cohost" and cohost in MESSAGES else key


def duration_text(lang: str, delta: timedelta) -> str:
    seconds = max(0, round(delta.total_seconds()))
    if seconds < 60:
        return t(lang, "duration_seconds", n=seconds)
    minutes = round(seconds / 60)
    if minutes < 60:
        return t(lang, "duration_minutes", n=minutes)
    if minutes % 60 == 0:
        return t(lang, "duration_whole_hours", h=minutes // 60)
    return t(lang, "duration_hours", h=minutes // 60, m=minutes % 60)


def until_text(lang: str, at: datetime, now: datetime) -> str:
    return t(lang, "until", duration=duration_text(lang, at - now))


async def words(h: Handover, people: IdentityResolver, lang: str, now: datetime, tz: str = "") -> dict[str, str]:
    """The placeholders every handover message uses, for a reader in `tz` (default: the requester's)."""
    zone = tz or h.tz
    host_chat = await people.chat_user_for(h.platform, h.vendor, h.host)
    return {
        "id": str(h.id),
        "target": await people.describe_chat_user(h.platform, h.target),
        "host": await people.describe_chat_user(h.platform, host_chat) if host_chat
        else await people.describe(h.vendor, h.host),
        "requester": await people.describe_chat_user(h.platform, h.requester),
        "vendor": vendor_name(lang, h.vendor),
        "meeting": h.meeting_display,
        "when": when_text(h.due, zone, now),
        "until": until_text(lang, h.due, now),
    }
