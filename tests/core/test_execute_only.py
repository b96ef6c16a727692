"""The invariant of the house: a mutating vendor method is called from bot/core/execute.py only.

Every other module of bot/ and handlers/ (the vendor clients themselves and the sandbox aside) is
read as source and every call of a mutating method name is listed: a handler, the scheduler or an
adapter that called one directly would bypass the gate, and this test would name it.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from bot.core.plan import VENDOR_OPERATIONS, Operation
from bot.core.vendor import MeetingVendor

ROOT = Path(__file__).resolve().parents[2]
MUTATING = {op.value for op in VENDOR_OPERATIONS}
ALLOWED = {ROOT / "bot" / "core" / "execute.py"}
OUTSIDE = (ROOT / "bot" / "vendors", ROOT / "bot" / "sandbox")  # the clients and the fakes themselves


def calls_of(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.func.attr, node.lineno) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATING]


def test_every_mutating_operation_is_a_vendor_method() -> None:
    methods = {name for name, _ in inspect.getmembers(MeetingVendor, inspect.isfunction)}
    assert methods >= MUTATING, MUTATING - methods
    assert {Operation.SET_HOST, Operation.INVITE, Operation.REASSIGN} <= VENDOR_OPERATIONS


def test_mutating_vendor_methods_are_called_only_from_execute() -> None:
    found: list[str] = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]):
        if any(path.is_relative_to(d) for d in OUTSIDE):
            continue
        found += [f"{path.relative_to(ROOT)}:{line} calls .{name}()" for name, line in calls_of(path)
                  if path not in ALLOWED]
    assert found == []


def test_execute_calls_each_of_them() -> None:
    called = {name for name, _ in calls_of(ROOT / "bot" / "core" / "execute.py")}
    assert called == MUTATING
