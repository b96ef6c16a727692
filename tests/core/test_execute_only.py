"""The invariant of the house: a mutating vendor method is called from bot/core/flow/execute.py only.

Handlers, the gate and the adapters hold vendors as MeetingReader (bot/core/model/vendor.py), so such a
call does not type-check (the mypy test below). And every other module of bot/ and handlers/ (the
vendor clients themselves and the sandbox aside) is read as source and every call of a mutating
method name is listed: a handler, the scheduler or an adapter that called one directly would bypass
the gate, and this test would name it.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import mypy.api
import pytest

from bot.core.model.plan import VENDOR_OPERATIONS, Operation
from bot.core.model.vendor import MeetingVendor

ROOT = Path(__file__).resolve().parents[2]
MUTATING = {op.value for op in VENDOR_OPERATIONS}
ALLOWED = {ROOT / "bot" / "core" / "flow" / "execute.py"}
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
    called = {name for name, _ in calls_of(ROOT / "bot" / "core" / "flow" / "execute.py")}
    assert called == MUTATING


def test_a_handler_calling_a_mutating_method_does_not_type_check(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Handlers see vendors as MeetingReader (bot/core/model/vendor.py): mypy refuses each mutating call, through
    ctx.vendors and ctx.services.vendors alike, and accepts the reads next to them."""
    handler = tmp_path / "mutating_handler.py"
    calls = "\n".join(f"    await ctx.vendors['zoom'].{op}(meeting, user, None)\n"
                      f"    await ctx.services.vendors['zoom'].{op}(meeting, user, None)" for op in sorted(MUTATING))
    handler.write_text(
        "from bot.core.request.context import Context\n"
        "from bot.core.model.outcome import VendorUser\n"
        "from bot.core.model.vendor import Meeting, MeetingRef\n\n\n"
        "async def handler(ctx: Context, meeting: Meeting, user: VendorUser) -> None:\n"
        "    await ctx.vendors['zoom'].find_meeting(MeetingRef('zoom', meeting.id))\n"
        "    await ctx.services.vendors['zoom'].who_is_host(meeting)\n"
        f"{calls}\n", encoding="utf-8")
    monkeypatch.chdir(ROOT)
    out, err, status = mypy.api.run(["--config-file", str(ROOT / "pyproject.toml"), str(handler)])
    errors = [line.split(": error: ", 1)[1] for line in out.splitlines() if ": error: " in line]
    assert status == 1, out + err
    assert sorted(errors) == sorted(f'"MeetingReader" has no attribute "{op}"  [attr-defined]'
                                    for op in MUTATING for _ in range(2))


def test_no_handler_names_the_writer_type() -> None:
    """A handler holding a MeetingVendor (an annotation, an isinstance) would type-check its mutating calls."""
    named = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "handlers").rglob("*.py"))
             if any(isinstance(n, ast.Name | ast.Attribute | ast.alias) and "MeetingVendor" in ast.unparse(n)
                    for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))))]
    assert named == []
