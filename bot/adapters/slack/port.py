"""How hostbot speaks on Slack, beside the adapter (adapter.py) that listens:

    SlackWeb        every Web API call (a failure logged, never raised) and the delivery of replies
                    in a thread (the first over the progress message, ephemeral ones to one person)
    SlackOutlet     how the adapters' pipeline (bot/adapters/pipeline.py) answers one request: in its
                    thread, with progress there, and a clicked message rewritten without its buttons
    ThreadStarter   the outlet of a request typed nowhere in particular (a slash command, the form)
    SlackPort       the adapter as the /host form and the Home tab (surfaces.py) see it, declared here
                    so that neither imports the other
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from slack_sdk.errors import SlackApiError

from bot.adapters.markup import slack_text
from bot.adapters.pipeline import Outlet
from bot.adapters.slack.blocks import answered_blocks, reply_blocks, reply_text
from bot.core.model.events import ButtonClick, ChatMessage, Reply, neutral_mention
from bot.core.request.admission import outside
from bot.i18n import t

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.adapters.inflight import InFlight
    from bot.adapters.pipeline import Pipeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Profile:
    lang: str
    tz: str


class SlackPort(Protocol):
    """bot/adapters/slack/adapter.SlackAdapter, as its surfaces see it."""

    app: AsyncApp
    client: AsyncWebClient
    web: SlackWeb
    pipeline: Pipeline
    inflight: InFlight

    def acked(self, context: Any) -> None: ...

    async def profile(self, user: str) -> Profile: ...


class SlackWeb:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def call(self, method: str, **kwargs: Any) -> dict[str, Any] | None:
        """`client.<method>(**kwargs)` without the None arguments; its data, or None when Slack refused."""
        try:
            async with outside():  # the request's turn is lent while Slack answers (bot/core/request/admission.py)
                resp = await getattr(self.client, method)(**{k: v for k, v in kwargs.items() if v is not None})
            return dict(resp.data) if isinstance(resp.data, dict) else None
        except SlackApiError as err:
            log.warning("slack %s failed: %s", method, err.response.get("error"))
        except Exception as err:  # network trouble must not kill the listener; the log says what
            log.warning("slack %s failed: %s", method, type(err).__name__)
        return None

    async def deliver(self, channel: str, thread: str, user: str, replies: list[Reply],
                      progress: SlackProgress | None = None) -> None:
        if progress is not None and progress.ts and replies and not replies[0].ephemeral:
            # Long work showed its progress: that message becomes the answer instead of a new one.
            first, replies = replies[0], replies[1:]
            await self.call("chat_update", channel=channel, ts=progress.ts, text=reply_text(first),
                            blocks=reply_blocks(first))
        for reply in replies:
            if reply.ephemeral:
                await self.call("chat_postEphemeral", channel=channel, user=user, text=reply_text(reply),
                                thread_ts=thread or None)
            else:
                await self.call("chat_postMessage", channel=channel, thread_ts=thread or None,
                                text=reply_text(reply), blocks=reply_blocks(reply))


class SlackProgress:
    """Progress of long work in one thread: the first update posts a message, later ones edit it
    (chat.update), and deliver() turns it into the answer: the thread shows one message throughout."""

    def __init__(self, web: SlackWeb, channel: str, thread: str) -> None:
        self.web = web
        self.channel = channel
        self.thread = thread
        self.ts = ""  # the progress message, once posted

    async def show(self, text: str) -> None:
        text = slack_text(text)  # progress names meetings and people too: foreign text escaped
        if self.ts:
            await self.web.call("chat_update", channel=self.channel, ts=self.ts, text=text)
            return
        posted = await self.web.call("chat_postMessage", channel=self.channel, thread_ts=self.thread or None,
                                         text=text)
        self.ts = str((posted or {}).get("ts") or "")


@dataclass(frozen=True)
class Clicked:
    """The message whose button was pressed: rewritten after the click (its text kept, buttons gone)."""

    ts: str
    text: str
    label: str


class SlackOutlet(Outlet):
    """Replies in `thread` of `channel` (ephemeral ones to `user` alone), with progress in that thread."""

    def __init__(self, web: SlackWeb, channel: str, thread: str, user: str, lang: str = "en",
                 clicked: Clicked | None = None, progress: bool = True) -> None:
        self.web, self.channel, self.thread, self.user, self.lang = web, channel, thread, user, lang
        self.clicked = clicked
        self.sink = SlackProgress(web, channel, thread) if progress else None
        self.progress = self.sink

    async def send(self, replies: list[Reply]) -> None:
        await self.web.deliver(self.channel, self.thread, self.user, replies, self.sink)

    async def answered(self, click: ButtonClick) -> None:
        if self.clicked is None or not self.clicked.ts:
            return
        note = t(self.lang, "slack_answered", label=self.clicked.label or click.action,
                 user=neutral_mention(click.user))
        await self.web.call("chat_update", channel=self.channel, ts=self.clicked.ts, text=self.clicked.text,
                                blocks=answered_blocks(self.clicked.text, note))

    def moved(self, channel: str, thread: str) -> None:
        """The request got its own thread (opened): replies and progress go there."""
        self.channel, self.thread = channel, thread
        self.sink = SlackProgress(self.web, channel, thread)
        self.progress = self.sink


class ThreadStarter(SlackOutlet):
    """A request typed nowhere in particular (a slash command, a submitted form): once admitted, it starts
    a visible thread ("@you asked: …") where the answer goes; refused, only the asker sees why."""

    def __init__(self, web: SlackWeb, channel: str, user: str, lang: str, echo: str,
                 dm_fallback: bool = False) -> None:
        super().__init__(web, channel, "", user, lang)
        self.echo, self.dm_fallback = echo, dm_fallback

    async def refuse(self, reply: Reply) -> None:
        await self.web.call("chat_postEphemeral", channel=self.channel, user=self.user, text=reply_text(reply))

    async def open(self, msg: ChatMessage) -> ChatMessage | None:
        asked = slack_text(t(self.lang, "slack_asked", user=neutral_mention(self.user), text=self.echo))
        root = await self.web.call("chat_postMessage", channel=self.channel, text=asked)
        if root is None and self.dm_fallback:  # e.g. hostbot is not in that channel: a direct message instead
            root = await self.web.call("chat_postMessage", channel=self.user, text=asked)
            if root is None:
                return None  # Slack refused both; the log says why
        # A slash command whose thread could not start is still answered, in the channel.
        channel = str((root or {}).get("channel") or self.channel)
        self.moved(channel, str((root or {}).get("ts") or ""))
        return replace(msg, channel=channel, thread=self.thread)
