"""Chat markup lives here and in the adapters, nowhere else (bot/core/model/events.py: neutral mentions).

Inbound: `slack_inbound` and `feishu_inbound` turn what a platform sends into neutral text: Slack
`<@U1|ann>` and Feishu `@_user_1` become neutral mentions, the bot's own mention is dropped, Slack
links `<url|label>` become the url, channel and special mentions (`<#C1|x>`, `<!here>`, `@_all`) go.
Console `@name` is plain text and stays. Every path strips the neutral mark from what people typed,
so a typed line cannot forge a mention.

Outbound: replies are hostbot's wording with neutral mentions and foreign text put in — what people
typed (echoed back), names and meeting topics that vendors and directories report. Any foreign text
can carry chat markup (Slack `<!channel>`, `<@U1>`, Feishu `<at user_id="all"></at>`) that would make
hostbot ping people. One rule, applied where the adapters render a reply, covers all of it:

    The only markup in a rendered reply is a neutral mention rendered by the adapter:
    Slack `<@U…>` / `<@W…>`, Feishu `<at user_id="ou_…">Name</at>` (cards: `<at id=ou_…></at>`).
    Everything else is foreign text, and is neutralised (the Name inside a Feishu mention too).

Neutralised means, on Slack, `& < >` escaped as `&amp; &lt; &gt;` (Slack's documented escaping: the
text shows as typed and no `<…>` control sequence survives); on Feishu, foreign `<at …>` tags are
stripped (their words kept), `@_user_N` placeholders shown as the names they stand for, and `< >`
replaced by the full-width `＜ ＞`, because Feishu text messages do not decode HTML entities (their
`un_escape` flag defaults to false) and the same text also goes into cards. After rendering, the
only `<` in a Slack text begins `<@U…>`/`<@W…>`, and the only `<` in a Feishu text begins one of
hostbot's own `<at user_id="ou_…">`/`<at id=ou_…>`: no channel-wide or group mention can be formed,
and a mention typed in exactly Slack's form inside foreign text shows as text, not as a ping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.model.events import NEUTRAL_MENTION, neutral_mention, plain_mentions, unmarked

SLACK_ID = re.compile(r"[UW][A-Z0-9]+")
FEISHU_OPEN_ID = re.compile(r"ou_[A-Za-z0-9_-]+")

_SLACK_ANY = re.compile(r"<([^<>]*)>")  # a Slack control sequence: <@U|x>, <!here>, <#C|x>, <url|x>
_SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_LINK = re.compile(r"<((?:https?://|mailto:)[^|>\s]+)(?:\|[^>]*)?>")
_SLACK_SPECIAL = re.compile(r"<[#!][^>]*>")
_FEISHU_AT = re.compile(r"<\s*at\b[^>]*>([^<]*)<\s*/\s*at\s*>|<\s*/?\s*at\b[^>]*>", re.I)
_PLACEHOLDER = re.compile(r"@_user_\d+|@_all")


@dataclass(frozen=True)
class Mention:
    """Somebody a Feishu message event names (its `mentions` list)."""

    chat_user: str  # the open_id
    name: str = ""  # the placeholder it stands for in the text: "@_user_1"
    open_id: str = ""
    union_id: str = ""
    is_bot: bool = False
    shown: str = ""  # the name Feishu shows


def console_inbound(text: str) -> str:
    """A typed console line: plain text, `@name` included; only the neutral mark is taken out."""
    return unmarked(text)


def slack_inbound(text: str, bot_user: str = "") -> str:
    """A Slack message or command text as neutral text (see the module docstring)."""
    def user(match: re.Match[str]) -> str:
        uid = match.group(1)
        return " " if uid == bot_user else f" {neutral_mention(uid, match.group(2) or '')} "

    text = _SLACK_USER.sub(user, unmarked(text))
    text = _SLACK_LINK.sub(lambda m: f" {m.group(1).removeprefix('mailto:')} ", text)
    return _SLACK_SPECIAL.sub(" ", text)


def feishu_inbound(text: str, mentions: Sequence[Mention], bot_user: str = "") -> str:
    """A Feishu message text as neutral text: each `@_user_N` the event's `mentions` explain becomes a
    neutral mention (the bot's own is dropped); `@_all` goes; a placeholder nobody explains stays as
    typed (the parser then reads it as a name it does not know)."""
    by_key = {m.name: m for m in mentions if m.name.startswith("@_user_")}

    def one(match: re.Match[str]) -> str:
        key = match.group(0)
        if key == "@_all":
            return " "
        m = by_key.get(key)
        if m is None:  # Feishu numbers placeholders in the order of the event's `mentions` list
            n = int(key.rsplit("_", 1)[1])
            m = mentions[n - 1] if 0 < n <= len(mentions) else None
        if m is None:
            return key
        if m.is_bot or (bot_user and bot_user in (m.chat_user, m.open_id)):
            return " "
        who = m.chat_user or m.open_id
        return f" {neutral_mention(who, m.shown)} " if who else key

    return _PLACEHOLDER.sub(one, unmarked(text))


# ---- Slack ----------------------------------------------------------------------------------------
def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_mention(user: str, name: str) -> str:
    return f"<@{user}>" if SLACK_ID.fullmatch(user) else slack_escape(f"@{name or user}")


def slack_text(text: str) -> str:
    """A reply's text as Slack mrkdwn: neutral mentions rendered as `<@U…>`, every other `& < >` escaped."""
    out, last = [], 0
    for match in NEUTRAL_MENTION.finditer(text):
        out += [slack_escape(text[last:match.start()]), _slack_mention(match.group(1), match.group(2))]
        last = match.end()
    out.append(slack_escape(text[last:]))
    return "".join(out)


def slack_echo(text: str) -> str:
    """What somebody typed on Slack, to be quoted back: `<!…>` dropped; a user as a neutral mention
    (`<@U1|ann>` -> `<@U1>` once rendered); a channel or link as its label. The result goes through
    slack_text like any reply."""
    def one(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("!"):
            return ""
        if target.startswith("@") and SLACK_ID.fullmatch(target[1:]):
            return neutral_mention(target[1:], label)
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        return label or target

    return _SLACK_ANY.sub(one, unmarked(text))


# ---- Feishu -------------------------------------------------------------------------------------
def feishu_foreign(text: str, names: Mapping[str, str] | None = None) -> str:
    """Foreign text for a Feishu message or card: no tag, no placeholder, no `<` or `>` left."""
    text = _FEISHU_AT.sub(lambda m: m.group(1) or "", text)
    known = names or {}
    text = _PLACEHOLDER.sub(lambda m: "@all" if m.group(0) == "@_all" else f"@{known.get(m.group(0)) or '?'}", text)
    return text.replace("<", "＜").replace(">", "＞")


def feishu_text(text: str, names: Mapping[str, str] | None = None, *, card: bool = False) -> str:
    """A reply's text for a text message (`<at user_id="ou_…">Name</at>`) or a card's lark_md
    (`<at id=ou_…></at>`): neutral mentions rendered, everything else neutralised."""
    out, last = [], 0
    for match in NEUTRAL_MENTION.finditer(text):
        out.append(feishu_foreign(text[last:match.start()], names))
        user, name = match.group(1), feishu_foreign(match.group(2), names)
        if not FEISHU_OPEN_ID.fullmatch(user):
            out.append(feishu_foreign(f"@{match.group(2) or user}", names))
        else:
            out.append(f"<at id={user}></at>" if card else f'<at user_id="{user}">{name}</at>')
        last = match.end()
    out.append(feishu_foreign(text[last:], names))
    return "".join(out)


def feishu_plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """For a toast (no markup at all): neutral mentions as @Name."""
    return feishu_foreign(plain_mentions(text), names)


# ---- console ------------------------------------------------------------------------------------
def console_text(text: str) -> str:
    """A reply for the console: neutral mentions as @name; nothing else to escape in a terminal."""
    return plain_mentions(text)
