"""Rows of dicts printed for people: an aligned text table, JSON or CSV (the admin commands' output)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

FORMATS = ("table", "json", "csv")


def format_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str,
                table_columns: Sequence[str] | None = None) -> str:
    """`rows` restricted to `columns` in `fmt`; the text table may show fewer (`table_columns`)."""
    picked = [{c: ("" if r.get(c) is None else r.get(c)) for c in columns} for r in rows]
    if fmt == "json":
        return json.dumps(picked, ensure_ascii=False, indent=1)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(picked)
        return out.getvalue().rstrip("\n")
    shown = list(table_columns or columns)
    cells = [shown] + [[str(p[c]) for c in shown] for p in picked]
    widths = [max(len(row[i]) for row in cells) for i in range(len(shown))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
