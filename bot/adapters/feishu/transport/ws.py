"""Feishu long connection (FEISHU_MODE=ws): lark.ws.Client in its own thread, with a watchdog.

lark-oapi 1.7.5 quirks (vendor-notes §A; larksuite/oapi-sdk-python#96, #119, #133):
- `lark.ws.Client.start()` blocks forever and has no async twin;
- `lark_oapi.ws.client` captures a module-level event loop when it is imported. Imported inside a
  running loop (ours), start() then fails with "This event loop is already running". So the client
  runs in a dedicated thread with a new loop, assigned to `lark_oapi.ws.client.loop` before the
  client is built and started. The SDK looks that global up at call time, so only one client may
  run at a time: a restart stops the old thread before the next one starts.
Events reach the FeishuAdapter's callbacks in that thread (no token or signature check: the
connection is authenticated), which hand them to the main loop (run_coroutine_threadsafe).

The SDK reconnects by itself when the socket closes. What it does not notice is a connection that
stays open but carries nothing (a half-open TCP connection, a stuck server): the client pings every
PingInterval and Feishu answers with a pong, so any frame at all proves the connection alive. The
watchdog restarts the client after `silence_s` without a frame (default: 3 ping intervals + 30 s),
and when its thread has died (e.g. the endpoint refused the app's credentials).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol

import lark_oapi.ws.client as ws_client  # the SDK's event dispatcher with it: only FEISHU_MODE=ws imports this
from lark_oapi.core.enum import LogLevel

if TYPE_CHECKING:
    from bot.adapters.feishu.transport.events import EventDispatch
    from bot.config import Settings

log = logging.getLogger(__name__)



class EventSink(Protocol):
    """What the long connection needs of the Feishu adapter (bot/adapters/feishu/adapter.py)."""

    settings: Settings

    def event_handler(self, encrypt_key: str, verification_token: str) -> EventDispatch: ...

    def bind_loop(self) -> None: ...


CHECK_S = 15.0
MAX_BACKOFF_S = 300.0
STOP_WAIT_S = 5.0


class _WatchedClient(ws_client.Client):
    """lark.ws.Client that tells the watchdog about every frame it receives and every connect."""

    def __init__(self, watcher: FeishuLongConnection, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watcher = watcher

    async def _handle_message(self, msg: bytes) -> None:
        self._watcher.touch()
        await super()._handle_message(msg)

    async def _connect(self) -> None:
        await super()._connect()
        self._watcher.touch()


class FeishuLongConnection:
    def __init__(self, adapter: EventSink, *, silence_s: float | None = None, check_s: float = CHECK_S) -> None:
        settings = adapter.settings
        self.adapter = adapter
        self.app_id, self._secret, self.domain = settings.feishu_app_id, settings.feishu_app_secret, \
            settings.feishu_domain.rstrip("/")
        # No keys: over the long connection events come plain and unsigned (the socket is authenticated).
        self.handler = adapter.event_handler("", "")
        self.silence_s = silence_s
        self.check_s = check_s
        self.restarts = 0
        self.last_seen = time.monotonic()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: _WatchedClient | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._watchdog: asyncio.Task[None] | None = None
        self._stopping = False

    # ---- public ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the client thread and the watchdog; events then reach the adapter on this loop."""
        self.adapter.bind_loop()
        self._stopping = False
        self._start_thread()
        self._watchdog = asyncio.create_task(self._watch(), name="feishu-ws-watchdog")

    async def stop(self) -> None:
        self._stopping = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        await asyncio.to_thread(self._stop_thread)

    @property
    def connected(self) -> bool:
        client = self._client
        return client is not None and client._conn is not None and self._thread is not None \
            and self._thread.is_alive()

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    def silence_limit(self) -> float:
        if self.silence_s is not None:
            return self.silence_s
        client = self._client
        ping = float(getattr(client, "_ping_interval", None) or 120)
        return 3 * ping + 30

    # ---- the thread ----------------------------------------------------------------------------
    def _start_thread(self) -> None:
        self.touch()
        self._ready.clear()
        thread = threading.Thread(target=self._run, name="feishu-long-connection", daemon=True)
        with self._lock:
            self._thread = thread
        thread.start()
        self._ready.wait(STOP_WAIT_S)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        ws_client.loop = loop  # the SDK's module-level loop: ours, in this thread (see module docstring)
        client: _WatchedClient | None = None
        try:
            client = _WatchedClient(self, self.app_id, self._secret, event_handler=self.handler, domain=self.domain,
                                    log_level=LogLevel.WARNING, auto_reconnect=True)
            with self._lock:
                self._loop, self._client = loop, client
            self._ready.set()
            client.start()  # blocks until stop() stops the loop
        except RuntimeError as err:
            if not self._stopping and "stopped" not in str(err):
                log.warning("feishu long connection ended: %s", err)
        except Exception as err:  # credentials refused, endpoint unreachable...: the watchdog retries
            log.warning("feishu long connection failed: %s: %s", type(err).__name__, err)
        finally:
            self._ready.set()
            _shutdown(loop, client)

    def _stop_thread(self) -> None:
        with self._lock:
            loop, client, thread = self._loop, self._client, self._thread
            self._loop = self._client = None
        if client is not None:
            client._auto_reconnect = False  # else a stopped loop looks like a lost connection
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(STOP_WAIT_S)
            if thread.is_alive():
                log.warning("feishu long connection: the old client thread did not stop in time")

    # ---- the watchdog ----------------------------------------------------------------------------
    async def _watch(self) -> None:
        failures = 0  # client threads that died in a row: wait longer before the next try
        while not self._stopping:
            await asyncio.sleep(min(MAX_BACKOFF_S, self.check_s * 2**failures))
            thread = self._thread
            dead = thread is None or not thread.is_alive()
            quiet = time.monotonic() - self.last_seen
            if not dead and quiet <= self.silence_limit():
                failures = 0 if self.connected else failures
                continue
            failures = failures + 1 if dead else 0
            log.warning("feishu long connection %s; restarting it",
                        "ended" if dead else f"silent for {quiet:.0f} s")
            await asyncio.to_thread(self._stop_thread)
            if self._stopping:
                return
            self._start_thread()
            self.restarts += 1


def _shutdown(loop: asyncio.AbstractEventLoop, client: Any) -> None:
    """Close the socket and everything the SDK left running on `loop`, then the loop itself."""
    try:
        if client is not None:
            client._auto_reconnect = False
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        conn = getattr(client, "_conn", None)
        if conn is not None:
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.wait_for(conn.close(), 2.0))
            client._conn = None
    except Exception as err:  # shutting down: log and go
        log.debug("feishu long connection shutdown: %s", err)
    finally:
        loop.close()
