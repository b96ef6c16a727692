"""lark-oapi without its whole Open API: its packages are registered so that submodules load on their own.

`lark_oapi/__init__.py` (1.7.x) imports every service of the Open API (`from .api import *`, `Client`,
the event dispatcher), and `lark_oapi/api/__init__.py` imports every service package: 4.8 s and
~176 MB before hostbot can use a single request builder (upstream larksuite/oapi-sdk-python #68, #74,
#121). Python runs a package's `__init__` before any of its submodules, so `from lark_oapi.api.vc.v1
import GetMeetingRequest` alone costs the same. `install()` puts these packages in `sys.modules`
as they would be, with their real `__path__`, without running their `__init__`; importing
`lark_oapi.api.vc.v1` or `lark_oapi.core.model` then loads that subtree and what it imports.

Nothing is hidden: any other attribute of either package (`lark_oapi.Client`, `from lark_oapi.api
import *`) runs the real `__init__` on the spot, so third-party code that wants the whole SDK gets it.
hostbot never does; tests/ops/test_lark_imports.py checks it. `LazyModule` names a lark-oapi module
that is imported at its first use, so that `hostbot run` with Feishu configured starts without any.

`start_preload` imports the modules hostbot uses in a thread of its own; `hostbot run` defers it to the first
Feishu event or call (`on_first_need`: a bot that has had no Feishu traffic holds none of lark-oapi's ~21 MiB,
and that first request waits ~0.5 s for the import, off the event loop). Two
threads importing lark-oapi at once can meet in its circular imports: Python's module locks then detect
a deadlock and hand one thread a partially initialized module (ImportError, an internal-error reply).
So while a preload runs, the Feishu paths wait for it: `await preloaded()` where they start (the webhook,
the vendor), without blocking the event loop, and `wait_preloaded()` before any other import of
lark-oapi (every `LazyModule`, and each function that imports lark-oapi itself), blocking at most as
long as importing on the spot would have. Nothing waits while an import lock is held: these are plain
calls made before an import starts, and the preload thread imports only lark-oapi, never hostbot.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.machinery
import importlib.util
import logging
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

__all__ = ["LazyModule", "install", "on_first_need", "preload", "preloaded", "start_preload", "wait_preloaded"]

# Whose __init__ imports the whole Open API; `lark_oapi.ws`'s imports its client, which imports the event
# dispatcher, which imports the event processors of 24 services (the sandbox needs only ws.pb).
PACKAGES = ("lark_oapi", "lark_oapi.api", "lark_oapi.ws")


def install() -> None:
    """Register the heavy packages without running their __init__ (no-op once imported either way)."""
    for name in PACKAGES:
        if name in sys.modules:
            continue
        parent, _, child = name.rpartition(".")
        path = sys.modules[parent].__path__ if parent else None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return  # lark-oapi is not installed: the Feishu modules will say so when imported
        module = importlib.util.module_from_spec(spec)
        module.__getattr__ = _loader_on_demand(module, spec)  # type: ignore[method-assign]
        sys.modules[name] = module
        if parent:
            setattr(sys.modules[parent], child, module)


def _loader_on_demand(module: types.ModuleType, spec: importlib.machinery.ModuleSpec) -> Any:
    """PEP 562 `__getattr__`: a submodule is imported alone; any other name runs the real __init__ once."""
    state = {"ran": False}

    def __getattr__(name: str) -> Any:
        if spec.submodule_search_locations is not None and importlib.machinery.PathFinder.find_spec(
                f"{spec.name}.{name}", list(spec.submodule_search_locations)) is not None:
            return importlib.import_module(f"{spec.name}.{name}")
        if state["ran"] or (name.startswith("__") and name != "__all__"):
            raise AttributeError(f"module {spec.name!r} has no attribute {name!r}")
        state["ran"] = True
        assert spec.loader is not None
        spec.loader.exec_module(module)  # the full SDK, as `import lark_oapi` would have loaded it
        return getattr(module, name)

    return __getattr__


class LazyModule:
    """A module imported when one of its attributes is first read (`vc.GetMeetingRequest`), not before."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # copy/pickle/inspect probes: not worth an import
            raise AttributeError(attr)
        wait_preloaded()
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"LazyModule({self._name!r})"


log = logging.getLogger(__name__)


# ---- the preload: one thread imports, every other Feishu path waits for it ---------------------------------
WAIT_S = 60.0  # a preload that has not finished by then is not waited for any longer (it takes ~1 s)


class _Preload:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()
        self.thread: int | None = None  # the importing thread's ident, while it runs
        self.waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.deferred: tuple[tuple[str, ...], tuple[Callable[[], object], ...]] | None = None

    def begin(self) -> None:
        with self.lock:
            self.idle.clear()

    def end(self) -> None:
        with self.lock:
            self.thread = None
            self.idle.set()
            waiters, self.waiters = self.waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits there any more
                loop.call_soon_threadsafe(_settle, future)


_state = _Preload()


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def preload(names: tuple[str, ...], then: tuple[Callable[[], object], ...] = ()) -> None:
    """Import these modules now, in this thread (`start_preload` runs it in a thread of its own: importing
    them takes ~0.5-1 s of CPU), then run `then`; while it runs, other threads' lark-oapi imports wait for it."""
    _state.begin()
    _state.thread = threading.get_ident()
    try:
        for name in names:
            importlib.import_module(name)
        for step in then:
            try:
                step()
            except Exception:  # a warm-up that failed is done again where it is needed, and says why there
                log.exception("after the lark-oapi preload: %s failed", getattr(step, "__qualname__", step))
    finally:
        _state.end()


def start_preload(names: tuple[str, ...], then: tuple[Callable[[], object], ...] = ()) -> threading.Thread:
    """`preload(names, then)` in a daemon thread. Marked as running before the thread starts, so that nothing
    the caller's thread does next can import lark-oapi beside it."""
    _state.begin()
    thread = threading.Thread(target=preload, args=(names, then), name="lark-oapi preload", daemon=True)
    thread.start()
    return thread


def on_first_need(names: tuple[str, ...], then: tuple[Callable[[], object], ...] = ()) -> None:
    """Start `start_preload(names, then)` at the first `await preloaded()` (a Feishu event or call), not now."""
    with _state.lock:
        _state.deferred = (names, then)


def wait_preloaded(timeout: float = WAIT_S) -> None:
    """Block until no preload runs in another thread (at once when none does): call before importing lark-oapi."""
    if not _state.idle.is_set() and _state.thread != threading.get_ident():
        _state.idle.wait(timeout)


async def preloaded(timeout: float = WAIT_S) -> None:
    """Until no preload runs, without blocking the event loop (at once when none does); the first call starts
    the preload `on_first_need` deferred."""
    with _state.lock:
        deferred, _state.deferred = _state.deferred, None
    if deferred is not None:
        start_preload(*deferred)
    if _state.idle.is_set():
        return
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    with _state.lock:
        if _state.idle.is_set():
            return
        _state.waiters.append((asyncio.get_running_loop(), future))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(future), timeout)
