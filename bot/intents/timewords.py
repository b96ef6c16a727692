"""Time words for pass 2 (times.py): numbers in English and Chinese, units, and the phrase patterns."""

from __future__ import annotations

import re

# ---- numbers -------------------------------------------------------------------------------
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
               "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
               "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}


def zh_number(text: str) -> float | None:
    """'15', '十五', '二十三', '两', '半' -> a number (None if it is not one)."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text == "半":
        return 0.5
    if "十" in text:
        tens, _, units = text.partition("十")
        t = _ZH_DIGITS.get(tens) if tens else 1
        u = _ZH_DIGITS.get(units) if units else 0
        return None if t is None or u is None else float(t * 10 + u)
    if all(c in _ZH_DIGITS for c in text) and len(text) == 1:
        return float(_ZH_DIGITS[text])
    return None


def _en_number(text: str) -> float | None:
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    return float(_EN_NUMBERS[text]) if text in _EN_NUMBERS else None


_UNIT_SECONDS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60,
                 "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
                 "day": 86400, "days": 86400, "天": 86400,
                 "秒": 1, "秒钟": 1, "分": 60, "分钟": 60, "小时": 3600, "钟头": 3600}

# ---- patterns -------------------------------------------------------------------------------
_EN_NUM = (r"\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
           r"|forty-five|forty|fifty|sixty|ninety")
_EN_UNIT = r"seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|h|m"
_EN_RELATIVE = re.compile(
    r"\bin\s+(?P<neg>-\s*)?(?:(?P<half>half\s+an?\s+hour)|an?\s+hour\s+and\s+a\s+half|(?P<hm_h>\d+)\s*h\s*(?P<hm_m>\d+)\s*m(?:in(?:utes?)?)?"
    rf"|(?P<n>{_EN_NUM})\s*(?P<u>{_EN_UNIT})(?:\s*,?\s*(?:and\s+)?(?P<more>\d+)\s*(?:minutes?|mins?|m))?)"
    r"(?![A-Za-z0-9_])"  # ASCII-only: "in 5 minutes把主持人…" is still a time
    rf"|\b(?P<n2>{_EN_NUM})\s*(?P<u2>{_EN_UNIT})\s+from\s+now(?![A-Za-z0-9_])"
)
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_EN_WEEKDAY = r"(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:r(?:s)?)?|fri|sat(?:ur)?|sun)day"
_EN_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_EN_DAY = (
    rf"(?:today|tonight|tomorrow|tmrw?|tmr|(?:the\s+)?day\s+after\s+tomorrow|(?:the\s+)?day\s+before\s+yesterday"
    rf"|yesterday|last\s+night|last\s+{_EN_WEEKDAY}|last\s+(?:mon|tue|wed|thu|fri|sat|sun)\b"
    rf"|(?:(?:next|this|on)\s+)?{_EN_WEEKDAY}|(?:next|this)\s+(?:mon|tue|wed|thu|fri|sat|sun)"
    rf"|\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|(?<![\d-])\d{{1,2}}-\d{{1,2}}(?![\d-])"
    rf"|{_EN_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_EN_MONTH}(?:\s+\d{{4}})?)"
)
_AMPM = r"(?:am|pm|a\.m\.|p\.m\.)"
_EN_CLOCK = (
    rf"(?:\d{{1,2}}:\d{{2}}(?:\s*{_AMPM})?|\d{{1,2}}\s*{_AMPM}|noon|midday|midnight"
    rf"|\d{{1,2}}\s*o'?clock(?:\s*{_AMPM})?)"
)
_EN_PERIOD = r"(?:in\s+the\s+(?:morning|afternoon|evening)|tonight|at\s+night)"
# ASCII-only boundary at the start: a clock glued to Chinese text ("时间25:30", "在15:30") is still one.
_EN_ABSOLUTE = re.compile(
    rf"(?<![A-Za-z0-9_])(?:(?P<day>{_EN_DAY})\s*,?\s*(?:at\s+)?)?"
    rf"(?:(?:at|@)\s*)?(?<![-−])(?P<clock>{_EN_CLOCK}|(?<=at\s)\d{{1,2}}(?![\d:]))(?!\d)"
    rf"(?:\s+(?P<period>{_EN_PERIOD}))?(?:\s*,?\s*(?:on\s+)?(?P<day2>{_EN_DAY}))?"
    rf"|\b(?P<dayonly>{_EN_DAY})(?![A-Za-z0-9_])",
)
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})[t ](\d{1,2}:\d{2}(?::\d{2})?)(z|[+-]\d{2}:?\d{2})?\b")

_ZH_NUM = r"\d{1,2}|[零一二两三四五六七八九十]{1,3}"
_ZH_RELATIVE = re.compile(
    r"(?:过\s*)?(?P<neg>-\s*)?(?:(?<![\d.])(?P<hn>\d+|[零一二两三四五六七八九十]+)\s*个?\s*(?:小时|钟头)\s*零?\s*)?"
    r"(?:(?<![\d.])(?P<neg2>-\s*)?(?P<n>\d+(?:\.\d+)?|[零一二两三四五六七八九十百]+))?\s*个?\s*(?P<half>半)?\s*"
    r"(?P<u>分钟|分|小时|钟头|秒钟|秒|天)(?P<half2>半)?\s*(?:以后|之后|后)"
)
_ZH_DAY = (r"今天|今日|今晚|今早|明天|明日|明早|明晚|后天|大后天|昨天|昨日|昨晚|前天"
           r"|(?:下个?|这个?|本|上个?)?(?:周|星期|礼拜)[一二三四五六日天1-7]|\d{1,2}月\d{1,2}[日号]")
_ZH_PERIOD = r"凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间|早|晚"
_ZH_ABSOLUTE = re.compile(
    rf"(?P<day>{_ZH_DAY})?\s*(?P<period>{_ZH_PERIOD})?\s*"
    rf"(?:(?P<h>{_ZH_NUM})\s*[点點时](?:\s*(?P<min>半|一刻|三刻|整|钟|(?:{_ZH_NUM}|\d{{2}})\s*分?))?"
    rf"|(?P<hh>\d{{1,2}}):(?P<mm>\d{{2}}))"
    rf"|(?P<dayonly>{_ZH_DAY})"
)

# A time in the past said as a duration: "2 days ago", "10分钟前" (never a time to schedule at).
_AGO = re.compile(
    rf"\b(?P<n>{_EN_NUM})\s*(?P<u>{_EN_UNIT})\s+ago(?![A-Za-z0-9_])"
    r"|(?<![\d.])(?P<zn>\d+|[零一二两三四五六七八九十]+)\s*个?\s*(?P<zu>分钟|小时|钟头|天)(?:以前|之前|前)"
)
# What is left of a time phrase the passes above could not read ("at 25:00", "at 1500", "in -5 min"):
# it is answered as a time not understood, never dropped (a dropped time would make the request act now).
_TIME_RESIDUE = re.compile(
    r"(?<![A-Za-z0-9_])(?:at|@|by|around)\s*-?\d{1,6}(?:\s*[:.]\s*\d{1,4})?(?:\s*(?:am|pm|a\.m\.|p\.m\.|h\b))?"
    r"|(?<![\d:])\d{1,4}\s*:\s*\d{1,4}(?![\d:])(?:\s*(?:am|pm))?"
    r"|\bin\s+-?\s*\d[\d,.]*\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)(?![A-Za-z])"
    r"|(?<![\d-])-?\d+\s*(?:分钟|小时|天)\s*(?:以后|之后|后)|(?<!\d)\d+\s*[点點时]\s*\d*\s*分?"
    r"|\b(?:yesterday|last\s+night)(?![A-Za-z0-9_])|昨天|昨晚|前天"
    # times with no clock in them: asked for, never taken for "now"
    r"|\b(?:quarter|half)\s+(?:past|to)\s+\w+|\b(?:later(?:\s+today|\s+on)?|soon|eod|in\s+a\s+(?:bit|while|few\s+\w+"
    r"|sec(?:ond)?|moment|min(?:ute)?))(?![A-Za-z0-9_])|\b(?:after|before)\s+lunch\b|\bend\s+of\s+(?:the\s+)?day\b"
    r"|\bthis\s+(?:morning|afternoon|evening)\b|\bin\s+-?\d{1,6}(?![\d:.])|晚点|待会儿?|一会儿?|等一?下(?!来)|稍后|过会儿?|下班前|午饭后|午休后"
    # a week, a month or a weekend with no day in it: which day is not said
    r"|\b(?:next|this|coming)\s+(?:week|month|weekend)\b|\b(?:over\s+|on\s+|at\s+)?the\s+weekend\b"
    r"|\bend\s+of\s+(?:the\s+)?(?:week|month)\b|\b(?:some\s*time|one\s+day)\s+next\b|\bsomeday\b"
    r"|下下?(?:周|个?星期|个?礼拜)(?![一二三四五六日天1-7])|下个?月(?!\d)|这周末|本周末|周末|月底|月初|改天|过几天|过两天|回头"
    # a time with no time in it: "找个时间", "at some point", "next time"
    r"|(?:今天|明天|后天)?(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)(?!好)"  # a part of the day with no hour
    # a count that is no number: "in a couple of minutes", "in several minutes"
    r"|\bin\s+(?:several|some|many|a\s+few|a\s+couple(?:\s+of)?)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)\b"
    # a time tied to the meeting's own course: "before the meeting starts", "会后", "开完会再…"
    r"|\b(?:before|after|when|once|as\s+soon\s+as)\s+(?:the\s+|this\s+|our\s+)?(?:meeting|call|standup|sync|session)"
    r"\s+(?:starts?|ends?|begins?|is\s+over|finishes|wraps\s+up)\b"
    r"|会议?(?:开始|结束)(?:以?后|之?前|时|的时候)|会后|会前|开完会|散会后|等会儿?"
    r"|找个?时间|抽个?(?:空|时间)|有空(?:的)?时候|方便(?:的)?时候|下次|下一次|下回|过段时间|晚些时候"
    r"|\bnext\s+time\b|\bat\s+some\s+point\b|\bsome\s*time\b(?!\s+ago)|\beventually\b|\bone\s+of\s+these\s+days\b"
)


_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(?:o'?clock)?\s*(am|pm|a\.m\.|p\.m\.)?")
BAD_CLOCK = (-1, -1, False)  # a clock phrase that names no time of day ("25:00", "13pm", "8:61")


def _en_clock(clock: str, period: str | None) -> tuple[int, int, bool]:
    """(hour, minute, ambiguous) for a clock phrase; ambiguous = a bare 1-12 with no am/pm; BAD_CLOCK
    when it names no time. Read here, not by dateparser: it is on every line with a clock, and
    dateparser both costs milliseconds and turns "25:00" into nothing (the request would act now)."""
    clock = clock.strip()
    if clock in ("noon", "midday"):
        return 12, 0, False
    if clock == "midnight":
        return 24, 0, False
    m = _CLOCK.fullmatch(clock)
    if m is None:
        return BAD_CLOCK
    hour, minute, ampm = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if minute > 59 or hour > 24 or (hour == 24 and minute) or (ampm and not 1 <= hour <= 12):
        return BAD_CLOCK
    if ampm:
        return hour % 12 + (12 if ampm.startswith("p") else 0), minute, False
    if period and hour <= 12:
        pm = not period.endswith("morning")
        return (hour % 12 + (12 if pm else 0)), minute, False
    return hour, minute, m.group(2) is None and 1 <= hour <= 12
