"""Pass 1 of the parser: lift mentions and meetings out of the text, leaving marker tokens.

Every platform's markup ends up the same: a person becomes the token `\\ue000pN\\ue000` and a
meeting `\\ue000mN\\ue000` (N indexes the lists returned), so the intent rules only ever see words
and markers. Markers use \\ue000, which is stripped from the input first, so users cannot forge them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.core.events import Mention
from bot.core.vendor import MeetingRef

MARK = "\ue000"
PERSON_TOKEN = re.compile(r"\ue000p(\d+)\ue000")
MEETING_TOKEN = re.compile(r"\ue000m(\d+)\ue000")


@dataclass
class Lifted:
    """The text with markers, and what the markers stand for."""

    text: str
    people: list[str] = field(default_factory=list)  # marker index -> ref ("U123", "@alice", "ou_x", "me")
    meetings: list[MeetingRef] = field(default_factory=list)
    vendor_word: str | None = None  # a vendor named without an id ("the zoom meeting")

    def person(self, ref: str) -> str:
        self.people.append(ref)
        return f" {MARK}p{len(self.people) - 1}{MARK} "

    def meeting(self, ref: MeetingRef) -> str:
        self.meetings.append(ref)
        return f" {MARK}m{len(self.meetings) - 1}{MARK} "

    def people_in_order(self, text: str | None = None) -> list[str]:
        return [self.people[int(i)] for i in PERSON_TOKEN.findall(self.text if text is None else text)]

    def meetings_in_order(self) -> list[MeetingRef]:
        return [self.meetings[int(i)] for i in MEETING_TOKEN.findall(self.text)]


# ---- Slack markup that is not a person --------------------------------------------------------
# Slack wraps links as <url|label> and channel/special mentions as <#C1|name>, <!here>.
_SLACK_LINK = re.compile(r"<((?:https?://|mailto:)[^|>\s]+)(?:\|[^>]*)?>")
_SLACK_SPECIAL = re.compile(r"<[#!][^>]*>")


def unwrap_slack(text: str) -> str:
    text = _SLACK_LINK.sub(lambda m: f" {m.group(1).removeprefix('mailto:')} ", text)
    return _SLACK_SPECIAL.sub(" ", text)


# ---- people ----------------------------------------------------------------------------------
_MENTION = re.compile(
    r"<@(?P<slack>[UW][A-Z0-9]+)(?:\|[^>]*)?>"
    r"|(?P<feishu>@_user_\d+|@_all)"
    r"|(?<![\w@.])@(?P<name>[\w.\-\u3400-\u9fff]+)"
)
# A console name written in Chinese runs into the next word ("@小王和@小李"): cut it at a connector.
_CJK_CUT = re.compile(r"(?<=[\u3400-\u9fff])[和与跟及的设为当做来成是吗呢吧也都把给让]")
SELF_NAMES = frozenset({"hostbot"})


def lift_people(text: str, mentions: Sequence[Mention], bot_user: str, lifted: Lifted) -> str:
    """Replace every mention by a person marker, in text order; the bot's own mention is dropped."""
    by_key = {m.name: m for m in mentions if m.name.startswith("@_user_")}

    def feishu(key: str) -> str:
        if key == "@_all":
            return " "
        m = by_key.get(key)
        if m is None:  # Feishu numbers placeholders in the order of the event's `mentions` list
            n = int(key.rsplit("_", 1)[1])
            m = mentions[n - 1] if 0 < n <= len(mentions) else None
        if m is None:
            return lifted.person(key)
        if m.is_bot or (bot_user and bot_user in (m.chat_user, m.open_id)):
            return " "
        return lifted.person(m.chat_user or m.open_id)

    def sub(match: re.Match[str]) -> str:
        if match.group("slack"):
            uid = match.group("slack")
            return " " if uid == bot_user else lifted.person(uid)
        if match.group("feishu"):
            return feishu(match.group("feishu"))
        name = match.group("name")
        rest = ""
        cut = _CJK_CUT.search(name, 1)
        if cut:
            name, rest = name[:cut.start()], name[cut.start():]
        stripped = name.rstrip(".-")
        rest = name[len(stripped):] + rest
        if not stripped:
            return match.group(0)
        if stripped.lower() in SELF_NAMES or (bot_user and stripped.lower() == bot_user.lower()):
            return " " + rest
        return lifted.person(f"@{stripped}") + rest

    return _MENTION.sub(sub, text)


# ---- meetings --------------------------------------------------------------------------------
_VENDOR_WORD = re.compile(r"\b(feishu|lark|zoom|webex|ding\s?talk)\b|(飞书|钉钉)", re.I)
_VENDOR_OF_WORD = {"feishu": "feishu", "lark": "feishu", "飞书": "feishu", "zoom": "zoom", "webex": "webex",
                   "dingtalk": "dingtalk", "ding talk": "dingtalk", "钉钉": "dingtalk"}

