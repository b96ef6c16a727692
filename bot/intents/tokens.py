"""Pass 1 of the parser: lift mentions and meetings out of the text, leaving marker tokens.

The text is neutral (bot/core/model/events.py): the adapters turned Slack and Feishu mentions into neutral
mentions. A person — a neutral mention or a plain `@name` — becomes the token `\\ue000pN\\ue000` and a
meeting `\\ue000mN\\ue000` (N indexes the lists returned), so the intent rules only ever see words
and markers. Markers use \\ue000, which is stripped from the input first, so users cannot forge them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.core.model.vendor import MeetingRef

MARK = "\ue000"
PERSON_TOKEN = re.compile(r"\ue000p(\d+)\ue000")
MEETING_TOKEN = re.compile(r"\ue000m(\d+)\ue000")
# No request names more people or meetings than this (Feishu invites at most 10 at once); past it a
# mention is dropped, which keeps a line of 4,000 "@a" from growing the text the rules read fivefold.
MAX_PEOPLE = 100
MAX_MEETINGS = 20


@dataclass
class Lifted:
    """The text with markers, and what the markers stand for."""

    text: str
    people: list[str] = field(default_factory=list)  # marker index -> ref ("U123", "@alice", "ou_x", "me")
    meetings: list[MeetingRef] = field(default_factory=list)
    vendor_word: str | None = None  # a vendor named without an id ("the zoom meeting")
    unread: list[tuple[str, str]] = field(default_factory=list)  # (i18n key, text): named, cannot be read
    written: dict[str, str] = field(default_factory=dict)  # ref -> the mention as written (a neutral one whole)

    def person(self, ref: str, written: str = "") -> str:
        if len(self.people) >= MAX_PEOPLE:
            return " "
        self.people.append(ref)
        self.written.setdefault(ref, written or ref)
        return f" {MARK}p{len(self.people) - 1}{MARK} "

    def meeting(self, ref: MeetingRef) -> str:
        if len(self.meetings) >= MAX_MEETINGS:
            return " "
        self.meetings.append(ref)
        return f" {MARK}m{len(self.meetings) - 1}{MARK} "

    def meetings_in_order(self) -> list[MeetingRef]:
        return [self.meetings[int(i)] for i in MEETING_TOKEN.findall(self.text)]


# ---- people ----------------------------------------------------------------------------------
# Word characters that are not CJK: an ASCII (or Latin) `@name` ends where they end ("@bob设为" is @bob).
_W = r"[^\W\u3400-\u9fff\uf900-\ufaff]"
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
_MENTION = re.compile(
    "\ue001(?P<chat_user>[^|\ue001]*)\\|[^\ue001]*\ue001"  # a neutral mention (bot/core/model/events.py)
    rf"|(?<!{_W})(?<![@.])@(?P<name>{_W}(?:{_W}|[.\-])*|{_CJK}[\u3400-\u9fff\uf900-\ufaff·]*)"
)
# A Chinese name written in plain text runs into the next word ("@小王和@小李", "@小王设为"): it ends at a
# known name, else at a connector or a verb that cannot end a name.
_CJK_CUT = re.compile(r"(?<=[\u3400-\u9fff])[和与跟及的设为当做来成是吗呢吧也都把给让入进加拉转交改换移去不再请主]")
SELF_NAMES = frozenset({"hostbot"})


def cut_cjk_name(name: str, known: Sequence[str] = ()) -> int:
    """Where a Chinese name that runs into the following words ends: the longest known name it
    starts with, else the first connector or verb after its first character, else its end."""
    best = max((len(k) for k in known if k and name.startswith(k)), default=0)
    if best:
        return best
    cut = _CJK_CUT.search(name, 1)
    return cut.start() if cut else len(name)


def lift_people(text: str, bot_user: str, lifted: Lifted, known: Sequence[str] = ()) -> str:
    """Replace every mention by a person marker, in text order; the bot's own mention is dropped.

    A neutral mention is exact; a plain `@name` ends where its script ends, and a Chinese one at a
    known name (`known`), a connector or a verb (cut_cjk_name)."""

    def sub(match: re.Match[str]) -> str:
        if match.group("chat_user") is not None:
            uid = match.group("chat_user")
            return " " if not uid or uid == bot_user else lifted.person(uid, match.group(0))
        name = match.group("name")
        rest = ""
        if re.match(_CJK, name):
            cut = cut_cjk_name(name, known)
            name, rest = name[:cut], name[cut:]
        stripped = name.rstrip(".-")
        rest = name[len(stripped):] + rest
        if not stripped:
            return match.group(0)
        if stripped.lower() in SELF_NAMES or (bot_user and stripped.lower() == bot_user.lower()):
            return " " + rest
        return lifted.person(f"@{stripped}") + rest

    return _MENTION.sub(sub, text)


# ---- meetings --------------------------------------------------------------------------------
# ASCII-only boundaries: a vendor word glued to Chinese ("zoom会议", "把webex") is still one.
_VENDOR_WORD = re.compile(r"(?<![a-z0-9_])(feishu|lark|zoom|webex|ding\s?talk)(?![a-z0-9_])|(飞书|钉钉)")  # lower-cased
_VENDOR_OF_WORD = {"feishu": "feishu", "lark": "feishu", "飞书": "feishu", "zoom": "zoom", "webex": "webex",
                   "dingtalk": "dingtalk", "ding talk": "dingtalk", "钉钉": "dingtalk"}

# Lookarounds are ASCII-only on purpose: a number or link glued to Chinese text ("会议123456789的") is
# still one. Every pattern can only start where a token starts, so none is quadratic on long input.
_A = r"[A-Za-z0-9_]"
# The rest of a link after its id: URL characters only, so that Chinese glued after it ("…/j/123456789的主持人")
# stays text; the id must end there ("/j/123456789ab" is no Feishu meeting: it is answered as unreadable).
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL_REST = r"(?:[/?#&]" + _URL_CHARS + "*)?"
_LINKS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Feishu: https://vc.feishu.cn/j/123456789 (the 9-digit meeting number)
    (re.compile(r"(?<![A-Za-z0-9_./-])(?:https?://)?(?:vc|meetings)\.(?:feishu\.cn|larksuite\.com)/j/(\d{9})"
                r"(?![A-Za-z0-9_])" + _URL_REST, re.I), "feishu"),
    # Zoom: https://us02web.zoom.us/j/81234567890?pwd=... (9-11 digits)
    (re.compile(r"(?<![A-Za-z0-9_./-])(?:https?://)?(?:[A-Za-z0-9-]+\.)*zoom\.(?:us|com\.cn)/(?:j|s|w|wc/join)/"
                r"(\d{9,11})(?![A-Za-z0-9_])" + _URL_REST, re.I), "zoom"),
    # Webex: https://site.webex.com/site/j.php?MTID=m<32 hex> (the meeting id, with an 'm' in front)
    (re.compile(r"(?<![A-Za-z0-9_./-])(?:https?://)?[A-Za-z0-9.-]*webex\.com/[^\s\ue000]*?MTID=m([0-9a-f]{32})"
                r"(?![A-Za-z0-9_])" + _URL_REST, re.I), "webex"),
)
_WEBEX_ID = re.compile(r"(?<![0-9a-z])([0-9a-f]{32})(?![0-9a-z])", re.I)
# DingTalk conferenceId, e.g. "644272f14ba33101xxxx-xxxxx" (the API doc's masked sample): hex, then a dash part.
_DINGTALK_ID = re.compile(rf"(?<!{_A})(?<!-)([0-9a-f]{{8}}[0-9a-z]{{4,40}}(?:-[0-9a-z]{{2,}})+)(?!{_A}|-)", re.I)
# (8 characters at least, and not a duration or a clock: "15mins", "10am" are times.)
_DINGTALK_LOOSE = re.compile(
    rf"(?<!{_A})(?<!-)(?!\d+(?:am|pm|mins?|minutes?|hrs?|hours?|secs?|seconds?|days?)(?!{_A}))"
    rf"((?=[0-9a-z-]*\d)(?=[0-9a-z-]*[a-z])[0-9a-z][0-9a-z-]{{7,63}})(?!{_A}|-)", re.I)
# A count of time units is a duration, never a meeting ("in 123456789 minutes", "10000000000000000000 days ago").
_DURATION_AFTER = r"\s*(?:minutes?|mins?|hours?|hrs?|days?|seconds?|secs?|weeks?|分钟|小时|天|秒|个)"
_FEISHU_MEETING_ID = re.compile(r"(?<![\dA-Za-z+])(\d{19})(?![\dA-Za-z]|" + _DURATION_AFTER + ")", re.I)
# 9-11 digit meeting numbers, as people write them (and as the vendors' apps print them): 123456789,
# 123 456 789 (Feishu), 123-4567-8901 / 850 1234 5678 (Zoom), 2820 653 693 (Webex), #123456789
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_+.:/-])#?(\d{4}[ -]\d{3}[ -]\d{3,4}|\d{3}[ -]?\d{3,4}[ -]?\d{3,4}|\d{9,11})"
    r"(?![A-Za-z0-9_:/]|\.[A-Za-z0-9_]|-\d|" + _DURATION_AFTER + ")", re.I)
# Any number right after a meeting word is the meeting the user named, whatever its length
# ("meeting 12345", "会议号：1234"), unless it is a time or a duration ("meeting 15 minutes", "会议3点").
_MEETING_WORD_ID = re.compile(
    r"(?:(?<![A-Za-z0-9_])(?:meeting|mtg|conference|webinar)(?:\s+(?:id|number|no\.?|num|code))?|会议(?:号码|号|id|ID)?)"
    r"\s*[:：#]?\s*(?<![A-Za-z0-9_])(\d+(?:[ -]\d+)*+)"
    r"(?![\d:.]\d|\d|[A-Za-z_]"
    r"|\s*(?:[点點时時分秒号號月日个個天周]|am\b|pm\b|a\.m|p\.m|min|h\b|hours?|o'?clock|days?|sec))", re.I)
# "#12345" names a meeting too, unless the text is about handovers ("cancel handover #3" is a handover).
_HASH_ID = re.compile(r"(?<![A-Za-z0-9_&])#\s?(\d{4,})(?!\d)")
_HANDOVER_WORDS = re.compile(r"hand\s?-?over|handoff|schedul|cancel|交接|定时|取消|计划")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}")


def _is_date(text: str) -> bool:
    """"2026-12-01" or a month-day that exists ("12-25"); "12-34" is no date."""
    parts = [int(p) for p in text.split("-")]
    month, day = parts[-2], parts[-1]
    return 1 <= month <= 12 and 1 <= day <= 31


def _vendor_before(found: list[tuple[int, str]], pos: int) -> str | None:
    """The vendor named closest before `pos`, else the only vendor named anywhere (`found`: _vendor_words)."""
    before = [v for start, v in found if start < pos]
    if before:
        return before[-1]
    vendors = {v for _, v in found}
    return vendors.pop() if len(vendors) == 1 else None


# Links that name a meeting but cannot be read as one. A Webex personal room (site.webex.com/meet/name)
# has no meeting id in it, and Webex's reassignHost takes meeting series only, "not ... personal room
# meetings" (vendor-docs/webex-reassign-host.md): it is answered, not resolved.
_PERSONAL_ROOM = re.compile(r"(?<![A-Za-z0-9_./-])(?:https?://)?[A-Za-z0-9.-]*webex\.com/(?:[\w.-]+/)?meet/"
                            + _URL_CHARS + "*", re.I)
# Any other link left once the meetings were lifted (a Feishu link with a short number, zoom.us/my/…,
# another service): it is named in the reply, never replaced by the meeting linked to the channel.
_OTHER_LINK = re.compile(
    r"(?<![A-Za-z0-9_@./-])(?:https?://" + _URL_CHARS + "+|(?:www\\.)?(?:[A-Za-z0-9-]+\\.)+(?:com|cn|us|io|net|org|me)"
    r"(?:\.[a-z]{2})?/" + _URL_CHARS + "*)", re.I)
# An id-like token (letters and digits) right after a meeting word, that no vendor's pattern read.
_ODD_ID = re.compile(r"(?:(?<![A-Za-z0-9_])meeting|会议)\s*(?:id|号|号码)?\s*[:：#]?\s*(?<![A-Za-z0-9_])"
                     r"((?=[0-9a-z-]*\d)(?=[0-9a-z-]*[a-z])[0-9a-z][0-9a-z-]{5,63})(?![A-Za-z0-9_])", re.I)
_TRAILING = ".,;:!?)]}>'\"，。；：！？）】」"
# A meeting service hostbot does not serve: its meeting is named, and never replaced by the linked one.
_OTHER_SERVICE = re.compile(
    r"(?<![A-Za-z0-9_])(?:(?:ms\s+|microsoft\s+)?teams\s+(?:meeting|call)|google\s+meet|skype|tencent\s+meeting|voov"
    r"|gotomeeting|bluejeans|whereby|jitsi)(?![A-Za-z0-9_])|(?:腾讯会议|企业微信会议|微信会议)"
    r"(?:\s*(?:号|id)?\s*[:：#]?\s*\d[\d -]{3,}\d(?!\d))?", re.I)  # with its number: no other vendor's meeting


# Meetings named, but not which: "both meetings", "the other meeting", "两个会": answered, never the linked one.
_VAGUE_MEETING = re.compile(
    r"(?<![A-Za-z0-9_])(?:both(?:\s+of\s+the)?|the\s+other|an?other|other|two|three|several|multiple|some)"
    r"\s+(?:(?:zoom|webex|feishu|lark|dingtalk)\s+)?(?:meetings?|calls?|mtgs?)(?![A-Za-z0-9_])"
    r"|(?:两|二|三|几)\s*个\s*(?:会议|会(?![议话员计]))|(?:另一个|另外一个|另外的|别的|其他的?|其它的?)\s*(?:会议|会(?![议话员计]))",
    re.I)


def _unread(key: str, lifted: Lifted) -> Callable[[re.Match[str]], str]:
    def sub(m: re.Match[str]) -> str:
        lifted.unread.append((key, m.group(0).rstrip(_TRAILING)))
        return " " + m.group(0)[len(m.group(0).rstrip(_TRAILING)):]
    return sub


def lift_meetings(text: str, lifted: Lifted) -> str:
    text = _PERSONAL_ROOM.sub(_unread("meeting_personal_room", lifted), text)
    text = _VAGUE_MEETING.sub(_unread("meeting_not_read", lifted), text)
    text = _OTHER_SERVICE.sub(_unread("meeting_not_read", lifted), text)
    for pattern, vendor in _LINKS:
        text = pattern.sub(_link_lifter(vendor, lifted), text)
    if "/" in text:
        text = _OTHER_LINK.sub(_unread("meeting_not_read", lifted), text)
    text = _WEBEX_ID.sub(lambda m: lifted.meeting(MeetingRef("webex", m.group(1).lower())), text)
    text = _DINGTALK_ID.sub(lambda m: lifted.meeting(MeetingRef("dingtalk", m.group(1))), text)
    text = _FEISHU_MEETING_ID.sub(lambda m: lifted.meeting(MeetingRef("feishu", m.group(1))), text)

    def number(match: re.Match[str]) -> str:
        digits = re.sub(r"[ -]", "", match.group(1))
        if not 9 <= len(digits) <= 11:
            return match.group(0)
        return lifted.meeting(MeetingRef(_vendor_before(found, match.start()), digits))

    found = _vendor_words(text)
    text = _NUMBER.sub(number, text)

    def named(match: re.Match[str]) -> str:
        if _DATE.fullmatch(match.group(1)):
            if _is_date(match.group(1)):
                return match.group(0)  # "meeting 2026-12-01 15:00", "meeting 12-25": the day, read by times.py
            lifted.unread.append(("meeting_not_read", match.group(0).strip()))  # "meeting 12-34": neither
            return match.group(0)[:match.start(1) - match.start()] + " "
        ref = MeetingRef(_vendor_before(found, match.start()), re.sub(r"[ -]", "", match.group(1)))
        return match.group(0)[:match.start(1) - match.start()] + lifted.meeting(ref)

    found = _vendor_words(text)
    text = _MEETING_WORD_ID.sub(named, text)
    if not _HANDOVER_WORDS.search(text.lower()):
        found = _vendor_words(text)
        text = _HASH_ID.sub(lambda m: lifted.meeting(MeetingRef(_vendor_before(found, m.start()), m.group(1))), text)
    if any(v == "dingtalk" for _, v in _vendor_words(text)):
        # With DingTalk named, an opaque token with letters and digits is its conferenceId.
        def loose(m: re.Match[str]) -> str:
            if re.match(r"\d{4}-\d{1,2}-\d{1,2}", m.group(1)):  # a date, not an id
                return m.group(0)
            return lifted.meeting(MeetingRef("dingtalk", m.group(1)))

        text = _DINGTALK_LOOSE.sub(loose, text)
    def odd(m: re.Match[str]) -> str:
        lifted.unread.append(("meeting_not_read", m.group(1)))
        return m.group(0)[:m.start(1) - m.start()] + " "

    text = _ODD_ID.sub(odd, text)
    words = _vendor_words(text)
    if words and not lifted.meetings:
        lifted.vendor_word = words[0][1]
    return text


def _link_lifter(vendor: str, lifted: Lifted) -> Callable[[re.Match[str]], str]:
    return lambda m: lifted.meeting(MeetingRef(vendor, m.group(1).lower()))


_VENDOR_HINTS = ("feishu", "lark", "zoom", "webex", "ding", "飞书", "钉钉")


def _vendor_words(text: str) -> list[tuple[int, str]]:
    low = text.lower()
    if not any(hint in low for hint in _VENDOR_HINTS):  # a substring test is far cheaper than the pattern
        return []
    if len(low) != len(text):  # a few letters change length when lower-cased ("İ"): keep positions right
        return [(m.start(), _VENDOR_OF_WORD[re.sub(r"\s+", " ", m.group(0).lower())])
                for m in re.finditer(_VENDOR_WORD.pattern, text, re.I)]
    return [(m.start(), _VENDOR_OF_WORD[re.sub(r"\s+", " ", m.group(0))]) for m in _VENDOR_WORD.finditer(low)]
