"""Sandbox plumbing shared by every fake vendor: the request recorder and fault injection.

A fault is armed for one operation name ("feishu.set_host", "feishu.token", ...) and fires on the
next N matching requests: extra latency, a canned HTTP status + body (429 with Retry-After, 5xx,
an HTML 502, truncated JSON). A timeout is latency longer than the client waits. With `after=True`
the fake first does the work (the change is made), and only then is the answer lost: `status`
replaces the real answer (a 502 from a gateway) and/or `latency` delays it past the client's
timeout. That is the case bot/vendors/calls.py is about: never repeat a change blindly. Faults are
how tests reach the answers that the fakes' state cannot produce on its own.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    op: str  # operation name, e.g. "feishu.set_host"
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # parsed JSON when the body was JSON, else the raw text
    at: float
    status: int = 0  # what the sandbox answered (0 while the fake is still working on it)


@dataclass
class Fault:
    op: str
    status: int | None = None  # None: no canned answer, only latency
    body: Any = None  # dict -> JSON; str -> sent verbatim (e.g. HTML or truncated JSON)
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    times: int = 1  # how many requests it affects; -1 = until cleared
    after: bool = False  # apply the change first, then lose the answer (status and/or latency)


class FaultPlan:
    """Thread-safe list of armed faults (tests arm them from their own thread)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._latency: dict[str, float] = {}
        self._lock = threading.Lock()
        self.known_ops: set[str] = set()  # every operation a fake serves (filled as routes are built)

    def knows(self, op: str) -> bool:
        """Does `op` name an operation of a fake ("webex.reassign"), or a prefix of some ("zoom.*")?"""
        if op.endswith("*"):
            return any(k.startswith(op[:-1]) for k in self.known_ops)
        return op in self.known_ops

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def set_latency(self, op_prefix: str, seconds: float) -> None:
        """Every request whose op starts with `op_prefix` waits `seconds` before it is answered."""
        with self._lock:
            if seconds <= 0:
                self._latency.pop(op_prefix, None)
            else:
                self._latency[op_prefix] = seconds

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._latency.clear()

    def take(self, op: str) -> tuple[Fault | None, float]:
        """The fault to apply to this request (consumed), and the standing latency for `op`."""
        with self._lock:
            latency = max((s for p, s in self._latency.items() if op.startswith(p)), default=0.0)
            for fault in self._faults:
                if fault.op == op or (fault.op.endswith("*") and op.startswith(fault.op[:-1])):
                    if fault.times > 0:
                        fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault, latency
            return None, latency


class Recorder:
    def __init__(self) -> None:
        self._items: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def add(self, item: RecordedRequest) -> int:
        with self._lock:
            self._items.append(item)
            return len(self._items) - 1

    def answered(self, index: int, status: int) -> None:
        """Fill in the status of request `index` once the fake has answered it."""
        with self._lock:
            if index < len(self._items):
                self._items[index] = dataclasses.replace(self._items[index], status=status)

    def all(self, op: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self._items if op is None or r.op == op]

    def count(self, op: str) -> int:
        return len(self.all(op))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    @staticmethod
    def now() -> float:
        return time.time()
