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


# The verbs of a removal: "不需要联席主持人了，把@bob去掉" negates the role, and asks for the removal.
_REMOVE_VERB = re.compile(r"\b(?:remov(?:e|ing)|drop(?:ping)?|delet(?:e|ing)|revok(?:e|ing)|kick|rm|unassign)\b"
                          r"|去掉|移除|移出|删掉|删除|撤掉|拿掉|踢出|取消")
# Where a clause ends: a negation before it does not reach the words after it.
_CLAUSE_END = re.compile(r"[,，;；.。!！?？]|\b(?:and|then|but|instead)\b|然后|但是|而是")


def negated(name: str, skeleton: str, more: re.Pattern[str] | None = None) -> bool:
    """Is the request negated ("don't make @alice host")? `more`: further negation forms of the caller's.

    A cancel (and a removal said in two clauses) is negated only by a negation before its verb in the same
    clause ("don't cancel the handover", "不要取消3号交接"): in "don't hand over to @bob anymore, cancel that
    handover" and "不用交接给@bob了，取消吧" the negation is of the old plan, and the cancel is what is asked for."""

    def negation(text: str) -> bool:
        return bool(_NEGATION.search(text) or (more is not None and more.search(text)))

    verbs = {"cancel_handover": _CANCEL_VERB, "remove_cohost": _REMOVE_VERB}.get(name)
    clauses = _CLAUSE_END.split(skeleton)
    if verbs is None or not verbs.search(skeleton) or (name == "remove_cohost" and len(clauses) < 2):
        # (a cancel with no cancel verb, "交接不要了", is asked for: no negation of a cancel in it)
        return name != "cancel_handover" and negation(skeleton)
    for clause in clauses:  # each clause once: linear in the line (a verb-by-verb look back was quadratic)
        verb = verbs.search(clause)
        if verb is not None and negation(clause[:verb.start()]):
            return True
    return False
