"""The grammar behind bot.intents.parse (the passes are described in bot/intents/__init__.py).

Importing it compiles the intent rules, the time words and the token patterns (~40 ms of regular
expressions): `hostbot run` does that in a thread once it listens (bot.intents.preload), never before.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.core.model.events import ME
from bot.core.model.intent import Intent, MeetingProblem, TimeProblem
from bot.i18n import detect_lang
from bot.intents import compound, doubt, rules, speech, typos
from bot.intents.spans import lift_span
from bot.intents.times import NOT_SCHEDULABLE, NOT_UNDERSTOOD, PAST, TimeSpec, lift_time, shown, zone_of
from bot.intents.tokens import Lifted, lift_meetings, lift_people

log = logging.getLogger(__name__)

NEEDS_TARGETS = frozenset({"set_host", "schedule_handover", "add_cohost", "remove_cohost", "invite", "reassign"})


def parse(
    text: str,
    bot_user: str = "",
    now: datetime | None = None,
    tz: str = "UTC",
    known_names: Iterable[str] = (),
) -> Intent:
    """Parse one chat line. Never raises; text it cannot place gives Intent('unknown')."""
    raw = text if isinstance(text, str) else ""
    try:
        known = tuple(dict.fromkeys(str(n) for n in (known_names or ()) if n))
        args = (bot_user or "", now, tz or "UTC", known)
        return _second_look(_parse(raw, *args), args)
    except Exception:  # a parser bug must never cost the user a reply
        log.exception("parser failed on a %d-character message", len(raw))  # never log what people typed
        return Intent("unknown", lang=detect_lang(raw), text=raw)


_SLASH = re.compile(r"^\s*/host(?:bot)?\b", re.I)
_HANDOVER_ID = re.compile(
    # an id is taken whole or not at all: "#1000…0" (26 digits) is no handover, never handover "10000…" cut short
    r"#\s*([a-z0-9][a-z0-9_-]{0,24})(?![a-z0-9_-])|\b(?:handover|id|no\.?|number)\s*#?\s*(\d{1,8}|h[-_]?[a-z0-9]{1,24})\b"
    r"|(?:交接|编号|id)\s*#?\s*(\d{1,8})(?![0-9a-zA-Z])|第\s*(\d{1,4})\s*个|^\s*(?:cancel|取消)\s+(\d{1,8})\s*$"
    r"|(?<![\d.])(\d{1,8})\s*号\s*(?=交接|定时|任务)"  # "3号交接" (not "3号的交接": the 3rd of the month)
)
# A handover named where an id goes, by something no handover id can be ("交接 3a", "第10000个", a 26-digit "#…"):
# carried as written, so that the answer is "no handover #3a" and never "the only handover you have" cancelled.
_HANDOVER_NAMED = re.compile(
    r"#\s*([0-9A-Za-z][0-9A-Za-z_-]*)|\b(?:handover|no\.?|number)\s*#?\s*(\d[0-9A-Za-z_-]*)"
    r"|(?:交接|编号|\bid)\s*#?\s*(\d[0-9A-Za-z_-]*)|第\s*(\d+)\s*个|(?<![\d.])(\d+)\s*号\s*(?=交接|定时|任务)"
)
_SCOPE_THREAD = re.compile(r"\bthread\b|话题|帖子|线程|这条消息")
_SCOPE_CHANNEL = re.compile(r"\b(?:channel|chat|group|room|conversation)\b|群|频道|会话")


def _second_look(first: Intent, args: tuple[Any, ...]) -> Intent:
    """A request with a slip in it becomes a "did you mean …?" when the corrected text means something."""
    if first.name == "compound" or (first.name == "nothing" and first.why != "statement"):
        return first  # (a line with no request form may lack one because its verb is mistyped)
    bare = first.name == "unknown" or (first.name in NEEDS_TARGETS and not first.targets)
    fixed = typos.corrections(first.text, args[-1], bare_names=bare)
    if fixed == first.text or not _storable(fixed):
        return first
    second = _parse(fixed, *args)
    if second.name == "nothing":
        return replace(second, text=first.text)
    if second.name in ("unknown", "did_you_mean", "compound") or (second.name in NEEDS_TARGETS and not second.targets):
        return first
    if second.to_json() == first.to_json() and first.name not in doubt.ACTING:
        return first  # a slip that changes nothing in a question: just answer it
    return Intent("did_you_mean", lang=first.lang, text=first.text, suggestion=fixed)


def _storable(text: str) -> bool:
    """A suggestion is stored with its button (bot/store/rows/base.Proposal): lone surrogates cannot be."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse(text: str, bot_user: str, now: datetime | None, tz: str, known: tuple[str, ...] = ()) -> Intent:
    original = text
    zone = zone_of(tz)
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=zone)
    text = unicodedata.normalize("NFKC", text[:4000]).replace("\ue000", " ")
    slash = bool(_SLASH.match(text))
    text = _SLASH.sub(" ", text, count=1)

    lifted = Lifted(text)
    text = lift_people(text, bot_user, lifted, known)
    text = lift_meetings(text, lifted)
    text = rules.fold(text.lower())
    lang = detect_lang(re.sub(r"\ue000[pm]\d+\ue000", " ", text))
    text, span = lift_span(text, now, zone)  # "for 30 minutes", "until 15:00": before "15:00" is read as a start
    text, when = lift_time(text, now, zone)
    spoken = " ".join(text.split())  # before politeness goes: "can you …?", "能帮我…吗" make a request
    text = rules.strip_polite(text)
    text = rules.mark_me(text, lifted.person)
    skeleton = " ".join(text.split())
    lifted.text = skeleton

    people_idx = [int(i) for i in re.findall(r"\ue000p(\d+)\ue000", skeleton)]
    has_people = bool(people_idx) or rules.SUBJECT in skeleton
    meetings = lifted.meetings_in_order()
    name = rules.classify(skeleton, slash, has_people, bool(meetings))
    if name == "set_host" and when is not None:
        name = "schedule_handover"
    why = speech.why_nothing(name, skeleton, spoken, has_people, slash=slash,
                             past=when is not None and when.problem == PAST)
    if name in NEEDS_TARGETS and not has_people and not why and not slash and not speech.asks(skeleton):
        name = "unknown"  # "这周的主持人轮值表发一下": mentions hosts, asks for nothing hostbot does
    focus = skeleton  # the part of the line that asks: all of it, or the one clause that does
    asked = compound.asked_clause(skeleton, name) if why == "statement" else None
    if asked is not None:  # "@alice is out sick, so please make @bob host": a remark, then the request
        name, focus, why = asked[0], asked[1], ""
        when = None if re.search(rules.T, asked[2]) else when
        name = "schedule_handover" if name == "set_host" and when is not None else name
    if why:
        return Intent("nothing", lang=lang, text=original, why=why)

    targets, from_user = _roles(name, focus, lifted)
    if name in compound.ONE_HOST and len(targets) >= 2:
        name, targets, from_user, when = _one_host(name, skeleton, lifted, when, (targets, from_user))
    why_two = compound.is_compound(skeleton, name, len(targets))
    if why_two:
        return _compound(why_two, original, lang, [lifted.written.get(t, t) for t in targets], when)
    meeting = meetings[0] if meetings else None
    intent = Intent(name=name, targets=tuple(targets), from_user=from_user, meeting=meeting,
                    lang=lang, text=original, slash=slash,
                    meetings=tuple(meetings) if len(meetings) > 1 or (name == "reassign" and meetings) else (),
                    vendor_word=lifted.vendor_word if lifted.vendor_word and meeting is None else "",
                    meeting_problem=MeetingProblem(*_first_unread(lifted)) if lifted.unread else None)
    return _details(_with_span(_with_time(intent, when), span), skeleton, bool(meetings))


