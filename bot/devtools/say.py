"""`hostbot say`: play a person in Slack or Feishu against a running `hostbot run` pointed at the sandbox.

    hostbot sandbox        (terminal 1: the fake vendors and chat platforms; prints the variables)
    hostbot run            (terminal 2: the real server, with those variables)
    hostbot say --as you "make @alice host of meeting 123456789"      (terminal 3)

What `say` sends is what the platform would: a Slack app_mention event (or a slash command for
text starting with /host) signed with SLACK_SIGNING_SECRET, or a Feishu im.message.receive_v1
event encrypted and signed with FEISHU_ENCRYPT_KEY, POSTed to http://127.0.0.1:HOSTBOT_PORT. The
sandbox plays the platform's side (the person's message exists there, and it builds the event
bodies; control.py); the bot answers through the sandbox's Slack or Feishu API, which records it,
and `say` prints those replies until the thread is quiet. Buttons are numbered; `--press N` (or
the prompt on a terminal) presses one as the same person: a signed block_actions payload or an
encrypted card.action.trigger callback.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import click
import httpx

from bot.wire import lark_seal, slack_headers

QUIET_S = 1.5  # the thread is done when nothing new came for this long (after a first reply)
POLL_S = 0.2


class SayError(Exception):
    """A usage problem (a missing variable, an unknown person): one line for the user, exit 2."""


@dataclass
class Target:
    """Where the bot and the sandbox are, and the keys the platform would sign with (from the environment)."""

    bot: str
    sandbox: str
    slack_secret: str
    feishu_key: str

    @classmethod
    def from_env(cls, env: Mapping[str, str], platform: str) -> Target:
        port = env.get("HOSTBOT_PORT") or "3000"
        base = env.get("FEISHU_DOMAIN") or env.get("SLACK_API_URL", "").removesuffix("/").removesuffix("/api")
        need = {"slack": "SLACK_SIGNING_SECRET", "feishu": "FEISHU_ENCRYPT_KEY"}[platform]
        missing = [k for k in (need,) if not env.get(k)] + ([] if base else ["FEISHU_DOMAIN or SLACK_API_URL"])
        if missing:
            raise SayError(f"set {', '.join(missing)} as `hostbot sandbox` printed them (the same variables "
                           "`hostbot run` was started with)")
        return cls(f"http://127.0.0.1:{port}", base.rstrip("/"), env.get("SLACK_SIGNING_SECRET", ""),
                   env.get("FEISHU_ENCRYPT_KEY", ""))


@dataclass
class Shown:
    """A message the bot sent, as printed: its text and buttons (each a `press` callback's argument)."""

    key: str
    text: str
    buttons: list[tuple[str, Any]] = field(default_factory=list)  # (label, what a press needs)


def with_mentions(text: str, people: Mapping[str, str], mark: Callable[[str], str]) -> tuple[str, list[str]]:
    """`@name` of a known person -> the platform's markup (`mark(name)`); the names, in order.
    The longest known name wins, so `@小王设为` still finds 小王."""
    names: list[str] = []

    def swap(m: re.Match[str]) -> str:
        rest = m.group(1)
        name = max((n for n in people if rest.startswith(n)), key=len, default="")
        if not name:
            return m.group(0)
        names.append(name)
        return mark(name) + rest[len(name):]

    return re.sub(r"@(\S+)", swap, text), names


class Conversation(ABC):
    """One person's exchange with the bot on one platform: send, then read what the sandbox recorded."""

    def __init__(self, http: httpx.Client, target: Target, who: str) -> None:
        self.http, self.target, self.who = http, target, who
        self.seen: dict[str, str] = {}  # message key -> text printed (an edit prints again)
        self.refused = False  # the last press was refused at once (a Feishu error toast): nothing will follow

    def sandbox(self, method: str, path: str, **kw: Any) -> Any:
        resp = self.http.request(method, f"{self.target.sandbox}/_sandbox/{path}", **kw)
        if resp.status_code != 200:
            raise SayError(f"the sandbox refused: {resp.text[:200]}")
        return resp.json()

    def post_bot(self, path: str, content: bytes | str, headers: dict[str, str]) -> httpx.Response:
        try:
            resp = self.http.post(f"{self.target.bot}{path}", content=content, headers=headers)
        except httpx.TransportError as err:
            raise SayError(f"no hostbot at {self.target.bot} ({type(err).__name__}): start `hostbot run` "
                           "with the variables `hostbot sandbox` printed") from None
        if resp.status_code != 200:
            raise SayError(f"hostbot answered {resp.status_code}: {resp.text[:200]}")
        return resp

    @abstractmethod
    def send(self, text: str) -> None:
        """Say `text` as the person (the platform's event, signed or encrypted, POSTed to the bot)."""

    @abstractmethod
    def messages(self) -> list[Shown]:
        """The bot's messages in this conversation, as the sandbox holds them now."""

    @abstractmethod
    def press(self, what: Any) -> str:
        """Press a button (`what`: the Shown button's payload); what the platform showed at once ('' if nothing)."""

    def latest(self) -> Shown | None:
        """The newest message with buttons in this conversation (for `--press` without TEXT)."""
        return next((m for m in reversed(self.messages()) if m.buttons), None)

    def fresh(self) -> list[Shown]:
        """Messages new or changed since last time (a progress message edited into the answer shows again)."""
        out = [m for m in self.messages() if self.seen.get(m.key) != m.text]
        for m in out:
            self.seen[m.key] = m.text
        return out


class SlackConversation(Conversation):
    def __init__(self, http: httpx.Client, target: Target, who: str, channel: str) -> None:
        super().__init__(http, target, who)
        people = self.sandbox("GET", "people")["slack"]
        self.team, self.app, self.bot_user = people["team_id"], people["app_id"], people["bot_user"]
        self.users: dict[str, str] = people["users"]
        if who not in self.users:
            raise SayError(f"no Slack user {who!r} in the sandbox; there are: {', '.join(self.users)}")
        self.channel = people["channels"].get(channel) or channel
        self.names = {uid: name for name, uid in self.users.items()}
        self.seen = {m.key: m.text for m in self.messages()}  # what was there before: not ours to print

    def send(self, text: str) -> None:
        text, _ = with_mentions(text, self.users, lambda n: f"<@{self.users[n]}>")
        if text.startswith("/host"):
            body = urlencode({"token": "legacy", "team_id": self.team, "channel_id": self.channel,
                              "user_id": self.users[self.who], "user_name": self.who, "command": "/host",
                              "text": text.removeprefix("/host").strip(), "api_app_id": self.app,
                              "trigger_id": self.trigger(),
                              "response_url": "https://hooks.slack.invalid/commands/say"})
            self.post_bot("/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                  **slack_headers(self.target.slack_secret, body)})
            return
        said = self.sandbox("POST", "slack/says", json={"as": self.who, "channel": self.channel,
                                                         "text": f"<@{self.bot_user}> {text}"})
        self.seen[said["message"]["ts"]] = self._text(said["message"])
        body = json.dumps(said["event"])
        self.post_bot("/slack/events", body, {"Content-Type": "application/json",
                                              **slack_headers(self.target.slack_secret, body)})

    def trigger(self) -> str:
        """A trigger_id Slack issued (the sandbox plays Slack): the /host form opens only with one."""
        return str(self.sandbox("POST", "slack/trigger", json={"as": self.who})["trigger_id"])

    def _text(self, message: Mapping[str, Any]) -> str:
        return re.sub(r"<@(\w+)>", lambda m: "@" + str(self.names.get(m.group(1), m.group(1))), str(message["text"]))

    def messages(self) -> list[Shown]:
        got = self.sandbox("GET", "slack/messages", params={"channel": self.channel})
        me = self.users[self.who]
        out = []
        for m in got["messages"] + [e for e in got["ephemeral"] if e.get("user") == me]:
            buttons = [(e["text"]["text"], (m, e)) for b in m.get("blocks") or [] if b.get("type") == "actions"
                       for e in b.get("elements", [])]
            out.append(Shown(str(m["ts"]), self._text(m), buttons))
        return out

    def press(self, what: Any) -> str:
        message, button = what
        payload = {
            "type": "block_actions", "team": {"id": self.team, "domain": "sandbox"},
            "user": {"id": self.users[self.who], "username": self.who, "team_id": self.team},
            "api_app_id": self.app, "token": "legacy", "trigger_id": self.trigger(),
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": self.channel,
                          "is_ephemeral": False},
            "channel": {"id": self.channel}, "message": message,
            "response_url": "https://hooks.slack.invalid/actions/say",
            "actions": [{"action_id": button["action_id"], "block_id": "hostbot_choices", "text": button["text"],
                         "value": button.get("value", ""), "type": "button", "action_ts": f"{time.time():.6f}"}],
        }
        body = urlencode({"payload": json.dumps(payload)})
        self.post_bot("/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded",
                                              **slack_headers(self.target.slack_secret, body)})
        return ""


