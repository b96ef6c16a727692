"""Negated and doubtful requests never act: "don't make @alice host", "should I make @alice host?",
"别把 @bob 设为主持人", "可以把 @bob 设为主持人吗？" are Intent("nothing").

Both read the rule skeleton (lower case, politeness gone, people/meetings/times as markers; see
rules.py). Polite requests stay requests: "could you make @bob host?" loses "could you" to
rules.strip_polite before this runs, and "can I be host?" asks for something, not whether to.
Who-is-host questions are not affected: only the intents that change something are turned off.
"""

from __future__ import annotations

import re

from bot.intents.rules import SUBJECT

# Intents that change a meeting or hostbot's state: these are what a negation or a doubt turns off.
ACTING = frozenset({"set_host", "schedule_handover", "add_cohost", "remove_cohost", "invite", "reassign",
                    "cancel_handover", "link_meeting"})

_S = re.escape(SUBJECT)
_NEGATION = re.compile(
    r"\b(?:don'?t|do\s+not|dont|doesn'?t|does\s+not|never|nevermind|no\s+need|not\s+now|shouldn'?t|should\s+not"
    r"|won'?t|mustn'?t|must\s+not|no\s+longer\s+want)\b"
    r"|(?<!要)不要|不用|不必|无需|毋须|甭|算了|先不|暂时不|不想|不需要|没必要|千万别|别(?![人的名处说急管])"
)
_DOUBT = re.compile(
    rf"^\s*(?:should|shall|what\s+if|whether|maybe|perhaps|do\s+you\s+think|would\s+it\s+be|is\s+it\s+wise)\b"
    rf"|\b(?:i|{_S})\s*(?:wonder|am\s+not\s+sure|'m\s+not\s+sure)\b|\bnot\s+sure\b"
    r"|(?<!什)[吗么嘛]\s*[?？]*\s*$|要不要|该不该|应不应该|能不能|可不可以|是否|会不会|好不好|行不行|可以吗|应该.{0,60}[?？]\s*$"
)
# A handover cancelled by "不要/别 … 交接" is asked for, not negated; "不要取消交接" keeps its own cancel verb.
_CANCEL_VERB = re.compile(r"\b(?:cancel|delete|remove|drop|abort|unschedule|undo)\b|取消|删除|撤销|撤回")


def negated(name: str, skeleton: str) -> bool:
    """Is the request negated ("don't make @alice host")? A cancel said with 不要/别 is asked for."""
    return bool(_NEGATION.search(skeleton)) and (name != "cancel_handover" or bool(_CANCEL_VERB.search(skeleton)))


def why_nothing(name: str, skeleton: str) -> str:
    """"negation" or "question" when the intent `name` must not act on this skeleton, else ""."""
    if name not in ACTING:
        return ""
    if negated(name, skeleton):
        return "negation"
    if _DOUBT.search(skeleton):
        return "question"
    return ""
