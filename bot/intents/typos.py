"""Typos and names: "mkae @alice hsot", "make @alcie host", "make alice host" -> a corrected request.

corrections(text, known) returns the text with
  - an unknown command word replaced by the command word it is closest to (Damerau-Levenshtein /
    OSA distance from rapidfuzz: 1 for words of 4-5 letters, 2 from 6 letters; the first letter
    must agree, and common English words are never "corrected"),
  - a few well-known Chinese input-method slips fixed (主持仁 -> 主持人, 联系主持人 -> 联席主持人),
  - an `@name` nobody is called replaced by the one known name close to it,
  - when `bare_names` is set, a known name written without its @ given one ("make alice host").
The parser offers the result as a "did you mean …?" (Intent("did_you_mean")): it never acts on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import OSA

from bot.core.model.events import NEUTRAL_MENTION

MAX_TEXT = 500  # longer messages are not commands with a slip in them

COMMANDS = (
    "make", "host", "cohost", "co-host", "cohosts", "co-hosts", "invite", "remove", "reassign", "transfer",
    "cancel", "list", "link", "bind", "handover", "handovers", "help", "meeting", "meetings", "schedule",
    "scheduled", "give", "pass", "switch", "move", "show", "revoke", "delete", "hosting", "hosts", "unlink",
)
# Words that are right as they are, though close to a command word.
_COMMON = """
make makes made making maker host hosts hosted hosting cohost cohosts invite invited invites inviting remove
removed removes reassign reassigned transfer transferred cancel cancelled canceled cancels list lists listed
link links linked bind bound handover handovers help helps helped meeting meetings schedule scheduled give
gives gave given pass passed switch move moved show shows shown revoke delete deleted unlink
hose hoses hoist hoot hostel hast held hell helm hemp heap help's lost last lust lint lift lisp listen line
lick lank linen lino male mace mane mate maze mike mage mark mask mode more mole mover movie moves past
paste mass shoe shot snow slow shop stow shod give gave dive cancer candle camel costs post most ghost
mistake meant mating meeting's greeting lists limit links
hose house horse hoist honest hotel hostess handed handle handles handling hands handy
move mover movie removal renew review remote reason ignore invoice invent invest inside
these those there their them then than this that what when where which while white whole
make-up lake take bake wake fake sake rake cake bend bond band bird binds binder pals pays stitch swatch
revoked melting schedules reassigns shaw shew gibe evoke
"""
_WORDS = frozenset(_COMMON.split())
_CJK_SLIPS = (
    ("联系主持人", "联席主持人"), ("连席主持人", "联席主持人"), ("联席主持仁", "联席主持人"),
    ("主持仁", "主持人"), ("主持任", "主持人"), ("主时人", "主持人"), ("猪持人", "主持人"),
    ("邀情", "邀请"), ("设位", "设为"), ("交结", "交接"), ("帮定", "绑定"), ("绑订", "绑定"),
    # pinyin input slips seen in work chats: zhu chi ren, she wei, yao qing, lian xi, jiao gei
    ("住持人", "主持人"), ("主池人", "主持人"), ("主迟人", "主持人"), ("社为", "设为"), ("社成", "设成"),
    ("设围", "设为"), ("射为", "设为"), ("射成", "设成"), ("摄成", "设成"), ("摄为", "设为"), ("邀清", "邀请"),
    ("连席", "联席"),
    ("交个@", "交给@"), ("转个@", "转给@"),
)
_WORD = re.compile(r"(?<![@\w./:#\-])[A-Za-z]+(?:-[A-Za-z]+)?(?![\w./:@]|-\w)")
_AT_NAME = re.compile(r"(?<![\w@.])@([^\W\d_][\w.\-]*)")
_BARE_STOP = frozenset({"you", "me", "i", "it", "all", "host", "my", "the", "a", "an"})


def _limit(word: str) -> int:
    return 1  # every slip seen in the corpus is one edit (a swap counts as one); two edits hit real words


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The one choice within the typo limit of `word` (first letter equal), or None (none, or a tie
    that the same length does not break)."""
    low = word.lower()
    limit = _limit(low)
    near: list[tuple[int, str]] = []
    for choice in choices:
        c = choice.lower()
        if not c or c[0] != low[0] or abs(len(c) - len(low)) > limit:
            continue
        d = OSA.distance(low, c, score_cutoff=limit)
        if 0 < d <= limit:
            near.append((d, choice))
    if not near:
        return None
    best = min(d for d, _ in near)
    tied = [c for d, c in near if d == best]
    if len(tied) > 1:
        tied = [c for c in tied if len(c) == len(low)]
    return tied[0] if len(tied) == 1 else None


def _fix_words(text: str, known_lower: set[str]) -> str:
    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if len(low) < 4 or low in _WORDS or low in known_lower:
            return word
        single = re.sub(r"(.)\1", r"\1", low, count=1)  # a key held too long: "hostt", "inviite"
        if single != low and single in COMMANDS:
            return single
        return closest(low, COMMANDS) or word

    return _WORD.sub(fix, text)


def _fix_names(text: str, known: Sequence[str], known_lower: set[str]) -> str:
    ascii_known = [k for k in known if k.isascii()]

    def fix(m: re.Match[str]) -> str:
        name = m.group(1).rstrip(".-")
        if not name.isascii() or name.lower() in known_lower or name.lower().startswith("_user_"):
            return m.group(0)
        near = closest(name, ascii_known)
        return m.group(0).replace(name, near, 1) if near else m.group(0)

    return _AT_NAME.sub(fix, text)


def _add_ats(text: str, known: Sequence[str]) -> str:
    """A known name written bare gets its @ ("make alice host", "把小王设为主持人")."""
    for name in sorted(known, key=len, reverse=True):
        if not name or name.lower() in _BARE_STOP:
            continue
        if name.isascii():
            pattern = rf"(?<![A-Za-z0-9_@.])(?:@\s+)?{re.escape(name)}(?![A-Za-z0-9_.@])"  # "make @ dave host"
        else:
            pattern = rf"(?<!@){re.escape(name)}"
        text = re.sub(pattern, lambda m: "@" + m.group(0).lstrip("@ "), text, count=1, flags=re.I)
    return text


def corrections(text: str, known: Sequence[str] = (), *, bare_names: bool = False) -> str:
    """The text with its slips fixed (see the module docstring); the text itself when none were found."""
    if len(text) > MAX_TEXT:
        return text
    # A neutral mention is exact (the adapter made it): its id and name are set aside, never "fixed".
    kept: list[str] = []

    def aside(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f"\ue002{len(kept) - 1}\ue002"

    clean = text.replace("\ue002", "")
    fixed = _fixed(NEUTRAL_MENTION.sub(aside, clean), known, bare_names=bare_names)
    fixed = re.sub("\ue002(\\d+)\ue002", lambda m: kept[int(m.group(1))], fixed)
    return text if fixed == clean else fixed


def _fixed(text: str, known: Sequence[str], *, bare_names: bool) -> str:
    known_lower = {k.lower() for k in known}
    fixed = _fix_words(text, known_lower)
    for slip, right in _CJK_SLIPS:
        fixed = fixed.replace(slip, right)
    if known:
        fixed = _fix_names(fixed, known, known_lower)
        if bare_names:
            fixed = _add_ats(fixed, known)
    return fixed
