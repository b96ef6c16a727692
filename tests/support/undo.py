"""The Undo offer a host or co-host change now ends with (tests/core/test_undo.py tests the offer itself)."""

from __future__ import annotations

import re

OFFER = re.compile(r"\n(Changed by mistake\? Undo until|弄错了？)[^\n]*(\n\[\d\] (Undo|撤销))?$")


def without_undo(text: str) -> str:
    """`text` without its trailing Undo offer line (and the console's [n] Undo choice); asserts it had one."""
    stripped = OFFER.sub("", text)
    assert stripped != text, f"no Undo offer in {text!r}"
    return stripped
