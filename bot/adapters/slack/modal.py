"""The /host form (a Slack modal): its Block Kit view, and a submission read back into an Intent.

The form asks what to do, who (one person, or several where several make sense: co-hosts and
invites), which meeting (prefilled with the channel's linked meeting) and, for a handover, when.
Its private_metadata carries where it was opened and by whom, so the answer goes to that channel.
A submission becomes the same Intent a typed request would (never a text to parse again); what
the form can check itself (nobody picked, two people for one host, a time in the past, a meeting
field that names no meeting) comes back as Slack's `response_action: errors` on the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core.model.intent import Intent
from bot.core.model.vendor import MeetingRef
from bot.i18n import t

CALLBACK_ID = "hostbot_form"
# Not "hostbot_…": the adapter's button listener matches that prefix; this one belongs to the form.
WHAT_ACTION = "hostbot.form.what"
WHATS = ("set_host", "add_cohost", "remove_cohost", "invite", "schedule_handover")
MANY = frozenset({"add_cohost", "remove_cohost", "invite"})  # the intents that take several people
B_WHAT, B_WHO_ONE, B_WHO_MANY, B_MEETING, B_AT = "what", "who_one", "who_many", "meeting", "at"


@dataclass(frozen=True)
class FormOrigin:
    """Where the form was opened (its private_metadata): the answer goes to that channel, in a thread."""

    channel: str
    user: str
    lang: str = "en"
    tz: str = ""
    thread: str = ""
    linked: MeetingRef | None = None  # the channel's linked meeting, as prefilled
    linked_text: str = ""  # how the prefill reads ("Feishu 123 456 789")

    def to_metadata(self) -> str:
        return json.dumps({"c": self.channel, "u": self.user, "l": self.lang, "z": self.tz, "t": self.thread,
                           "m": self.linked.to_json() if self.linked else None, "mt": self.linked_text},
                          ensure_ascii=False)

    @classmethod
    def from_metadata(cls, text: str) -> FormOrigin | None:
        try:
            data = json.loads(text or "")
        except ValueError:
            return None
        if not isinstance(data, dict) or not data.get("c") or not data.get("u"):
            return None
        return cls(channel=str(data["c"]), user=str(data["u"]), lang=str(data.get("l") or "en"),
                   tz=str(data.get("z") or ""), thread=str(data.get("t") or ""),
                   linked=MeetingRef.from_json(data.get("m")), linked_text=str(data.get("mt") or ""))


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(lang: str, what: str) -> dict[str, Any]:
    return {"text": _plain(t(lang, f"form_what_{what}")), "value": what}


def form_view(origin: FormOrigin, what: str = "set_host") -> dict[str, Any]:
    """The modal; `what` picks the people field (one person, or several for co-hosts and invites)."""
    lang = origin.lang
    many = what in MANY
    who: dict[str, Any] = {"type": "multi_users_select" if many else "users_select", "action_id": "who"}
    meeting: dict[str, Any] = {"type": "plain_text_input", "action_id": "meeting"}
    if origin.linked_text:
        meeting["initial_value"] = origin.linked_text
    hint = t(lang, "form_meeting_linked", meeting=origin.linked_text) if origin.linked_text \
        else t(lang, "form_meeting_unlinked")
    blocks = [
        {"type": "input", "block_id": B_WHAT, "dispatch_action": True, "label": _plain(t(lang, "form_what")),
         "element": {"type": "radio_buttons", "action_id": WHAT_ACTION,
                     "options": [_option(lang, w) for w in WHATS], "initial_option": _option(lang, what)}},
        # A different block_id per kind: Slack keeps a field's input across views.update only while
        # its block_id stays, and a users_select value cannot fill a multi_users_select.
        {"type": "input", "block_id": B_WHO_MANY if many else B_WHO_ONE, "element": who,
         "label": _plain(t(lang, "form_who_many" if many else "form_who_one"))},
        {"type": "input", "block_id": B_MEETING, "optional": True, "element": meeting,
         "label": _plain(t(lang, "form_meeting")), "hint": _plain(hint)},
        {"type": "input", "block_id": B_AT, "optional": True, "label": _plain(t(lang, "form_at")),
         "element": {"type": "datetimepicker", "action_id": "at"}, "hint": _plain(t(lang, "form_at_hint"))},
    ]
    return {"type": "modal", "callback_id": CALLBACK_ID, "title": _plain(t(lang, "form_title")),
            "submit": _plain(t(lang, "form_submit")), "close": _plain(t(lang, "form_close")),
            "private_metadata": origin.to_metadata(), "blocks": blocks}


def chosen_what(state: dict[str, Any]) -> str:
    """The radio choice in a view's state (the default when none or an unknown one)."""
    selected = (state.get(B_WHAT, {}).get(WHAT_ACTION) or {}).get("selected_option") or {}
    value = str(selected.get("value") or "")
    return value if value in WHATS else WHATS[0]


def read_form(view: dict[str, Any], origin: FormOrigin, now: datetime,
              find_meeting: Callable[[str], MeetingRef | None]) -> Intent | dict[str, str]:
    """The submission as an Intent, or {block_id: message} for Slack to show under the fields."""
    state = (view.get("state") or {}).get("values") or {}
    what, lang, errors = chosen_what(state), origin.lang, {}
    # The picker the view has, whichever "what" is chosen (a swap may not have happened yet): errors
    # must name a block the view has, or Slack refuses the whole answer.
    if B_WHO_MANY in state:
        people, block = [str(u) for u in (state[B_WHO_MANY].get("who") or {}).get("selected_users") or []], B_WHO_MANY
    else:
        one = (state.get(B_WHO_ONE, {}).get("who") or {}).get("selected_user")
        people, block = ([str(one)] if one else []), B_WHO_ONE
    if not people:
        errors[block] = t(lang, "form_err_who_none")
    elif len(people) > 1 and what not in MANY:
        errors[block] = t(lang, "form_err_who_one")
    typed = str((state.get(B_MEETING, {}).get("meeting") or {}).get("value") or "").strip()
    meeting: MeetingRef | None = None
    if typed and origin.linked is not None and typed == origin.linked_text:
        meeting = origin.linked
    elif typed:
        meeting = find_meeting(typed)
        if meeting is None:
            errors[B_MEETING] = t(lang, "form_err_meeting")
    at = _picked_time((state.get(B_AT, {}).get("at") or {}).get("selected_date_time"))
    if what == "schedule_handover" and at is None:
        errors[B_AT] = t(lang, "form_err_at_missing")
    elif what == "schedule_handover" and at is not None and at <= now:
        errors[B_AT] = t(lang, "form_err_at_past")
    if errors:
        return errors
    return Intent(what, targets=tuple(dict.fromkeys(people)), meeting=meeting,
                  at=at if what == "schedule_handover" else None, lang=lang)


def _picked_time(stamp: Any) -> datetime | None:
    """A datetimepicker's value (Unix seconds; the picker shows the person's own zone) as UTC."""
    try:
        return datetime.fromtimestamp(int(stamp), UTC) if stamp is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None