class FeishuConversation(Conversation):
    def __init__(self, http: httpx.Client, target: Target, who: str, chat_type: str) -> None:
        super().__init__(http, target, who)
        self.users: dict[str, str] = self.sandbox("GET", "people")["feishu"]["users"]
        if who not in self.users:
            raise SayError(f"no Feishu user {who!r} in the sandbox; there are: {', '.join(self.users)}")
        self.chat_type = chat_type
        self.root = ""

    def send(self, text: str) -> None:
        # in a group hostbot is @mentioned first (@_user_1), as Feishu writes a message that names it
        first = 1 if self.chat_type == "group" else 0
        numbers = itertools.count(first + 1)
        text, names = with_mentions(text, self.users, lambda n: f"@_user_{next(numbers)}")
        mentions = (["bot"] if first else []) + names
        said = self.sandbox("POST", "feishu/says", json={"as": self.who, "chat_type": self.chat_type,
                                                          "mentions": mentions,
                                                          "text": ("@_user_1 " if first else "") + text})
        self.root = said["message"]["message_id"]
        self.post_bot("/feishu/events", *lark_seal(self.target.feishu_key, said["event"]))

    def find_latest(self) -> None:
        """Follow the thread whose newest bot message has buttons (`--press` without TEXT)."""
        self.root = str(self.sandbox("GET", "feishu/latest")["root"])

    def messages(self) -> list[Shown]:
        got = self.sandbox("GET", "feishu/thread", params={"root": self.root})["messages"]
        return [Shown(m["id"], m["text"], [(b["label"], (m["id"], b["value"])) for b in m["buttons"]]) for m in got]

    def press(self, what: Any) -> str:
        message_id, value = what
        event = self.sandbox("POST", "feishu/click", json={"as": self.who, "message_id": message_id,
                                                            "value": value})["event"]
        answer = self.post_bot("/feishu/events", *lark_seal(self.target.feishu_key, event)).json()
        toast = (answer.get("toast") or {}).get("content", "")
        self.refused = (answer.get("toast") or {}).get("type") == "error"  # e.g. not yours: the card stays
        return f"(toast) {toast}" if toast else ""


