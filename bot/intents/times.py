"""Pass 2 of the parser: the time a request names ("at 3pm", "in 20 minutes", "明天下午三点", "20分钟后").

English dates and clocks are resolved by dateparser; Chinese clock phrases (which dateparser
does not understand: "下午三点", "明早九点半") and relative durations in both languages are
resolved here. Every result is DST-safe:
- a relative time ("in 20 minutes") is elapsed time: now + 20 min as an instant, then shown in
  the speaker's zone, so it is right across a DST change;
- a wall-clock time is placed in the speaker's zone with zoneinfo; a wall time that does not
  exist that day (spring forward) or exists twice (fall back) is reported, never guessed.
A problem is reported as `problem` (an i18n key) with `values` for its placeholders.
The words and patterns themselves are in timewords.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n.clock import offset_text
from bot.intents.timewords import (
    _AGO,
    _EN_ABSOLUTE,
    _EN_RELATIVE,
    _ISO,
    _TIME_RESIDUE,
    _UNIT_SECONDS,
    _WEEKDAYS,
    _ZH_ABSOLUTE,
    _ZH_RELATIVE,
    BAD_CLOCK,
    _en_clock,
    _en_number,
    zh_number,
)

TIME_MARK = " \ue000t\ue000 "

# i18n keys of the problems a time can have
PAST = "time_in_past"
AMBIGUOUS_HOUR = "time_ambiguous_hour"
AMBIGUOUS_DST = "time_ambiguous_dst"
NONEXISTENT = "time_nonexistent"
NEED_CLOCK = "time_need_clock"
NOT_UNDERSTOOD = "time_not_understood"
NOT_SCHEDULABLE = "time_not_schedulable"  # a time said with a change that is never scheduled ("invite @x at 3pm")


@dataclass(frozen=True)
class TimeSpec:
    at: datetime | None  # aware, in the speaker's zone; None when it cannot be settled
    text: str  # the words that said it
    in_seconds: int | None = None  # for a relative time
    problem: str = ""  # one of the keys above, '' when fine
    values: dict[str, str] = field(default_factory=dict)


# ---- resolution ---------------------------------------------------------------------------
def place(day: date, clock: time, zone: tzinfo) -> tuple[datetime | None, str]:
    """A wall time on `day` in `zone`: (aware datetime, '') or (None / first reading, problem key)."""
    naive = datetime.combine(day, clock)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first, ""
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return None, NONEXISTENT  # skipped by a spring-forward change
    return None, AMBIGUOUS_DST  # happens twice: the clocks fall back


def _fmt(dt: datetime) -> str:
    """'2026-03-02 09:00 (UTC+1)': to the minute, with the offset (bot/i18n/clock.py)."""
    return f"{dt:%Y-%m-%d %H:%M} ({offset_text(dt.utcoffset())})"


def _spec(at: datetime | None, text: str, now: datetime, zone: tzinfo, problem: str = "",
          values: dict[str, str] | None = None, in_seconds: int | None = None) -> TimeSpec:
    values = dict(values or {})
    if at is not None and not problem and at < now:
        problem = PAST
        values = {"when": _fmt(at), "now": _fmt(now.astimezone(zone))}
    return TimeSpec(at, text.strip(), in_seconds, problem, values)


MAX_AHEAD_S = 366 * 86400  # a handover more than a year ahead is a typo, and datetime overflows far out


def _not_understood(text: str) -> TimeSpec:
    return TimeSpec(None, text.strip(), problem=NOT_UNDERSTOOD, values={"text": shown(text)})


def shown(text: str, limit: int = 40) -> str:
    """A phrase as a reply quotes it: a 490-digit "N分钟后" is named, not echoed whole."""
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[:limit - 14]}…{text[-12:]}"


def _relative(text: str, seconds: float, now: datetime, zone: tzinfo) -> TimeSpec:
    # Compared before rounding: a 490-digit count is float infinity, and round(inf) raises.
    if not 0 <= seconds <= MAX_AHEAD_S:
        return _not_understood(text)
    secs = round(seconds)
    at = (now + timedelta(seconds=secs)).astimezone(zone).replace(microsecond=0)
    return TimeSpec(at, text.strip(), secs)


def _wall(day: date, hour: int, minute: int, text: str, now: datetime, zone: tzinfo) -> TimeSpec:
    extra_day = 0
    if hour == 24:
        hour, extra_day = 0, 1
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return _not_understood(text)
    day = day + timedelta(days=extra_day)
    at, problem = place(day, time(hour, minute), zone)
    values: dict[str, str] = {}
    if problem:
        naive = datetime.combine(day, time(hour, minute))
        values = {"when": naive.strftime("%Y-%m-%d %H:%M"), "zone": str(zone)}
        if problem == AMBIGUOUS_DST:
            a, b = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
            values["first"], values["second"] = a.isoformat(), b.isoformat()
    return _spec(at, text, now, zone, problem, values)


def _ambiguous_hour(day: date, hour: int, minute: int, text: str, zone: tzinfo) -> TimeSpec:
    am, pm = time(hour % 12, minute), time(hour % 12 + 12, minute)
    return TimeSpec(None, text.strip(), problem=AMBIGUOUS_HOUR,
                    values={"text": text.strip(), "am": am.strftime("%H:%M"), "pm": pm.strftime("%H:%M"),
                            "date": day.isoformat()})


def _past_day(text: str, now: datetime, zone: tzinfo, back: timedelta | None = None) -> TimeSpec:
    """A day or a duration that is already over ("yesterday", "2 days ago"): past, with no time to keep."""
    when = now - back if back is not None else now
    shown_when = _fmt(when.astimezone(zone)) if back is not None else shown(text)
    return TimeSpec(None, text.strip(), problem=PAST, values={"when": shown_when, "now": _fmt(now.astimezone(zone))})


def _need_clock(text: str) -> TimeSpec:
    return TimeSpec(None, text.strip(), problem=NEED_CLOCK, values={"text": text.strip()})


# ---- English ------------------------------------------------------------------------------
def _en_relative(m: re.Match[str], now: datetime, zone: tzinfo) -> TimeSpec | None:
    if m.group("neg"):  # "in -5 minutes"
        return _not_understood(m.group(0))
    if m.group("half"):
        return _relative(m.group(0), 1800, now, zone)
    if m.group("hm_h"):
        return _relative(m.group(0), int(m.group("hm_h")) * 3600 + int(m.group("hm_m")) * 60, now, zone)
    n, unit = (m.group("n"), m.group("u")) if m.group("n") else (m.group("n2"), m.group("u2"))
    if n is None:  # "in an hour and a half"
        return _relative(m.group(0), 5400, now, zone)
    value = _en_number(n)
    if value is None or unit not in _UNIT_SECONDS:
        return None
    seconds = value * _UNIT_SECONDS[unit]
    if m.group("more"):  # "in 1 hour and 30 minutes"; minutes after anything but hours make no sense
        if _UNIT_SECONDS[unit] != 3600:
            return _not_understood(m.group(0))
        seconds += int(m.group("more")) * 60
    if seconds > 366 * 86400:
        return _not_understood(m.group(0))
    return _relative(m.group(0), seconds, now, zone)


def _en_day(word: str, today: date) -> date | None:
    """Today/tomorrow/weekdays ourselves (so a weekday means the next one, today included); the rest by dateparser."""
    word = re.sub(r"\s+", " ", word.strip().removeprefix("on ").strip())
    if word in ("today", "tonight"):
        return today
    if word in ("tomorrow", "tmr", "tmrw", "tmw"):
        return today + timedelta(days=1)
    if word.endswith("day after tomorrow"):
        return today + timedelta(days=2)
    if word.endswith("day before yesterday"):
        return today - timedelta(days=2)
    if word in ("yesterday", "last night"):
        return today - timedelta(days=1)
    wd = re.fullmatch(r"(next |this |last )?(mon|tue|wed|thu|fri|sat|sun)\w*", word)
    if wd:
        target = _WEEKDAYS[wd.group(2)]
        if wd.group(1) == "last ":
            return today - timedelta(days=(today.weekday() - target) % 7 or 7)
        if wd.group(1) == "next ":
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
            return monday + timedelta(days=target)
        return today + timedelta(days=(target - today.weekday()) % 7)
    return _dateparser_day(word, today)


def _dateparser_day(word: str, today: date) -> date | None:
    import dateparser  # imported on first use: it loads its language data lazily anyway

    got = dateparser.parse(word, languages=["en"], settings={
        "RELATIVE_BASE": datetime.combine(today, time(12, 0)), "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False, "DATE_ORDER": "YMD" if re.match(r"\d{4}", word) else "MDY",
        "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month"],
    })
    return got.date() if isinstance(got, datetime) else None


def _en_absolute(m: re.Match[str], now: datetime, zone: tzinfo) -> TimeSpec | None:
    local_today = now.astimezone(zone).date()
    if m.group("dayonly"):
        only = _en_day(m.group("dayonly"), local_today)
        if only is None:
            return _not_understood(m.group(0))
        return _past_day(m.group(0), now, zone) if only < local_today else _need_clock(m.group(0))
    day_word = m.group("day") or m.group("day2")
    day = _en_day(day_word, local_today) if day_word else local_today
    if day is None:  # "feb 30 at 10am": a date that is not one
        return _not_understood(m.group(0))
    period = m.group("period") or ("tonight" if day_word and "tonight" in day_word else None)
    parsed = _en_clock(m.group("clock"), period)
    if parsed == BAD_CLOCK:
        return _not_understood(m.group(0))
    hour, minute, ambiguous = parsed
    if ambiguous:
        return _ambiguous_hour(day, hour, minute, m.group(0), zone)
    return _wall(day, hour, minute, m.group(0), now, zone)


# ---- Chinese ------------------------------------------------------------------------------
_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
               "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}


def _zh_day(word: str, today: date) -> tuple[date, str]:
    """The date a Chinese day word names, and the part of day it implies ('早'/'晚'/'')."""
    fixed = {"今天": (0, ""), "今日": (0, ""), "今晚": (0, "晚"), "今早": (0, "早"), "明天": (1, ""),
             "明日": (1, ""), "明早": (1, "早"), "明晚": (1, "晚"), "后天": (2, ""), "大后天": (3, ""),
             "昨天": (-1, ""), "昨日": (-1, ""), "昨晚": (-1, "晚"), "前天": (-2, "")}
    if word in fixed:
        offset, part = fixed[word]
        return today + timedelta(days=offset), part
    md = re.fullmatch(r"(\d{1,2})月(\d{1,2})[日号]", word)
    if md:
        month, dom = int(md.group(1)), int(md.group(2))
        try:
            day = date(today.year, month, dom)
            if day < today:
                day = date(today.year + 1, month, dom)
        except ValueError:
            return today, "bad"
        return day, ""
    target = _ZH_WEEKDAY[word[-1]]
    if word.startswith("下"):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=target), ""
    if word.startswith("上"):
        monday = today - timedelta(days=today.weekday()) - timedelta(days=7)
        return monday + timedelta(days=target), ""
    if word.startswith(("这", "本")):
        return today - timedelta(days=today.weekday()) + timedelta(days=target), ""
    return today + timedelta(days=(target - today.weekday()) % 7), ""


def _zh_hour(hour: int, period: str) -> int | None:
    """Apply a part of day to an hour; None when the hour alone is ambiguous."""
    if period in ("凌晨",):
        return 0 if hour == 12 else hour
    if period in ("早上", "早晨", "上午", "早"):
        return hour
    if period == "中午":
        return hour if hour >= 11 else hour + 12
    if period in ("下午", "傍晚", "晚上", "夜里", "夜间", "晚"):
        return hour + 12 if hour < 12 else (24 if hour == 12 and period != "下午" else hour)
    return None if 1 <= hour <= 12 else hour


def _zh_absolute(m: re.Match[str], now: datetime, zone: tzinfo) -> TimeSpec | None:
    local_today = now.astimezone(zone).date()
    if m.group("dayonly"):
        only, _ = _zh_day(m.group("dayonly"), local_today)
        return _past_day(m.group(0), now, zone) if only < local_today else _need_clock(m.group(0))
    day, implied = _zh_day(m.group("day"), local_today) if m.group("day") else (local_today, "")
    if implied == "bad":
        return _not_understood(m.group(0))
    period = m.group("period") or implied
    if m.group("hh"):
        if not (m.group("day") or m.group("period")):
            return None  # a bare "15:00" is left to the English pass, which also sees "tomorrow 15:00"
        clock = int(m.group("hh"))
        placed = _zh_hour(clock, period) if period and clock <= 12 else None  # "下午3:30" is 15:30
        return _wall(day, clock if placed is None else placed, int(m.group("mm")), m.group(0), now, zone)
    if m.group("h") == "一" and not (m.group("day") or period or m.group("min")):
        return None  # "快一点" is "a bit quicker", not one o'clock
    raw_hour = zh_number(m.group("h"))
    if raw_hour is None:
        return None
    minute_word = (m.group("min") or "").strip().removesuffix("分").strip()
    minute = {"半": 30, "一刻": 15, "三刻": 45, "整": 0, "钟": 0, "": 0}.get(minute_word)
    if minute is None:
        value = zh_number(minute_word)
        if value is None:
            return None
        minute = int(value)
    hour = _zh_hour(int(raw_hour), period)
    if hour is None:
        return _ambiguous_hour(day, int(raw_hour), minute, m.group(0), zone)
    return _wall(day, hour, minute, m.group(0), now, zone)


def _zh_relative(m: re.Match[str], now: datetime, zone: tzinfo) -> TimeSpec | None:
    if m.group("neg") or m.group("neg2"):  # "-10分钟后"
        return _not_understood(m.group(0))
    n = zh_number(m.group("n")) if m.group("n") else None
    half = 0.5 if (m.group("half") or m.group("half2")) else 0.0
    if n is None and not half:
        return None
    seconds = ((n or 0.0) + half) * _UNIT_SECONDS[m.group("u")]
    if m.group("hn"):  # "1小时30分钟后"
        hours = zh_number(m.group("hn"))
        if hours is None or _UNIT_SECONDS[m.group("u")] >= 3600:
            return _not_understood(m.group(0))
        seconds += hours * 3600
    return _relative(m.group(0), seconds, now, zone)


def _iso(m: re.Match[str], now: datetime, zone: tzinfo) -> TimeSpec | None:
    try:
        day = date.fromisoformat(m.group(1))
        clock = time.fromisoformat(m.group(2).zfill(5) if len(m.group(2)) == 4 else m.group(2))
    except ValueError:
        return _not_understood(m.group(0))
    if m.group(3):  # an explicit offset is an instant: no wall-clock question
        offset = m.group(3)
        stamp = f"{day.isoformat()}T{clock.isoformat()}{'+00:00' if offset == 'z' else offset}"
        try:
            at = datetime.fromisoformat(stamp).astimezone(zone)
        except ValueError:
            return None
        return _spec(at, m.group(0), now, zone)
    return _wall(day, clock.hour, clock.minute, m.group(0), now, zone)


def _ago(m: re.Match[str], now: datetime, zone: tzinfo) -> TimeSpec | None:
    number = _en_number(m.group("n")) if m.group("n") else zh_number(m.group("zn"))
    unit = _UNIT_SECONDS.get(m.group("u") or m.group("zu") or "")
    if number is None or unit is None or not number * unit <= MAX_AHEAD_S:
        return _not_understood(m.group(0))
    return _past_day(m.group(0), now, zone, timedelta(seconds=number * unit))


_PASSES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (_ISO, _iso),
    (_AGO, _ago),
    (_EN_RELATIVE, _en_relative),
    (_ZH_RELATIVE, _zh_relative),
    (_ZH_ABSOLUTE, _zh_absolute),
    (_EN_ABSOLUTE, _en_absolute),
)


# What each pass needs somewhere in the text before it can match at all.
_HINTS: dict[re.Pattern[str], re.Pattern[str]] = {
    _ISO: re.compile(r"\d-\d"),
    _EN_RELATIVE: re.compile(r"\bin\b|from now"),
    _ZH_RELATIVE: re.compile(r"后"),
    _ZH_ABSOLUTE: re.compile(r"[点點时:今明后周星礼月昨前]"),
    _AGO: re.compile(r"ago|前"),
}


def zone_of(tz: str) -> tzinfo:
    try:
        return ZoneInfo(tz) if tz else UTC
    except (ValueError, KeyError, OSError):
        return UTC


def lift_time(text: str, now: datetime, zone: tzinfo) -> tuple[str, TimeSpec | None]:
    """Find the first time phrase in `text` (lower-case); return the text with it replaced by a marker."""
    for pattern, resolve in _PASSES:
        hint = _HINTS.get(pattern)
        if hint is not None and not hint.search(text):
            continue  # a cheap test first: the full patterns cost milliseconds on a long line
        for m in pattern.finditer(text):
            if not m.group(0).strip():
                continue
            spec: TimeSpec | None = resolve(m, now, zone)
            if spec is not None:
                return text[:m.start()] + TIME_MARK + text[m.end():], spec
    residue = _TIME_RESIDUE.search(text)
    if residue is not None:  # a time was said but not read: answered, never dropped
        return text[:residue.start()] + TIME_MARK + text[residue.end():], _not_understood(residue.group(0))
    return text, None
