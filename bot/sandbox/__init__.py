"""The sandbox: stateful loopback fakes of the vendors hostbot talks to, behind one HTTP server.

Used by `hostbot demo`, by the tests (SDKs pointed at it over 127.0.0.1) and by `hostbot sandbox`
for a real-mode bot. Each fake answers the vendor's real paths, codes and bodies, records every
request and can be told to misbehave (see faults.py). A small control API under /_sandbox/ lets a
process that did not start the sandbox inspect and steer it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.sandbox.box import Sandbox
    from bot.sandbox.faults import Fault

__all__ = ["Fault", "Sandbox"]


def __getattr__(name: str) -> Any:
    """`from bot.sandbox import Sandbox` imports the fakes (box.py) then, not when the package is imported:
    `hostbot say`, the tests' helpers and each fake's own module need not pay for all of them."""
    if name == "Sandbox":
        from bot.sandbox.box import Sandbox

        return Sandbox
    if name == "Fault":
        from bot.sandbox.faults import Fault

        return Fault
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
