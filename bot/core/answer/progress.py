"""Progress of long work: one message in the thread, updated as chunks finish, ending as the summary.

    ProgressSink     what an adapter offers for one thread: `show(text)` posts the message the
                     first time and edits it afterwards. Slack edits it (chat.update) and Feishu
                     updates its card (PATCH), each turning it into the summary when the answer is
                     delivered; the console prints a line per update; NotifierProgress posts each
                     update as a reply, for work no adapter handed a sink to (found through the
                     platform's Notifier, bot/scheduling/scheduler.py).
    Progress         the handle a handler gets from `ctx.progress(key, total)`; its `advance` is the
                     ChunkDone callback a vendor awaits after each chunk of a batch.

Nothing shows for work done in one chunk, nor at the last chunk (the summary comes next), and
updates are at least STEP of the total apart, so a thousand invitees in tens make ~20 edits.
A failing update is logged and forgotten: progress never stops the work it reports on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from bot.core.model.events import Reply
from bot.i18n import t

log = logging.getLogger(__name__)

STEP = 0.05  # the smallest share of the total between two updates


class ProgressSink(Protocol):
    async def show(self, text: str) -> None: ...


class Notifier(Protocol):
    """Posts in a thread when no chat event is waiting for an answer (chat adapters implement it)."""

    async def post(self, platform: str, channel: str, thread: str, replies: list[Reply]) -> None: ...


class Notices(Protocol):
    """What core knows of the handover scheduler (bot/scheduling/scheduler.py): each platform's Notifier.
    Declared here so that core never imports the scheduling room, which is built on it."""

    @property
    def notifiers(self) -> Mapping[str, Notifier]: ...


class Progress:
    """`await progress.advance(done)` after each chunk; the sink shows '120/250 reassigned…'."""

    def __init__(self, sink: ProgressSink | None, lang: str, key: str, total: int) -> None:
        self.sink = sink
        self.lang = lang
        self.key = key
        self.total = total
        self.shown: list[int] = []  # the counts shown, in order

    async def advance(self, done: int) -> None:
        if self.sink is None or not 0 < done < self.total:
            return
        if self.shown and done - self.shown[-1] < max(1.0, self.total * STEP):
            return
        self.shown.append(done)
        try:
            await self.sink.show(t(self.lang, self.key, done=done, total=self.total))
        except Exception as err:  # a chat hiccup must not stop the vendor work it reports on
            log.warning("progress update failed: %s", type(err).__name__)


class NotifierProgress:
    """For adapters that cannot edit a message: each update is a new reply in the thread."""

    def __init__(self, notifier: Notifier, platform: str, channel: str, thread: str) -> None:
        self.notifier = notifier
        self.platform = platform
        self.channel = channel
        self.thread = thread

    async def show(self, text: str) -> None:
        await self.notifier.post(self.platform, self.channel, self.thread, [Reply(text)])
