"""No import cycle anywhere in bot/ and handlers/, with the imports made only for type checking counted
(issue 26): a module never imports, even for a type, a module that imports it back, directly or
through others. import-linter's acyclic_siblings contract (pyproject.toml) sees packages only; this
walks modules, a package's __init__ and its own modules included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set

import grimp

# Edges tolerated for a while (each listed edge is ignored; a new one is not). None: the sandbox's mixins
# see their fake through a Protocol (feishu/state.VcFake, control.Sandbox) or shared values (slack/people.py).
KNOWN: set[tuple[str, str]] = set()


def graph() -> dict[str, set[str]]:
    g = grimp.build_graph("bot", "handlers", include_external_packages=False, exclude_type_checking_imports=False)
    return {m: {i for i in g.find_modules_directly_imported_by(m) if (m, i) not in KNOWN} for m in g.modules}


def cycles(edges: Mapping[str, Set[str]]) -> list[list[str]]:
    """One shortest cycle through each strongly connected group of modules (Tarjan, then a BFS)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(v: str) -> None:  # recursion is fine: the import graph is a few hundred modules deep at most
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while (w := stack.pop()) != v:
                group.add(w)
            group.add(v)
            if len(group) > 1:
                groups.append(group)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return [_shortest(min(group), group, edges) for group in groups]


def _shortest(start: str, group: Iterable[str], edges: Mapping[str, Set[str]]) -> list[str]:
    inside, paths, seen = set(group), [[start]], {start}
    while paths:
        path = paths.pop(0)
        for w in sorted(edges[path[-1]] & inside):
            if w == start:
                return [*path, start]
            if w not in seen:
                seen.add(w)
                paths.append([*path, w])
    raise AssertionError(f"no cycle through {start}")


def test_no_import_cycle_type_only_imports_counted() -> None:
    found = [" -> ".join(c) for c in cycles(graph())]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_the_known_sandbox_edges_still_exist() -> None:
    g = grimp.build_graph("bot", include_external_packages=False, exclude_type_checking_imports=False)
    gone = {e for e in KNOWN if not g.direct_import_exists(importer=e[0], imported=e[1])}
    assert gone == set(), f"no longer imported: drop them from KNOWN: {gone}"


def test_a_cycle_is_found_and_named() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e2"}, "e2": {"e"}}
    assert sorted(cycles(edges)) == [["a", "b", "c", "a"], ["e", "e2", "e"]]
