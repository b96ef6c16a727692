"""Paths that exist (issue 26): every repository path named in docs/ and in the comments and docstrings
of bot/, handlers/, bench/ and tests/ names a file or folder of the repository; a dotted form such as
bot/store/store.Store names a module and a top-level name in it. README.md is checked by
tests/ops/test_readme_examples.py; paths under ../shared (the vendors' material) are not ours."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATH = re.compile(r"(?<![\w/.\-])((?:bot|handlers|tests|bench|docs)/[\w./*\-]*[\w*])")
ELSEWHERE: set[tuple[str, str]] = set()  # (file, path) pairs tolerated for a while; none today


def texts(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of each comment and docstring of a Python file; a Markdown file whole."""
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        yield 1, source
        return
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            yield tok.start[0], tok.string
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                yield first.lineno, first.value.value


@cache
def names_in(module: Path) -> frozenset[str]:
    found: set[str] = set()
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.Assign):
            found |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return frozenset(found)


def exists(ref: str) -> bool:
    if "*" in ref:
        return any(ROOT.glob(ref))
    if (ROOT / ref).exists():
        return True
    folder, _, last = ref.rpartition("/")
    module, dot, name = last.partition(".")
    if not dot or name.split(".")[0] in {"py", "md", "yaml", "toml", "json", "txt"}:
        return False
    path = ROOT / folder / f"{module}.py"
    path = path if path.exists() else ROOT / folder / module / "__init__.py"
    return path.exists() and name.split(".")[0] in names_in(path)


def url_path(ref: str) -> bool:
    """…/open-apis/bot/v3/info, Slack's bot/user tokens: no file name, and no such folder of ours."""
    parts = ref.split("/")
    return not any("." in p for p in parts) and not (ROOT / parts[0] / parts[1]).exists()


def stale(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        rel = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
        for line, text in texts(path):
            for match in PATH.finditer(text):
                ref = match.group(1).rstrip(".")
                if not url_path(ref) and not exists(ref) and (rel, ref) not in ELSEWHERE:
                    found.append(f"{rel}:{line}: {ref}")
    return found


def test_every_path_named_in_docs_and_docstrings_exists() -> None:
    files = sorted([*(ROOT / "docs").rglob("*.md"),
                    *(p for top in ("bot", "handlers", "bench", "tests") for p in (ROOT / top).rglob("*.py"))])
    assert stale(files) == []


def test_a_stale_path_is_named(tmp_path: Path) -> None:
    module = ROOT / "tests" / "core" / "test_paths.py"  # this file: its own docstring names real ones
    assert stale([module]) == []
    fake = tmp_path / "notes.md"
    fake.write_text("See bot/scheduler.py, bot/store/store.Store, bot/store/store.Nothing, bot/core/*.py, "
                    "tests/core/test_nothing_*.py and https://open.feishu.cn/open-apis/bot/v3/info.\n")
    assert stale([fake]) == ["notes.md:1: bot/scheduler.py", "notes.md:1: bot/store/store.Nothing",
                             "notes.md:1: tests/core/test_nothing_*.py"]