def _one_host(name: str, skeleton: str, lifted: Lifted, when: TimeSpec | None,
              roles: tuple[list[str], str | None]) -> tuple[str, list[str], str | None, TimeSpec | None]:
    """Two hosts named: when one clause asks and the others only tell ("@alice can't host today, make @bob
    host"), the host is the one asked for (and a time said about the other is not the request's)."""
    asked = compound.asked_clause(skeleton, name)
    if asked is None or asked[0] not in compound.ONE_HOST:
        return name, *roles, when
    targets, from_user = _roles(name, asked[1], lifted)
    if re.search(rules.T, asked[2]):
        return "set_host", targets, from_user, None
    return name, targets, from_user, when


def _compound(why_two: str, original: str, lang: str, people: list[str], when: TimeSpec | None) -> Intent:
    """Two requests in one message, as parts that can be sent one per message; never a "compound" of one."""
    if why_two == "hosts":
        people = [{ME: "我" if lang == "zh" else "me"}.get(p, p) for p in people]
        parts = compound.one_per_person(people, lang, when.text if when is not None else "")
    else:
        parts = compound.parts(original)
    if len(parts) < 2:  # the clauses could not be cut apart as written: say it was not understood, never act
        return Intent("unknown", lang=lang, text=original)
    return Intent("compound", lang=lang, text=original, parts=parts)


