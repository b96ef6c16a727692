"""Counting a rate the way the vendor limits it: the most events in any window of `width` seconds."""

from __future__ import annotations


def busiest_window(times: list[float], width: float = 1.0) -> int:
    """The most events in any window [t, t + width) that starts at an event."""
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best
