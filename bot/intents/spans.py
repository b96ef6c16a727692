"""Pass 2a of the parser: how long a change lasts ("for 30 minutes", "until 15:00", "30 分钟", "到下午三点").

A role that expires ("make @bob co-host for 30 minutes", "让 @bob 当 30 分钟联席主持人", "make @alice host
until 15:00", "host to @alice for the next hour", "把主持人给 @小王 一个小时") is the change now and the change
back at the end. This pass runs before times.py (so "until 15:00" is an end, not a start) and gives the
end as a TimeSpec: a duration is elapsed time from now (DST-safe, as "in 20 minutes"), an "until" clock
is read by times.py's own passes, and whatever follows "until"/"直到" that is no time is a problem
(time_not_understood, time_in_past, ...), never dropped: dropped, the change would be permanent.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from bot.intents.times import NOT_UNDERSTOOD, TIME_MARK, TimeSpec, _relative, lift_time, shown
from bot.intents.timewords import _EN_NUM, _UNIT_SECONDS, _en_number, zh_number

# "for 30 minutes", "for an hour", "for the next hour", "for half an hour", "for 1.5 hours", "for another 20 min"
_EN_FOR = re.compile(
    r"\bfor\s+(?:the\s+)?(?:next\s+|another\s+|following\s+)?"
    rf"(?:(?P<half>half\s+an?\s+hour)|(?P<ahalf>an?\s+hour\s+and\s+a\s+half)|(?:(?P<n>{_EN_NUM})\s*)?"
    r"(?P<u>minutes?|mins?|hours?|hrs?|h|m))(?![A-Za-z0-9_])"
)
_EN_FOR_VAGUE = re.compile(r"\bfor\s+(?:a\s+(?:while|bit|little\s+while)|some\s+time|now)(?![A-Za-z0-9_])")
_EN_UNTIL = re.compile(r"(?<![A-Za-z0-9_])(?:until|till|'?til)\s+")
# "30 分钟", "一个小时", "半小时", "一个半小时": a count of minutes or hours that is not "…后" (a start) or "…前"
_ZH_FOR = re.compile(
    # (no two `\s*` side by side: on a line of spaces they made this quadratic, 2.2 s for 1,000 spaces)
    r"(?<![\d.过])(?:(?P<n>\d+(?:\.\d+)?|[一二两三四五六七八九十]{1,3})\s*(?:个\s*)?)?(?:(?P<half>半)\s*)?"
    r"(?P<u>分钟|小时|钟头)(?P<half2>半)?(?!\s*(?:以后|之后|后|以前|之前|前|内|以内))"
)
# What makes a count of hours part of a start instead: "1小时30分钟后", "一个小时零五分钟后"
_ZH_START_TAIL = re.compile(
    r"\s*零?\s*(?:\d+|[零一二两三四五六七八九十]+)\s*(?:分钟|分|秒钟|秒)\s*(?:以后|之后|后|以前|之前|前)")
_ZH_UNTIL = re.compile(r"(?:一直)?(?P<strict>直)?到\s*")
_ZH_UNTIL_END = re.compile(r"^\s*(?:为止|结束|以前|之前)?")


def lift_span(text: str, now: datetime, zone: tzinfo) -> tuple[str, TimeSpec | None]:
    """Find how long the change lasts; return the text with it replaced by a time marker, and its end."""
    for find in (_en_for, _en_until, _zh_until, _zh_for):
        found = find(text, now, zone)
        if found is not None:
            start, end, spec = found
            return text[:start] + TIME_MARK + text[end:], spec
    return text, None


Found = tuple[int, int, TimeSpec] | None


def _en_for(text: str, now: datetime, zone: tzinfo) -> Found:
    m = _EN_FOR.search(text)
    if m is None:
        vague = _EN_FOR_VAGUE.search(text)
        if vague is None or "\ue000p" not in text:
            return None
        return vague.start(), vague.end(), _unread(vague.group(0))
    if m.group("half"):
        seconds = 1800.0
    elif m.group("ahalf"):
        seconds = 5400.0
    else:
        if m.group("n") is None and m.group("u") != "hour":
            return None  # "for the next hour" is one hour; "for m" or "for hours" is no duration
        count = _en_number(m.group("n")) if m.group("n") else 1.0
        if count is None:
            return None
        seconds = count * _UNIT_SECONDS[m.group("u")]
    return m.start(), m.end(), _lasting(m.group(0), seconds, now, zone)


def _en_until(text: str, now: datetime, zone: tzinfo) -> Found:
    m = _EN_UNTIL.search(text)
    if m is None:
        return None
    return _until_clock(text, m.start(), m.end(), now, zone, strict=True)


def _zh_until(text: str, now: datetime, zone: tzinfo) -> Found:
    for m in _ZH_UNTIL.finditer(text):
        found = _until_clock(text, m.start(), m.end(), now, zone, strict=bool(m.group("strict")))
        if found is not None:
            start, end, spec = found
            tail = _ZH_UNTIL_END.match(text[end:])
            return start, end + (tail.end() if tail else 0), spec
    return None


def _until_clock(text: str, start: int, after: int, now: datetime, zone: tzinfo, strict: bool) -> Found:
    """The clock right after "until"/"到" (read by times.py). `strict`: words that can only mean an end
    ("until", "直到"), so whatever follows that is no time is answered as a time not understood."""
    rest = text[after:]
    for lead in ("", "at "):  # "until 3" is "at 3" said as an end (a bare hour is read only after "at")
        if lead and not rest[:1].isdigit():
            break
        lifted, spec = lift_time(lead + rest, now, zone)
        if spec is not None and lifted.lstrip().startswith(TIME_MARK.strip()):
            used = len(lead + rest) - len(lifted.lstrip()[len(TIME_MARK.strip()):]) - len(lead)
            return start, after + used, spec
    if not strict:
        return None  # "到" is also "to" ("交到…"): only a time right after it makes an end
    word = re.match(r"\s*\S+", rest)
    said = text[start:after + (word.end() if word else 0)]
    return start, after + (word.end() if word else 0), _unread(said)


def _zh_for(text: str, now: datetime, zone: tzinfo) -> Found:
    if not any(unit in text for unit in ("分钟", "小时", "钟头")):
        return None  # a substring test first: the pattern is tried at every position
    for m in _ZH_FOR.finditer(text):
        count = zh_number(m.group("n")) if m.group("n") else None
        half = 0.5 if (m.group("half") or m.group("half2")) else 0.0
        if count is None and not half:
            continue  # "分钟" or "小时" alone is no duration
        if _ZH_START_TAIL.match(text, m.end()):
            continue  # the hours of "1小时30分钟后": a start (times.py reads it), not how long
        seconds = ((count or 0.0) + half) * _UNIT_SECONDS[m.group("u")]
        return m.start(), m.end(), _lasting(m.group(0), seconds, now, zone)
    return None


def _lasting(text: str, seconds: float, now: datetime, zone: tzinfo) -> TimeSpec:
    if seconds < 60:  # "for 0 minutes", "for 10 seconds": no role lasts that little
        return _unread(text)
    return _relative(text, seconds, now, zone)


def _unread(text: str) -> TimeSpec:
    return TimeSpec(None, text.strip(), problem=NOT_UNDERSTOOD, values={"text": shown(text)})
