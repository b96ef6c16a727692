"""Understanding what people type: text -> Intent (name, targets, meeting, time, language).

    parse(text, bot_user, now, tz, known_names) -> Intent      never raises

The text is neutral: the adapters turned Slack `<@U1|x>` and Feishu `@_user_N` into neutral mentions
(bot/core/model/events.py) and Slack's link markup into plain links (bot/adapters/markup.py). The passes:
  1. tokens.py  mentions (neutral ones and plain `@name`; the bot's own mention dropped) and
                meetings (links and ids of every vendor) become markers;
  2. times.py   the time phrase, resolved in the speaker's zone (DST-safe), becomes a marker;
  3. rules.py   the rest is normalised (case, width, politeness, synonyms) and the intent rules
                (English and Chinese regexes, most specific first) name the intent;
  4. rules.py   who is a target and who is the "from" person (reassign, set_host "instead of");
  5. speech.py  the speech act: only a request may change something; a negated or doubtful request,
                a question or a remark about hosts becomes `nothing`; compound.py: two requests in one
                message become `compound`; typos.py: a slip whose correction means something becomes
                `did_you_mean` (the second look, which parses the corrected text once more).
Every pattern is linear in the length of the line (a test holds any 4,000 characters under 50 ms).

Intent.to_json() is the `hostbot parse` schema:
    {"intent", "targets", "from_user", "meeting": {"vendor", "id"} | null, "at", "lang"}
A person ref is the chat user id of a neutral mention (a Slack user id, a Feishu open_id),
`@name` as written for console/plain names, and "me" for the speaker. `meeting` is the first
meeting named; None means "this meeting" (the one linked to the thread or channel).

The intent-specific fields of an Intent (typed; `to_payload()["extra"]` prints them under these keys):
  every intent  slash                       written as `/host ...`
                meetings ("meetings")       every meeting named, when two or more were
                vendor_word ("vendor")      a vendor named without an id ("the zoom meeting")
  set_host      from_user = the host being replaced, if said
  schedule_handover
                time_text                   the words that gave the time ("at 3pm")
                in_seconds                  for a relative time ("in 20 minutes")
                time_problem                the time cannot be used as said: time_in_past,
                  ("time_problem",          time_ambiguous_hour ("at 3": am or pm?),
                   "time_values")           time_ambiguous_dst / time_nonexistent (a wall time
                                            the DST change makes happen twice / not at all),
                                            time_need_clock ("tomorrow" with no hour),
                                            time_not_understood; render with
                                            t(lang, problem.key, **problem.values).
                                            `at` is None unless the problem is time_in_past.
                (schedule_handover with no time at all has no time_problem: ask when.)
  reassign      every ("all")               no meeting listed (or "all" said): every meeting of
                                            from_user; else
                meetings                    the meetings listed (even just one)
                from_user = whose meetings ("me" for "my meetings"), targets[0] = the new host
  cancel_handover
                handover_id                 "cancel handover #3" -> "3"
                every ("all")               "cancel all handovers"
                at / time_text              "cancel the 3pm handover" (no past-time problem)
                targets                     "cancel the handover to @bob"
  list_handovers mine                       "my handovers"
  link_meeting  scope                       "thread"|"channel" when the words said which; else the handler picks
  add_cohost, remove_cohost, invite: targets (one or many), meeting.
  who_is_host, help, unknown: no targets.
  nothing       a negated or doubtful request ("don't make @alice host", "可以把@bob设为主持人吗？"):
                changes nothing; `why` is "negation", "question" or "statement" (speech.py: a remark
                such as "@alice is hosting the dinner on friday" or "主持人说推迟10分钟")
  undo, cancel  typed "undo"/"撤销" and "cancel"/"取消" alone: the dispatcher presses the Undo of the
                speaker's newest change / the Cancel of the Confirm waiting for them (bot/core/flow/dispatch.py)
  every intent  meeting_problem ("meeting_problem", "meeting_values"): a link, personal room or id-like
                token named but not readable as a meeting (meeting_not_read, meeting_personal_room);
                answered before any handler runs (bot/core/flow/pipeline.py), never replaced by another meeting.
                A time said with a change that cannot be scheduled ("invite @x at 3pm") is time_problem
                time_not_schedulable (or the time's own problem); it never acts now.
  set_host, add_cohost
                until, until_text           how long the change lasts ("for 30 minutes", "until 15:00",
                                            "30 分钟", "一个小时", "到下午三点"; spans.py): the end, when
                                            the change is put back; a problem with it is a time_problem
                                            (another acting intent: until_not_supported; with a start
                                            time: until_with_start)
  did_you_mean  a slip ("mkae @alice hsot", "make alice host"): `suggestion` is the corrected text, to be
                offered with a button that runs it like a new message (typos.py); never acted on as is
  compound      two requests in one message ("make @bob host and @carol co-host"): `parts` are the
                requests as written, to be sent one per message (compound.py)

`parse(..., known_names=...)` takes the names hostbot knows (chat ids and display names): they end a
Chinese `@name` written without a space and are what a mistyped or bare name is matched against.

The grammar itself (parser.py and the passes it imports, rapidfuzz included) is ~40 ms of regex compiling,
which `hostbot run` keeps off its start-up: `preload()` loads it in a thread once the server listens, the
first `parse` loads it where none was started. One thread loads it, never two beside each other: while a
preload runs, `parse` waits for it (a lock, blocking at most as long as importing on the spot would have),
and `await ready()` waits without blocking the event loop (the dispatcher does, before its first parse).
Nothing waits for the lock while holding an import lock: nothing calls `parse` at import time.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Iterable
from datetime import datetime
from types import ModuleType

from bot.core.model.events import ME
from bot.core.model.intent import Intent, IntentName

__all__ = ["INTENT_NAMES", "ME", "Intent", "parse", "preload", "ready"]

INTENT_NAMES = tuple(IntentName)
GRAMMAR = "bot.intents.parser"


class _Grammar:
    def __init__(self) -> None:
        self.lock = threading.Lock()  # held by whoever imports the grammar, for as long as that takes
        self.module: ModuleType | None = None
        self.preloading: threading.Thread | None = None

    def load(self) -> ModuleType:
        module = self.module
        if module is not None:
            return module
        with self.lock:  # a preload under way holds it: wait for it rather than import beside it
            if self.module is None:
                self.module = importlib.import_module(GRAMMAR)
            return self.module


_grammar = _Grammar()


def parse(
    text: str,
    bot_user: str = "",
    now: datetime | None = None,
    tz: str = "UTC",
    known_names: Iterable[str] = (),
) -> Intent:
    """Parse one chat line. Never raises; text it cannot place gives Intent('unknown')."""
    parsed: Intent = _grammar.load().parse(text, bot_user, now, tz, known_names)
    return parsed


def preload() -> threading.Thread | None:
    """Load the grammar in a daemon thread of its own (`hostbot run`, once it listens); None when it is loaded
    or loading already. `parse` and `ready()` wait for it meanwhile."""
    with _grammar.lock:
        if _grammar.module is not None or _grammar.preloading is not None:
            return None
        started = threading.Event()
        thread = threading.Thread(target=_preload, args=(started,), name="grammar preload", daemon=True)
        _grammar.preloading = thread
        thread.start()
    started.wait()  # it holds the lock from now on: no caller can slip in and import beside it
    return thread


def _preload(started: threading.Event) -> None:
    with _grammar.lock:
        started.set()
        if _grammar.module is None:
            _grammar.module = importlib.import_module(GRAMMAR)


async def ready() -> None:
    """The grammar loaded: at once when it is; a preload under way is waited for off the event loop; else it is
    loaded here (the first parse of a process that started no preload: a test, the console)."""
    if _grammar.module is not None:
        return
    if _grammar.preloading is not None:
        await asyncio.to_thread(_grammar.load)
    else:
        _grammar.load()
