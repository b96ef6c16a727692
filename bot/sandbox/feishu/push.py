"""Feishu pushing its events to a bot's webhook, as `hostbot sandbox` needs for the meeting events.

`EventPusher(events, url).start()` takes over `events.deliver`: every meeting started or ended from then
on (and those already in the outbox) is sealed (encrypted, signed) and POSTed to `url` in order, from a
daemon thread. A bot that is not up yet is waited for (Feishu retries too); the sandbox never blocks.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from bot.sandbox.feishu.events import FeishuEvents

log = logging.getLogger(__name__)
RETRY_S = 2.0


class EventPusher:
    def __init__(self, events: FeishuEvents, url: str) -> None:
        self.events, self.url = events, url
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue()

    def start(self) -> EventPusher:
        for envelope in self.events.take():
            self.queue.put(envelope)
        self.events.deliver = self.queue.put
        threading.Thread(target=self._run, name="feishu-event-pusher", daemon=True).start()
        return self

    def _run(self) -> None:
        with httpx.Client(timeout=10.0) as http:
            while True:
                envelope = self.queue.get()
                while not self._post(http, envelope):
                    time.sleep(RETRY_S)

    def _post(self, http: httpx.Client, envelope: dict[str, Any]) -> bool:
        body, headers = self.events.seal(envelope)
        try:
            resp = http.post(self.url, content=body, headers=headers)
        except httpx.HTTPError:
            return False  # the bot is not listening (yet): try again
        if resp.status_code >= 500:
            return False
        if resp.status_code != 200:
            log.warning("sandbox: the bot refused a Feishu event: HTTP %s", resp.status_code)
        return True
