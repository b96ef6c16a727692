"""The grammar corpus (tests/corpus/grammar.txt): 400+ utterances as people type them, scored per group.

The suite fails below 97 % overall or below 95 % in any group; the per-group table is printed in
the terminal summary (tests/conftest.py) and with `pytest -s`. Misses are listed in the failure.
"""

from __future__ import annotations

from collections import Counter

from bot.intents import parse
from tests.support.grammar_corpus import load, report, score

CASES = load()
REPORT: list[str] = []  # the table, for the terminal summary


def test_corpus_covers_what_people_type() -> None:
    assert len(CASES) >= 400
    groups = Counter(c.group for c in CASES)
    assert groups["zh_nospace"] >= 60 and groups["neg_question"] >= 30
    assert groups["typos"] >= 30 and groups["compound"] >= 20
    intents = {c.expect["intent"] for c in CASES}
    from bot.intents import INTENT_NAMES

    assert intents == set(INTENT_NAMES)
    assert {c.platform for c in CASES} == {"console", "slack", "feishu"}
    assert len({c.tz for c in CASES}) >= 3


def test_accuracy_per_group() -> None:
    by_group, wrong = score(parse, CASES)
    table = report(by_group)
    REPORT[:] = [table]
    print("\n" + table)
    right = sum(r for r, _ in by_group.values())
    total = sum(t for _, t in by_group.values())
    low = [g for g, (r, t) in by_group.items() if r / t < 0.95]
    assert right / total >= 0.97 and not low, "\n".join([table, *wrong])
