"""The house rules that keep the tree readable (issue 13): no module over 400 lines and no function
over 60 lines, outside the sandbox (fakes written from vendor pages) and the store's migrations."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE, MAX_FUNCTION = 400, 60
EXEMPT_FUNCTIONS = {("bot/store/sqlite/schema.py", "m001_initial")}  # a migration: the first schema, as it was


def _modules() -> list[Path]:
    return sorted(p for top in ("bot", "handlers") for p in (ROOT / top).rglob("*.py")
                  if "sandbox" not in p.relative_to(ROOT).parts)


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := len(p.read_text().splitlines())) > MAX_MODULE}
    assert long == {}


def test_no_function_is_over_60_lines() -> None:
    long: dict[str, int] = {}
    for path in _modules():
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (rel, node.name) not in EXEMPT_FUNCTIONS:
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION:
                    long[f"{rel}:{node.name}"] = lines
    assert long == {}


def test_bot_keeps_at_most_8_top_level_modules() -> None:
    assert len(list((ROOT / "bot").glob("*.py"))) <= 8
