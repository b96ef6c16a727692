"""The fake Feishu app's request budget: set_host and invite allow 1000 per minute and 50 per second
per app (both docs: "接口频率限制 1000 次/分钟、50 次/秒"). Over it, Feishu answers HTTP 429 with code
99991400 "request trigger frequency limit" and the x-ogw-ratelimit-limit / -reset headers (Feishu's
rate-limit page; not in vendor-docs, so UNCONFIRMED here). Counted from the fake's own state: a
sliding window over the requests it admitted (GUESS: whether Feishu slides or uses fixed windows)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOWS = ((50, 1.0), (1000, 60.0))


class AppRateLimit:
    def __init__(self, windows: tuple[tuple[int, float], ...] = WINDOWS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.windows = windows
        self.clock = clock
        self._admitted: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> float | None:
        """None when the request may go ahead (it is counted), else the seconds until it could."""
        with self._lock:
            now = self.clock()
            longest = max((p for _, p in self.windows), default=0.0)
            while self._admitted and self._admitted[0] <= now - longest:
                self._admitted.popleft()
            wait = 0.0
            for limit, period in self.windows:
                recent = [t for t in self._admitted if t > now - period]
                if len(recent) >= limit:
                    wait = max(wait, recent[-limit] + period - now)
            if wait > 0:
                return wait
            self._admitted.append(now)
            return None
