"""Console adapter: one person typing lines; buttons become numbered choices.

It is the fake chat that ships with the product (as errbot's test backend): the demo runs on it
and tests drive it one line in, one reply out.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass, field
from typing import TextIO

from bot.adapters.markup import console_inbound, console_text
from bot.core.flow.dispatch import Dispatcher
from bot.core.model.events import Button, ButtonClick, ChatMessage, Platform, Reply
from bot.i18n import detect_lang, t

CHANNEL = "console"


@dataclass
class ConsoleAdapter:
    dispatcher: Dispatcher
    user: str = "you"
    choices: list[Button] = field(default_factory=list)
    out: TextIO | None = None  # where messages nobody typed for are printed (post); None = stdout
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, line: str) -> str:
        """Handle one typed line; return what the console prints in answer ('' for nothing)."""
        text = line.strip()
        n = next(self._ids)
        if text.isdigit() and len(text) < 3:
            return await self._choose(int(text), n)
        msg = ChatMessage(platform=Platform.CONSOLE, user=self.user, text=console_inbound(text), channel=CHANNEL,
                          thread=CHANNEL, message_id=f"console-{n}", user_name=self.user)
        return self.render(await self.dispatcher.handle_message(msg, ConsoleProgress(self.out)))

    async def _choose(self, number: int, n: int) -> str:
        if not 1 <= number <= len(self.choices):
            lang = detect_lang(self.choices[0].label) if self.choices else "en"
            return t(lang, "console_bad_choice", n=number)
        button = self.choices[number - 1]
        click = ButtonClick(platform=Platform.CONSOLE, user=self.user, action=button.action,
                            value=button.value, click_id=f"console-click-{n}", channel=CHANNEL,
                            thread=CHANNEL, user_name=self.user)
        replies = await self.dispatcher.handle_click(click, ConsoleProgress(self.out))
        # A refusal meant for this clicker only (not your button) leaves the buttons live, as in a chat.
        consumed = any(not r.ephemeral for r in replies)
        return self.render(replies, consumed=consumed)

    async def post(self, platform: str, channel: str, thread: str, replies: list[Reply]) -> None:
        """Notifier (bot/core/answer/progress.py): print a reminder or report; its buttons become the choices."""
        text = self.render(replies)
        if text:
            print(text, file=self.out or sys.stdout, flush=True)

    def render(self, replies: list[Reply], consumed: bool = False) -> str:
        """Text of the replies, then their buttons numbered. Numbers refer to the buttons of the latest
        answer: one without buttons leaves nothing to press (a `1` typed then must not press a button of
        an older message). Only a refusal meant for the clicker alone (ephemeral) leaves them live."""
        lines: list[str] = []
        buttons = [b for r in replies for b in r.buttons]
        if buttons or consumed or any(not r.ephemeral for r in replies):
            self.choices = buttons
        for reply in replies:
            lines.append(console_text(reply.text))
        if buttons:
            lines.append("   ".join(f"[{i}] {console_text(b.label)}" for i, b in enumerate(buttons, 1)))
        return "\n".join(lines)


@dataclass
class ConsoleProgress:
    """Progress of long work (bot/core/answer/progress.py): a console cannot edit what it printed, so each
    update is a line of its own, printed while the work goes on; the answer follows as usual."""

    out: TextIO | None = None

    async def show(self, text: str) -> None:
        print(console_text(text), file=self.out or sys.stdout, flush=True)
