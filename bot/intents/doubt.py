"""Negation: "don't make @alice host", "别把 @bob 设为主持人" never act (speech.py decides the speech act).

ACTING lists the intents that change a meeting or hostbot's state: what a negation, a doubt, a question
or a statement turns off. `negated` reads the rule skeleton (lower case, politeness gone, people /
meetings / times as markers; see rules.py).
"""

from __future__ import annotations

import re

# Intents that change a meeting or hostbot's state: these are what a negation or a doubt turns off.
ACTING = frozenset({"set_host", "schedule_handover", "add_cohost", "remove_cohost", "invite", "reassign",
                    "cancel_handover", "link_meeting"})

_NEGATION = re.compile(
    r"\b(?:don'?t|do\s+not|dont|doesn'?t|does\s+not|never|nevermind|no\s+need|not\s+now|shouldn'?t|should\s+not"
    r"|won'?t|mustn'?t|must\s+not|no\s+longer\s+want)\b"
    r"|(?<!要)不要|不用|不必|无需|毋须|甭|算了|先不|暂时不|不想|不需要|没必要|千万别|别(?![人的名处说急管])"
)
# A handover cancelled by "不要/别 … 交接" is asked for, not negated; "不要取消交接" keeps its own cancel verb.
_CANCEL_VERB = re.compile(r"\b(?:cancel(?:l?ing)?|delet(?:e|ing)|remov(?:e|ing)|drop(?:ping)?|abort(?:ing)?"
                          r"|unschedul(?:e|ing)|undo(?:ing)?)\b|取消|删除|撤销|撤回")


# Where a clause ends: a negation before it does not reach the words after it.
_CLAUSE_END = re.compile(r"[,，;；.。!！?？]|\b(?:and|then|but|instead)\b|然后|但是|而是")


def negated(name: str, skeleton: str, more: re.Pattern[str] | None = None) -> bool:
    """Is the request negated ("don't make @alice host")? `more`: further negation forms of the caller's.

    A cancel is negated only by a negation before its cancel verb in the same clause ("don't cancel the
    handover", "不要取消3号交接"): in "don't hand over to @bob anymore, cancel that handover" and
    "不用交接给@bob了，取消吧" the negation is of the old plan, and the cancel is what is asked for."""
    if name != "cancel_handover":
        return bool(_NEGATION.search(skeleton) or (more is not None and more.search(skeleton)))
    for verb in _CANCEL_VERB.finditer(skeleton):
        clause = _CLAUSE_END.split(skeleton[:verb.start()])[-1]
        if _NEGATION.search(clause) or (more is not None and more.search(clause)):
            return True
    return False
