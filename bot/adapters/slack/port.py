"""What the /host form, the Home tab and the overview (surfaces.py, overview.py) use of the Slack
adapter (adapter.py, which registers them): declared here, so that neither imports the adapter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.adapters.markup import slack_text

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.adapters.inflight import InFlight
    from bot.core.flow.dispatch import Dispatcher
    from bot.core.model.events import Reply


@dataclass(frozen=True)
class Profile:
    lang: str
    tz: str


class SlackPort(Protocol):
    """bot/adapters/slack/adapter.SlackAdapter, as its surfaces see it."""

    app: AsyncApp
    client: AsyncWebClient
    dispatcher: Dispatcher
    inflight: InFlight

    def _acked(self, context: Any) -> None: ...

    async def _call(self, method: str, **kwargs: Any) -> dict[str, Any] | None: ...

    async def profile(self, user: str) -> Profile: ...

    def progress(self, channel: str, thread: str) -> SlackProgress: ...

    async def deliver(self, channel: str, thread: str, user: str, replies: list[Reply],
                      progress: SlackProgress | None = None) -> None: ...


class SlackProgress:
    """Progress of long work in one thread: the first update posts a message, later ones edit it
    (chat.update), and deliver() turns it into the answer: the thread shows one message throughout."""

    def __init__(self, adapter: SlackPort, channel: str, thread: str) -> None:
        self.adapter = adapter
        self.channel = channel
        self.thread = thread
        self.ts = ""  # the progress message, once posted

    async def show(self, text: str) -> None:
        text = slack_text(text)  # progress names meetings and people too: foreign text escaped
        if self.ts:
            await self.adapter._call("chat_update", channel=self.channel, ts=self.ts, text=text)
            return
        posted = await self.adapter._call("chat_postMessage", channel=self.channel, thread_ts=self.thread or None,
                                          text=text)
        self.ts = str((posted or {}).get("ts") or "")
