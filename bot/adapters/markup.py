"""Outbound safety: which parts of a reply are hostbot's own markup, and which are foreign text.

Replies are built from hostbot's wording with foreign text put in: what people typed (echoed back),
names and meeting topics that vendors and directories report. Any of it can carry chat markup —
Slack `<!channel>`, `<!here>`, `<!subteam^S1>`, Feishu `<at user_id="all"></at>` — that would make
hostbot ping a whole channel. One rule, applied where the adapters render a reply, covers all of it:

    The only markup in a reply's text is a mention that bot/core/identity.py `mention()` produces:
    Slack `<@U…>` / `<@W…>`, Feishu `<at user_id="ou_…">Name</at>`. Everything else is foreign
    text, and is neutralised (the Name inside a Feishu mention too).

Neutralised means, on Slack, `& < >` escaped as `&amp; &lt; &gt;` (Slack's documented escaping: the
text shows as typed and no `<…>` control sequence survives); on Feishu, foreign `<at …>` tags are
stripped (their words kept), `@_user_N` placeholders shown as the names they stand for, and `< >`
replaced by the full-width `＜ ＞`, because Feishu text messages do not decode HTML entities (their
`un_escape` flag defaults to false) and the same text also goes into cards. After rendering, the
only `<` in a Slack text begins `<@U…>`/`<@W…>`, and the only `<` in a Feishu text begins one of
hostbot's own `<at user_id="ou_…">`/`<at id=ou_…>`: no channel-wide or group mention can be formed.

What this does not stop: a foreign text containing a single-user mention in exactly hostbot's own
form (`<@U123>`), which then names that one person — as the person who typed it already did.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# The forms of bot/core/identity.py mention(); nothing else is hostbot's markup.
SLACK_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")
# the name is whatever comes before the first </at> (a directory name may hold markup: neutralised)
FEISHU_MENTION = re.compile(r'<at user_id="(ou_[A-Za-z0-9_-]+)">([^\n]*?)</at>')

_SLACK_ANY = re.compile(r"<([^<>]*)>")  # a Slack control sequence in echoed text: <@U|x>, <!here>, <#C|x>, <url|x>
_FEISHU_AT = re.compile(r"<\s*at\b[^>]*>([^<]*)<\s*/\s*at\s*>|<\s*/?\s*at\b[^>]*>", re.I)
_PLACEHOLDER = re.compile(r"@_user_\d+|@_all")


# ---- Slack --------------------------------------------------------------------------------------
def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(text: str) -> str:
    """A reply's text as Slack mrkdwn: hostbot's mentions kept, every other `& < >` escaped."""
    out, last = [], 0
    for match in SLACK_MENTION.finditer(text):
        out += [slack_escape(text[last:match.start()]), match.group(0)]
        last = match.end()
    out.append(slack_escape(text[last:]))
    return "".join(out)


def slack_echo(text: str) -> str:
    """What somebody typed, to be quoted back: `<!…>` dropped; a user shown as hostbot would name
    them (`<@U1|ann>` -> `<@U1>`); a channel or link as its label. The result goes through slack_text."""
    def one(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("!"):
            return ""
        if target.startswith("@") and SLACK_MENTION.fullmatch(f"<{target}>"):
            return f"<{target}>"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        return label or target

    return _SLACK_ANY.sub(one, text)


# ---- Feishu -------------------------------------------------------------------------------------
def feishu_foreign(text: str, names: Mapping[str, str] | None = None) -> str:
    """Foreign text for a Feishu message or card: no tag, no placeholder, no `<` or `>` left."""
    text = _FEISHU_AT.sub(lambda m: m.group(1) or "", text)
    known = names or {}
    text = _PLACEHOLDER.sub(lambda m: "@all" if m.group(0) == "@_all" else f"@{known.get(m.group(0)) or '?'}", text)
    return text.replace("<", "＜").replace(">", "＞")


def feishu_text(text: str, names: Mapping[str, str] | None = None, *, card: bool = False) -> str:
    """A reply's text for a text message (`<at user_id="ou_…">Name</at>`) or a card's lark_md
    (`<at id=ou_…></at>`): hostbot's mentions kept, everything else neutralised."""
    out, last = [], 0
    for match in FEISHU_MENTION.finditer(text):
        out.append(feishu_foreign(text[last:match.start()], names))
        user, name = match.group(1), feishu_foreign(match.group(2), names)
        out.append(f"<at id={user}></at>" if card else f'<at user_id="{user}">{name}</at>')
        last = match.end()
    out.append(feishu_foreign(text[last:], names))
    return "".join(out)


def feishu_plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """For a toast (no markup at all): hostbot's mentions as @Name."""
    shown = FEISHU_MENTION.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    return feishu_foreign(shown, names)
