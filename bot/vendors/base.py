"""What the vendor clients share beyond the interface (bot/core/model/vendor.py): batching."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of at most `size` items (vendors cap batch sizes: Feishu 10, Webex 100)."""
    for start in range(0, len(items), size):
        yield list(items[start:start + size])
