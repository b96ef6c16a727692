"""One path for every chat platform: size → delivery key → dispatch → render → send/update.

A platform reads its payload into a core event (ChatMessage, ButtonClick) and hands it here with an
`Outlet`: how it renders and sends a reply in that thread, how it rewrites a clicked card. The steps
themselves are written once:

- delivery key: THE de-duplication of deliveries in hostbot (Pipeline.first, nowhere else). The keys
  are claimed in the store (insert-if-absent, shared by every replica) before anything is parsed or
  sent: a Slack retry (X-Slack-Retry-Num, same event_id), a Feishu re-push (same event_id, or a new
  one for the same message_id), a redelivered or double click (click id), a slash command
  (trigger_id) and a form submission (view id + hash) act once. A redelivery is counted
  (hostbot_duplicate_deliveries_total) and gets no answer. Once admitted, a click can still find its
  proposal used (the claim in bot/core/flow/dispatch.py): that is a decision, not a redelivery.
- size: a chat text longer than bot/adapters/limits.py allows is answered "too long" and never parsed
  (the console, one person at a local terminal, is read whole as before).
- dispatch: bot/core/flow/dispatch.py (plan → gate → execute), long work's progress shown through
  the Outlet's progress sink.
- render → send/update: the Outlet; a progress message becomes the first reply instead of a new one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.adapters.limits import too_long, too_long_reply
from bot.core.answer.progress import ProgressSink
from bot.core.flow.dispatch import Dispatcher
from bot.core.model.events import ButtonClick, ChatMessage, Reply
from bot.core.model.intent import Intent
from bot.core.model.vendor import MeetingRef
from bot.telemetry.logs import event

log = logging.getLogger(__name__)


class Outlet:
    """How one platform answers one delivery; each platform overrides what it does differently."""

    progress: ProgressSink | None = None  # where long work shows its progress (None: nowhere)
    sized = True  # a chat platform's text is refused past MAX_TEXT_CHARS; the console's is read whole

    async def open(self, msg: ChatMessage) -> ChatMessage | None:
        """Once the delivery is admitted and before dispatch (a slash command starts its thread here);
        None: the request cannot be answered anywhere, so it does not run."""
        return msg

    async def refuse(self, reply: Reply) -> None:
        """A request refused before it was parsed (too long, not text)."""
        await self.send([reply])

    async def send(self, replies: list[Reply]) -> None:
        """Render and post the replies in the thread (the first over the progress message, if any)."""
        raise NotImplementedError

    async def answered(self, click: ButtonClick) -> None:
        """After a click that was acted on: the clicked card keeps its text and loses its live buttons."""


def delivery_keys(msg: ChatMessage) -> list[str]:
    """What identifies a message's delivery: the platform's event id and the message's own id (Feishu
    re-pushes one message under a new event_id)."""
    return [k for k in (msg.event_id and f"event:{msg.event_id}", msg.message_id and f"message:{msg.message_id}") if k]


class Pipeline:
    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.services = dispatcher.services

    async def first(self, platform: str, keys: Iterable[str]) -> bool:
        """True when none of `keys` was seen before (each is claimed in turn, by every replica's store);
        False for a redelivery, counted and logged, never answered."""
        for key in keys:
            if not await self.services.store.first_delivery(platform, key):
                self.services.metrics.duplicates.labels(str(platform)).inc()
                event(log, "duplicate dropped", platform=str(platform), kind=key.split(":", 1)[0])
                return False
        return True

    async def message(self, msg: ChatMessage, outlet: Outlet, *, keys: Iterable[str] = (),
                      refusal: Reply | None = None, formed: Intent | None = None,
                      bound: MeetingRef | None = None) -> list[Reply]:
        """A message (or a form's request, `formed`; or one resumed on the meeting it was about, `bound`)
        through every step; the replies sent (none for a redelivery). `keys`: delivery keys beyond the
        message's own; `refusal`: the platform could not read the payload (e.g. an image). It waits for a
        turn first: a burst's requests do their own work a few at a time (bot/core/request/admission.py)."""
        async with self.services.admission.turn():
            return await self._message(msg, outlet, keys, refusal, formed, bound)

    async def _message(self, msg: ChatMessage, outlet: Outlet, keys: Iterable[str], refusal: Reply | None,
                       formed: Intent | None, bound: MeetingRef | None) -> list[Reply]:
        if not await self.first(msg.platform, [*keys, *delivery_keys(msg)]):
            return []
        if refusal is None and outlet.sized and formed is None and too_long(msg.text):  # a form's is not parsed
            refusal = too_long_reply(msg.text, msg.lang)
        if refusal is not None:
            await outlet.refuse(refusal)
            return [refusal]
        opened = await outlet.open(msg)
        if opened is None:
            return []
        replies = await self.dispatch(opened, outlet.progress, formed, bound)
        await outlet.send(replies)
        return replies

    async def dispatch(self, msg: ChatMessage, progress: ProgressSink | None, formed: Intent | None = None,
                       bound: MeetingRef | None = None) -> list[Reply]:
        if bound is not None:
            return await self.dispatcher.handle_bound(msg, bound.vendor or "", bound.id, progress)
        if formed is not None:
            return await self.dispatcher.handle_form(msg, formed, progress)
        return await self.dispatcher.handle_message(msg, progress)

    async def click_replies(self, click: ButtonClick, progress: ProgressSink | None = None) -> list[Reply]:
        """A click admitted once (by its click id) and dispatched; no replies for a redelivery. For a
        platform that answers the click itself before the replies are sent (Feishu's card callback)."""
        if click.click_id and not await self.first(click.platform, [f"click:{click.click_id}"]):
            return []
        return await self.dispatcher.handle_click(click, progress)

    async def click(self, click: ButtonClick, outlet: Outlet) -> list[Reply]:
        """A button press through every step: the card rewritten when the click acted, then the replies."""
        replies = await self.click_replies(click, outlet.progress)
        if not replies:
            return []
        if not replies[0].ephemeral:
            await outlet.answered(click)
        await outlet.send(replies)
        return replies