def converse(conv: Conversation, text: str, presses: list[int], prompt: Callable[[int], int] | None,
             timeout: float, echo: Callable[[str], None]) -> int:
    """Send `text`, print the replies until quiet, press buttons as asked; exit status (1: no reply)."""
    conv.send(text)
    buttons = _show(conv, timeout, echo)
    if buttons is None:
        echo(f"(no reply from hostbot within {timeout:.0f} s: is `hostbot run` using the sandbox's variables?)")
        return 1
    presses = list(presses)
    while buttons:
        number = presses.pop(0) if presses else (prompt(len(buttons)) if prompt else 0)
        if not number:
            break
        buttons = _press(conv, buttons, number, timeout, echo)
    return 0


def _press(conv: Conversation, buttons: list[tuple[str, Any]], number: int, timeout: float,
           echo: Callable[[str], None]) -> list[tuple[str, Any]]:
    """Press button `number` as conv.who, print what comes back; its buttons ([] when refused or none)."""
    if not 1 <= number <= len(buttons):
        raise SayError(f"there is no button {number}; choose 1 to {len(buttons)}")
    label, what = buttons[number - 1]
    echo(f"{conv.who} pressed [{number}] {label}")
    toast = conv.press(what)
    if toast:
        echo(toast)
    if conv.refused:  # refused at once (only the toast says why): nothing more will come
        return []
    return _show(conv, timeout, echo) or []


