"""Feishu meeting number -> meeting_id, remembered for a few minutes so set_host by number costs 2 calls, not 3.

A number is resolved with list_by_no (one call, then a get per candidate). Feishu reuses a 9-digit
number only after its meeting ended, and two running meetings never share one, so a number that
resolved to a running meeting still means that meeting while it runs. The cache only saves the
list_by_no: the meeting is still read (get) on every use, for the host compare-and-set and the
authority check, and an entry is dropped as soon as that read, or a change, says the meeting is gone,
over or no longer carries the number. One cache per vendor object: every request of the process shares it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from bot.core.model.outcome import Kind, Outcome

TTL_S = 600.0  # long enough for "who hosts 123…?" then "make @alice host of 123…", short against reuse
MAX_ENTRIES = 4096
GONE_REASONS = {"meeting_not_in_progress", "invite_meeting_not_running", "meeting_not_found"}


class NumberCache:
    """Recently resolved numbers of running meetings: number -> (meeting_id, when)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, ttl: float = TTL_S) -> None:
        self.clock, self.ttl = clock, ttl
        self._ids: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def get(self, number: str) -> str | None:
        hit = self._ids.get(number)
        if hit is None:
            return None
        if self.clock() - hit[1] > self.ttl:
            del self._ids[number]
            return None
        return hit[0]

    def put(self, number: str, meeting_id: str) -> None:
        self._ids[number] = (meeting_id, self.clock())
        self._ids.move_to_end(number)
        while len(self._ids) > MAX_ENTRIES:
            self._ids.popitem(last=False)

    def forget(self, meeting_id: str) -> None:
        for number in [n for n, (mid, _) in self._ids.items() if mid == meeting_id]:
            del self._ids[number]

    def forget_if_gone(self, meeting_id: str, outcome: Outcome) -> Outcome:
        """Drop the meeting's number when the vendor says it is not found or not running; `outcome` unchanged."""
        if outcome.kind is Kind.NOT_FOUND or outcome.reason in GONE_REASONS:
            self.forget(meeting_id)
        return outcome