def _first_unread(lifted: Lifted) -> tuple[str, dict[str, str]]:
    key, text = lifted.unread[0]
    return key, {"text": shown(text, 80)}


def _roles(name: str, skeleton: str, lifted: Lifted) -> tuple[list[str], str | None]:
    """(targets, from_user) of an intent that has them (rules.split_roles), with "me" filled in."""
    if name not in rules.TARGET_INTENTS:
        return [], None
    target_idx, from_idx = rules.split_roles(skeleton, name)
    targets = [lifted.people[i] for i in target_idx]
    from_user = lifted.people[from_idx] if from_idx is not None else None
    if name == "reassign" and from_user is None and re.search(r"\bmy\b", skeleton):
        from_user = ME
    if not targets and rules.SUBJECT in skeleton:
        targets = [ME]  # "can I be host?", "我要当主持人"
    if name == "cancel_handover" and ME in targets and not re.search(r"(?:\bto|给)\s*" + rules.P, skeleton):
        targets = [t for t in targets if t != ME]  # "把我下午3点的交接取消": my handover, not one to me
    return list(dict.fromkeys(t for t in targets if t != from_user)), from_user


def _details(intent: Intent, skeleton: str, has_meetings: bool) -> Intent:
    """The intent-specific fields (see the module docstring)."""
    name = intent.name
    if name == "reassign" and not has_meetings:
        return replace(intent, every=True)
    if name == "cancel_handover":
        hid = _HANDOVER_ID.search(skeleton) or _HANDOVER_NAMED.search(skeleton)
        return replace(intent, handover_id=next(g for g in hid.groups() if g) if hid else "",
                       every=bool(re.search(r"\ball\b|所有|全部", skeleton)))
    if name == "list_handovers":
        return replace(intent, mine=bool(re.search(r"\bmy\b", skeleton)))
    if name == "link_meeting":
        scope = "thread" if _SCOPE_THREAD.search(skeleton) else "channel" if _SCOPE_CHANNEL.search(skeleton) else ""
        return replace(intent, scope=scope)
    return intent


EXPIRING = frozenset({"set_host", "add_cohost"})  # changes that can last a while ("for 30 minutes")


def _with_span(intent: Intent, span: TimeSpec | None) -> Intent:
    """The end of a change that lasts a while; a problem when it cannot be used (never a permanent change)."""
    if span is None or intent.name not in doubt.ACTING:
        return intent
    if intent.time_problem is not None:  # a start said too ("at 3pm … for an hour"): that problem is answered
        return intent
    if intent.name == "schedule_handover":
        return replace(intent, time_problem=TimeProblem("until_with_start", {"text": shown(span.text)}))
    if intent.name not in EXPIRING:
        return replace(intent, time_problem=TimeProblem("until_not_supported", {"text": shown(span.text)}))
    if span.problem:  # said as an end: answered as one (never "try in 20 minutes", which would schedule)
        key = {NOT_UNDERSTOOD: "until_not_understood", PAST: "until_in_past"}.get(span.problem, span.problem)
        values = dict(span.values) if key != "until_not_understood" else {"text": shown(span.text)}
        return replace(intent, until_text=span.text, time_problem=TimeProblem(key, values))
    return replace(intent, until=span.at, until_text=span.text)


def _with_time(intent: Intent, when: TimeSpec | None) -> Intent:
    """`at` and the time details where the intent uses a time ("cancel the 3pm handover" has no past-time problem).

    A change that cannot be scheduled ("invite @carol at 3pm") keeps the time as a problem, never drops it:
    acting now on a line that said when would be a guess."""
    if when is not None and intent.name in doubt.ACTING and intent.name not in ("schedule_handover",
                                                                                  "cancel_handover"):
        key = when.problem if when.problem and when.problem != PAST else NOT_SCHEDULABLE
        values = dict(when.values) if key == when.problem else {"text": shown(when.text)}
        return replace(intent, time_text=when.text, time_problem=TimeProblem(key, values))
    if when is None or intent.name not in ("schedule_handover", "cancel_handover"):
        return intent
    problem = None
    if when.problem and not (intent.name == "cancel_handover" and when.problem == PAST):
        problem = TimeProblem(when.problem, dict(when.values))
    return replace(intent, at=when.at, time_text=when.text, in_seconds=when.in_seconds, time_problem=problem)