_LINKS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Feishu: https://vc.feishu.cn/j/123456789 (the 9-digit meeting number)
    (re.compile(r"(?:https?://)?(?:vc|meetings)\.(?:feishu\.cn|larksuite\.com)/j/(\d{9})[^\s\ue000]*", re.I), "feishu"),
    # Zoom: https://us02web.zoom.us/j/81234567890?pwd=... (9-11 digits)
    (re.compile(r"(?:https?://)?(?:[\w-]+\.)*zoom\.(?:us|com\.cn)/(?:j|s|w|wc/join)/(\d{9,11})[^\s\ue000]*", re.I),
     "zoom"),
    # Webex: https://site.webex.com/site/j.php?MTID=m<32 hex> (the meeting id, with an 'm' in front)
    (re.compile(r"(?:https?://)?[\w.-]*webex\.com/[^\s\ue000]*?MTID=m([0-9a-f]{32})[^\s\ue000]*", re.I), "webex"),
)
_WEBEX_ID = re.compile(r"(?<![0-9a-z])([0-9a-f]{32})(?![0-9a-z])", re.I)
# DingTalk conferenceId, e.g. "644272f14ba33101xxxx-xxxxx" (the API doc's masked sample): hex, then a dash part.
_DINGTALK_ID = re.compile(r"(?<![\w-])([0-9a-f]{8}[0-9a-z]{4,40}(?:-[0-9a-z]{2,})+)(?![\w-])", re.I)
_DINGTALK_LOOSE = re.compile(r"(?<![\w-])((?=[0-9a-z-]*\d)(?=[0-9a-z-]*[a-z])[0-9a-z][0-9a-z-]{11,63})(?![\w-])", re.I)
_FEISHU_MEETING_ID = re.compile(r"(?<![\d+])(\d{19})(?!\d)")
# 9-11 digit meeting numbers, as people write them (and as the vendors' apps print them): 123456789,
# 123 456 789 (Feishu), 123-4567-8901 / 850 1234 5678 (Zoom), 2820 653 693 (Webex), #123456789
_NUMBER = re.compile(r"(?<![\w+.:/-])#?(\d{4}[ -]\d{3}[ -]\d{3,4}|\d{3}[ -]?\d{3,4}[ -]?\d{3,4}|\d{9,11})"
                     r"(?![\w.:/]|-\d)")


def _vendor_before(text: str, pos: int) -> str | None:
    """The vendor named closest before `pos`, else the only vendor named anywhere."""
    found = _vendor_words(text)
    before = [v for start, v in found if start < pos]
    if before:
        return before[-1]
    vendors = {v for _, v in found}
    return vendors.pop() if len(vendors) == 1 else None


def lift_meetings(text: str, lifted: Lifted) -> str:
    for pattern, vendor in _LINKS:
        text = pattern.sub(_link_lifter(vendor, lifted), text)
    text = _WEBEX_ID.sub(lambda m: lifted.meeting(MeetingRef("webex", m.group(1).lower())), text)
    text = _DINGTALK_ID.sub(lambda m: lifted.meeting(MeetingRef("dingtalk", m.group(1))), text)
    text = _FEISHU_MEETING_ID.sub(lambda m: lifted.meeting(MeetingRef("feishu", m.group(1))), text)

    def number(match: re.Match[str]) -> str:
        digits = re.sub(r"[ -]", "", match.group(1))
        if not 9 <= len(digits) <= 11:
            return match.group(0)
        return lifted.meeting(MeetingRef(_vendor_before(text, match.start()), digits))

    text = _NUMBER.sub(number, text)
    if any(v == "dingtalk" for _, v in _vendor_words(text)):
        # With DingTalk named, an opaque token with letters and digits is its conferenceId.
        def loose(m: re.Match[str]) -> str:
            if re.match(r"\d{4}-\d{1,2}-\d{1,2}", m.group(1)):  # a date, not an id
                return m.group(0)
            return lifted.meeting(MeetingRef("dingtalk", m.group(1)))

        text = _DINGTALK_LOOSE.sub(loose, text)
    words = _vendor_words(text)
    if words and not lifted.meetings:
        lifted.vendor_word = words[0][1]
    return text


def _link_lifter(vendor: str, lifted: Lifted) -> Callable[[re.Match[str]], str]:
    return lambda m: lifted.meeting(MeetingRef(vendor, m.group(1).lower()))


def _vendor_words(text: str) -> list[tuple[int, str]]:
    return [(m.start(), _VENDOR_OF_WORD[re.sub(r"\s+", " ", m.group(0).lower())]) for m in _VENDOR_WORD.finditer(text)]
