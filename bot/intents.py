"""Understanding what people type: text -> Intent (name, targets, meeting, time, language).

The parser works in three passes so that every platform's markup ends up the same:
  1. tokens: mentions (Slack `<@U1|x>`, Feishu `@_user_N`, console `@name`), meeting links and ids
     are lifted out of the text, in order;
  2. the rest is normalised (width, case, politeness, the bot's own mention);
  3. intent rules (regexes per language) decide the intent name.
It never raises: anything it cannot place becomes the intent "unknown".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.events import Mention
from bot.i18n import detect_lang
from bot.vendors.base import MeetingRef

ME = "me"


@dataclass(frozen=True)
class Intent:
    name: str
    targets: tuple[str, ...] = ()
    from_user: str | None = None
    meeting: MeetingRef | None = None
    at: datetime | None = None
    lang: str = "en"
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.name,
            "targets": list(self.targets),
            "from_user": self.from_user,
            "meeting": self.meeting.to_json() if self.meeting else None,
            "at": self.at.isoformat() if self.at else None,
            "lang": self.lang,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], text: str = "") -> Intent:
        at = data.get("at")
        return cls(
            name=data["intent"],
            targets=tuple(data.get("targets") or ()),
            from_user=data.get("from_user"),
            meeting=MeetingRef.from_json(data.get("meeting")),
            at=datetime.fromisoformat(at) if at else None,
            lang=data.get("lang", "en"),
            text=text,
        )


# ---- pass 1: tokens ----------------------------------------------------------------------
_SLACK_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_FEISHU_PLACEHOLDER = re.compile(r"@_user_\d+")
_CONSOLE_MENTION = re.compile(r"(?<![\w@.])@([\w.\-\u3400-\u9fff]+)")
_VENDOR_WORDS: dict[str, str] = {
    "feishu": "feishu", "lark": "feishu", "飞书": "feishu",
    "zoom": "zoom", "webex": "webex",
    "dingtalk": "dingtalk", "ding": "dingtalk", "钉钉": "dingtalk",
}
_FEISHU_LINK = re.compile(r"(?:https?://)?vc\.(?:feishu\.cn|larksuite\.com)/j/(\d{9})\S*", re.I)
_ZOOM_LINK = re.compile(r"(?:https?://)?(?:[\w-]+\.)?zoom\.us/j/(\d{9,11})\S*", re.I)
_DIGITS = re.compile(r"(?<![\w-])(\d{3}[ -]?\d{3}[ -]?\d{3,5}|\d{19})(?![\w-])")
_ME_WORDS = re.compile(r"(?<![\w])(me|myself)(?![\w])|我自己|我", re.I)


def _mention_ref(platform: str, m: Mention) -> str:
    return m.chat_user if platform != "console" else f"@{m.chat_user}"


def _lift_mentions(text: str, platform: str, mentions: Sequence[Mention], bot_user: str) -> tuple[str, list[str]]:
    """Replace every mention by the token ␟N␟ and return the refs in order (bot mentions dropped)."""
    refs: list[str] = []
    by_key = {m.name: m for m in mentions}

    def keep(ref: str | None) -> str:
        if ref is None:
            return " "
        refs.append(ref)
        return f" \x1f{len(refs) - 1}\x1f "

    def slack(match: re.Match[str]) -> str:
        uid = match.group(1)
        return keep(None if uid == bot_user else uid)

    def feishu(match: re.Match[str]) -> str:
        m = by_key.get(match.group(0))
        if m is None:
            return " "
        return keep(None if m.is_bot or m.chat_user == bot_user else m.chat_user)

    def console(match: re.Match[str]) -> str:
        name = match.group(1)
        return keep(None if bot_user and name.lower() == bot_user.lower() else f"@{name}")

    text = _SLACK_MENTION.sub(slack, text)
    text = _FEISHU_PLACEHOLDER.sub(feishu, text)
    text = _CONSOLE_MENTION.sub(console, text)
    return text, refs


def _lift_meeting(text: str) -> tuple[str, MeetingRef | None]:
    lowered = text.lower()
    vendor = next((v for word, v in _VENDOR_WORDS.items() if word in lowered), None)
    for pattern, link_vendor in ((_FEISHU_LINK, "feishu"), (_ZOOM_LINK, "zoom")):
        match = pattern.search(text)
        if match:
            return text[:match.start()] + " " + text[match.end():], MeetingRef(link_vendor, match.group(1))
    match = _DIGITS.search(text)
    if match:
        digits = re.sub(r"[ -]", "", match.group(1))
        return text[:match.start()] + " " + text[match.end():], MeetingRef(vendor, digits)
    return text, None


# ---- pass 3: intent rules -----------------------------------------------------------------
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("help", re.compile(r"^\s*(help|\?|usage|帮助|怎么用|使用说明)\s*$", re.I)),
    ("set_host", re.compile(r"(?<!co-)(?<!co)\bhost\b|主持人|主持", re.I)),
)
_POLITE = re.compile(r"\b(please|pls|could you|can you|would you|kindly)\b|请|麻烦|帮我|帮忙", re.I)
_SLASH = re.compile(r"^\s*/host\b", re.I)


def parse(
    text: str,
    platform: str = "console",
    mentions: Sequence[Mention] = (),
    bot_user: str = "",
    now: datetime | None = None,
    tz: str = "UTC",
) -> Intent:
    """Parse one chat line. Never raises; unknown text gives Intent('unknown')."""
    try:
        return _parse(text, platform, mentions, bot_user)
    except Exception:  # a parser bug must never cost the user a reply
        return Intent("unknown", lang=detect_lang(text or ""), text=text or "")


def _parse(text: str, platform: str, mentions: Sequence[Mention], bot_user: str) -> Intent:
    original = text
    text = unicodedata.normalize("NFKC", text).replace("\x1f", " ")
    lang = detect_lang(text)
    slash = bool(_SLASH.match(text))
    text = _SLASH.sub(" ", text)
    text, refs = _lift_mentions(text, platform, mentions, bot_user)
    text, meeting = _lift_meeting(text)
    text = _POLITE.sub(" ", text)
    words = re.sub(r"\x1f\d+\x1f", " ", text)
    if _ME_WORDS.search(words) and ME not in refs:
        refs.append(ME)
    rest = " ".join(words.split())
    name = next((n for n, rule in _RULES if rule.search(rest)), "unknown")
    if name == "unknown" and slash and refs and not rest.strip(" ,.。，"):
        name = "set_host"  # `/host @alice` alone
    if name == "unknown" and not rest and not refs and meeting is None:
        name = "help"
    return Intent(name=name, targets=tuple(refs), meeting=meeting, lang=lang, text=original)