def press_latest(conv: Conversation, presses: list[int], timeout: float, echo: Callable[[str], None]) -> int:
    """`say --as NAME --press N` without TEXT: press on the newest message with buttons, as NAME."""
    if isinstance(conv, FeishuConversation):
        conv.find_latest()
    latest = conv.latest()
    if latest is None:
        raise SayError("there is no message with buttons to press yet")
    conv.seen = {m.key: m.text for m in conv.messages()}
    echo(latest.text)
    echo("   ".join(f"[{i}] {label}" for i, (label, _) in enumerate(latest.buttons, 1)))
    buttons: list[tuple[str, Any]] = list(latest.buttons)
    for number in presses:
        if not buttons:
            break
        buttons = _press(conv, buttons, number, timeout, echo)
    return 0


def _show(conv: Conversation, timeout: float, echo: Callable[[str], None]) -> list[tuple[str, Any]] | None:
    """Print what comes until the thread is quiet; the buttons of what was printed (None: nothing came)."""
    deadline, quiet_since, printed = time.monotonic() + timeout, 0.0, False
    buttons: list[tuple[str, Any]] = []
    while time.monotonic() < deadline:
        fresh = conv.fresh()
        for m in fresh:
            echo(m.text)
            if m.buttons:
                buttons = list(m.buttons)
                echo("   ".join(f"[{i}] {label}" for i, (label, _) in enumerate(m.buttons, 1)))
        if fresh:
            printed, quiet_since = True, time.monotonic()
        elif printed and time.monotonic() - quiet_since >= QUIET_S:
            break
        time.sleep(POLL_S)
    return buttons if printed else None


def run_say(env: Mapping[str, str], who: str, text: str, platform: str, channel: str, chat_type: str,
            presses: list[int], interactive: bool, timeout: float) -> int:
    target = Target.from_env(env, platform)
    prompt = _ask if interactive and not presses else None
    with httpx.Client(timeout=10) as http:
        speaker = who
        if not text and who == "host":  # whom the latest request with buttons is addressed to (its first @name)
            speaker = _addressee(http, target, platform, channel, chat_type)
        conv: Conversation = (SlackConversation(http, target, speaker, channel) if platform == "slack"
                              else FeishuConversation(http, target, speaker, chat_type))
        if not text:
            if not presses:
                raise SayError("say TEXT, or --press N to press a button of the latest message that has some")
            return press_latest(conv, presses, timeout, click.echo)
        click.echo(f"{who}> {text}")
        return converse(conv, text, presses, prompt, timeout, click.echo)


def _addressee(http: httpx.Client, target: Target, platform: str, channel: str, chat_type: str) -> str:
    """`--as host`: the person an approval request is for, i.e. the first @name of the newest message with
    buttons ("@you, @bob asks: …")."""
    look: Conversation = (SlackConversation(http, target, "you", channel) if platform == "slack"
                          else FeishuConversation(http, target, "you", chat_type))
    if isinstance(look, FeishuConversation):
        look.find_latest()
    latest = look.latest()
    found = re.search(r"@(\S+?)[,，:：\s]", latest.text + " ") if latest else None
    if found is None:
        raise SayError("--as host: there is no request with buttons that names a host yet")
    return found.group(1)


def _ask(count: int) -> int:
    answer = click.prompt(f"press 1-{count} (Enter: done)", default="", show_default=False)
    return int(answer) if answer.strip().isdigit() else 0
