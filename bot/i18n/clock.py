"""Times as a reader reads them once: their own zone, no seconds, the offset spelled out.

    when_text(at, tz, now)   '15:00 (UTC+8)' today, '2026-11-22 15:00 (UTC+8)' another day

The offset rather than an abbreviation: 'CST' is China, Cuba or Central time, while 'UTC+8' is one
thing, and it still tells the two 01:30s of an autumn DST overlap apart (UTC-4, then UTC-5).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo


def zone_of(tz: str) -> tzinfo:
    try:
        return ZoneInfo(tz) if tz else UTC
    except (ValueError, KeyError, OSError):  # an unknown zone name: show UTC rather than fail
        return UTC


def offset_text(offset: timedelta | None) -> str:
    """'UTC', 'UTC+8', 'UTC-5', 'UTC+5:30'."""
    minutes = round((offset or timedelta()).total_seconds() / 60)
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def when_text(at: datetime, tz: str, now: datetime) -> str:
    """`at` in zone `tz` to the minute; the date too when it is not `now`'s day there."""
    zone = zone_of(tz)
    local = at.astimezone(zone)
    day = "" if local.date() == now.astimezone(zone).date() else local.strftime("%Y-%m-%d ")
    return f"{day}{local.strftime('%H:%M')} ({offset_text(local.utcoffset())})"
