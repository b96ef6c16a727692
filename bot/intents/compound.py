"""Two requests in one message ("make @bob host and @carol co-host") are never merged silently.

The skeleton (rules.py) is cut into clauses at "and", "then", commas, semicolons, "然后", "并"…;
each clause is classified alone. When two clauses ask for different things, or the whole asks
for two hosts or two times at once, the message is a compound: hostbot asks for one request per
message. Clauses that ask for nothing by themselves ("make @bob and @carol co-hosts" -> "make
@bob" + "@carol co-hosts") do not count, so lists of people stay one request.
"""

from __future__ import annotations

import re

from bot.intents import doubt, rules, speech

# What a clause can ask for that counts as a request of its own.
REQUESTS = frozenset({"set_host", "schedule_handover", "add_cohost", "remove_cohost", "invite", "reassign",
                      "cancel_handover", "link_meeting", "who_is_host", "list_handovers"})
_SAME = {"schedule_handover": "set_host"}  # one clause may carry the time, the other not
_CUT = re.compile(
    r"\band\s+then\b|\band\s+also\b|\bthen\b|\balso\b|\band\b|\bplus\b|[,;!?&+，；！？。]"
    r"|然后|并且|并把|同时|另外|还要|以及|再把|再(?=邀请|取消|绑定|添加|移除|设)|并(?=邀请|取消|绑定|添加|移除|设|让)"
)
# A second time phrase that pass 2 (times.py) left in the text: "at 3pm … and at 5pm".
_SECOND_TIME = re.compile(r"\b(?:at\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)?|in\s+\d+\s*(?:min|minutes|hours?))\b"
                          r"|\d{1,2}\s*[点:]\s*\d{0,2}|\d+\s*分钟后")
# A clause that starts with linking ("link this channel to …") asks for it, unlike "here is the link".
_LINK_VERB = re.compile(r"\s*(?:link|bind|attach|connect|associate)\s+(?:this|the|it|our|us|here|channel|thread)\b"
                        r"|\s*(?:绑定|关联)")
# A clause with a verb but no role word asks for the opposite of the cohost role named elsewhere.
_OPPOSITE_VERBS = (("add_cohost", re.compile(r"\s*(?:add|加上?|设)\b|\s*(?:加上?|设)")),
                   ("remove_cohost", re.compile(r"\s*(?:remove|drop|delete|kick|rm)\b"
                                                r"|\s*(?:去掉|移除|删掉|删除|踢掉)")))
MAX_CLAUSES = 8  # a message with more is not a list of requests; this bounds the work on long lines
_CORRECTION = re.compile(r"\s*(?:but\s+)?not\b|\s*(?:而)?不是")
ONE_HOST = frozenset({"set_host", "schedule_handover"})


def clause_requests(skeleton: str, line_name: str = "") -> list[str]:
    """The intent each clause asks for by itself, for the clauses that ask for something.

    `line_name`: what the whole line asks for. When it cancels a handover, a clause that negates a change
    ("don't hand over to @bob anymore, cancel that handover") says what is cancelled, it asks for nothing of its
    own; a clause with a verb and no role word ("… and add @dave") asks for the opposite cohost change."""
    found: list[str] = []
    clauses = [c for c in _CUT.split(skeleton, maxsplit=MAX_CLAUSES) if c.strip()]
    if len(clauses) < 2:
        return found  # one clause: nothing to compare (and no second pass over a long text)
    for clause in clauses[:MAX_CLAUSES]:
        if _CORRECTION.match(clause):
            continue  # "make @bob co-host, not host": a correction of the request, not a second one
        people = bool(re.search(rules.P, clause)) or rules.SUBJECT in clause
        name = rules.classify(clause, False, people, bool(re.search(rules.M, clause)))
        if name == "link_meeting" and re.search(rules.P, skeleton) and not _LINK_VERB.match(clause):
            continue  # "make @bob host, here is the link: …": people are never part of a link (rules.classify)
        if line_name == "cancel_handover" and name != "cancel_handover" and doubt.negated(name, clause):
            continue
        if name == "unknown" and people:  # "remove @carol as cohost and add @dave": the verb says the opposite
            name = next((n for n, verb in _OPPOSITE_VERBS if verb.match(clause) and n != line_name), name)
        if name in REQUESTS:
            found.append(_SAME.get(name, name))
    return found


def asked_clause(skeleton: str, line_name: str) -> tuple[str, str, str] | None:
    """(intent, clause) when exactly one clause of the line asks for a change and the others only tell
    ("@alice is out sick, please make @bob host", "主持人@alice请假了，换成@bob"): the people of that clause
    are the targets; the third item is the clauses that tell (a time said there, "@alice can't host today",
    is not the request's). None when no clause, or more than one, asks; or when another clause negates or doubts."""
    clauses = [c for c in _CUT.split(skeleton, maxsplit=MAX_CLAUSES) if c.strip()]
    if not 2 <= len(clauses) <= MAX_CLAUSES:
        return None
    asked: list[tuple[str, str]] = []
    told: list[str] = []
    for clause in clauses:
        people = bool(re.search(rules.P, clause)) or rules.SUBJECT in clause
        name = rules.classify(clause, False, people, bool(re.search(rules.M, clause)))
        if name == "unknown" and people and speech.asks(clause):
            name = line_name  # "…，换成@bob": the host word was in the clause before
        if name not in doubt.ACTING:
            continue
        why = speech.why_nothing(name, clause, clause, people)
        if why == "":
            asked.append((name, clause))
        elif why == "statement":
            told.append(clause)
        else:
            return None  # "make @bob host, don't do it yet": a negation or a doubt is never overruled
    return (*asked[0], " ".join(told)) if len(asked) == 1 else None


def is_compound(skeleton: str, name: str, targets: int) -> str:
    """Why the message holds two requests that one intent would merge: "requests" (two clauses ask for
    different things), "hosts" (two hosts for one meeting), "times" (two times); "" when it does not."""
    asked = clause_requests(skeleton, name)
    if len(set(asked)) >= 2:
        return "requests"
    if name in ONE_HOST and targets >= 2:
        return "hosts"  # a meeting has one host: "make @bob host and @carol host"
    if name == "schedule_handover" and _SECOND_TIME.search(skeleton.replace(rules.T, " ")):
        return "times"
    return ""


def one_per_person(people: list[str], lang: str, time_text: str = "") -> tuple[str, ...]:
    """The requests of "make @bob and @carol host" (a meeting has one host), one per person as they can be sent:
    "make @bob host", "make @carol host" (with the time said, if any). `people` as written (tokens.Lifted)."""
    if lang == "zh":
        return tuple(f"{time_text}把{who}设为主持人" for who in people)
    return tuple(f"make {who} host{' ' + time_text if time_text else ''}" for who in people)


_VERB = re.compile(r"^\s*(?:please\s+)?([a-z]+)\b", re.I)
_BARE_PART = re.compile(r"^\s*(?:@|\ue001)")


def parts(text: str) -> tuple[str, ...]:
    """The requests of a compound as the user wrote them, for the reply (best effort). A part that
    starts with a person ("make @bob host and @carol co-host") keeps the verb of the first one:
    "make @carol co-host", so that it can be sent as it stands."""
    pieces = [p.strip(" ,;，；。") for p in _CUT.split(text)]
    pieces = [p for p in pieces if len(p) > 1]
    verb = _VERB.match(pieces[0]) if pieces else None
    if verb is None:
        return tuple(pieces)
    return tuple(f"{verb.group(1)} {p}" if n and _BARE_PART.match(p) else p for n, p in enumerate(pieces))
