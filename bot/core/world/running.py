""""This meeting" when nothing names one and nothing is linked: the meetings the speaker runs right now.

    Zoom      List meetings (type=live) of the speaker's user           vendor.running_meetings
    Webex     List Meetings (meetingType=meeting, state=inProgress) for the speaker as hostEmail
    DingTalk  QueryUserOnGoingConference: the conferences they are in (kept: those they created)
    Feishu    no per-user call: the store's index, fed by the tenant meeting events (bot/store/rows/running.py)
Every candidate is read back from its vendor (find_meeting) and kept only when the vendor reports it
running with the speaker as its host (DingTalk: its creator): the vendor's word, not the list's.

    one found         it is the request's meeting; the reply starts by naming it (ctx.note), and the
                      Intent now names it exactly, so a confirmation or approval acts on that meeting
    several (or one while another vendor could not be asked)
                      MeetingChoice: a button per meeting; the proposal stores each as vendor + id,
                      and the click re-runs the request on exactly the one pressed (picked_meeting)
    none              MeetingProblem saying where hostbot looked and how to name a meeting
Never a guess among several.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace

from bot.core.answer.render import join_names
from bot.core.model.errors import IdentityError, MeetingProblem
from bot.core.model.events import Button, ButtonStyle
from bot.core.model.outcome import Outcome, VendorUser
from bot.core.model.vendor import Meeting, MeetingReader, MeetingRef
from bot.core.request.context import Context
from bot.core.request.proposals import offer

log = logging.getLogger(__name__)

PICK = "pick:"  # a pick button's action: "pick:<n>", n the index of the meeting in the proposal's "picks"
LABEL_MAX = 70  # Slack buttons take 75 characters


class MeetingChoice(MeetingProblem):
    """Several meetings could be "this meeting": the speaker picks one with `buttons`."""

    decision = "answered"

    def __init__(self, key: str, buttons: tuple[Button, ...], **values: object) -> None:
        super().__init__(key, **values)
        self.buttons = buttons


@dataclass
class Running:
    found: list[tuple[Meeting, MeetingReader]] = field(default_factory=list)
    looked: list[str] = field(default_factory=list)  # vendors asked (the speaker has an id there)
    failed: list[str] = field(default_factory=list)  # vendors that could not be asked


def picked_meeting(payload: dict[str, object], action: str) -> MeetingRef | None:
    """The meeting a pick button names (exact vendor and id, as stored in its proposal's "picks"), or None.
    The click's Intent then names it (bot/core/flow/dispatch.py), so what this request offers next (a
    confirmation, an approval) stays on it."""
    picks = payload.get("picks")
    if payload.get("kind") != "pick" or not action.startswith(PICK) or not isinstance(picks, list):
        return None
    index = action.removeprefix(PICK)
    if not index.isdigit() or int(index) >= len(picks) or not isinstance(picks[int(index)], dict):
        return None
    return MeetingRef.from_json(picks[int(index)])


async def running_now(ctx: Context) -> tuple[Meeting, MeetingReader]:
    """The one meeting the speaker runs now, or MeetingChoice / MeetingProblem (see the module docstring)."""
    running = await find_running(ctx)
    if not running.looked:
        raise MeetingProblem("need_meeting")
    if len(running.found) == 1 and not running.failed:
        meeting, vendor = running.found[0]
        ctx.request = replace(ctx.request, intent=replace(ctx.intent, meeting=MeetingRef(vendor.key, meeting.id)))
        ctx.note = ctx.t("running_found", vendor=ctx.vendor_name(vendor.key), meeting=meeting.display,
                         topic=meeting.topic or "—")
        return meeting, vendor
    failed = join_names(ctx.lang, [ctx.vendor_name(v) for v in running.failed])
    if not running.found:
        looked = join_names(ctx.lang, [ctx.vendor_name(v) for v in running.looked])
        raise MeetingProblem("running_none_failed" if failed else "running_none", vendors=looked, failed=failed)
    buttons = await _pick_buttons(ctx, running.found)
    raise MeetingChoice("running_several_failed" if failed else "running_several", buttons,
                        count=len(running.found), failed=failed)


async def find_running(ctx: Context) -> Running:
    running = Running()
    try:
        person = await ctx.people.resolve(ctx.message.user, ctx.message.platform, ctx.message.user)
    except IdentityError:
        return running
    named = ctx.intent.vendor_word  # "the webex meeting": only Webex is asked, never another vendor's meeting
    asked = [(vendor, person.vendor_id(vendor.key)) for vendor in ctx.vendors.values()
             if not named or vendor.key == named]
    asked = [(vendor, vendor_id) for vendor, vendor_id in asked if vendor_id]
    # The vendors are asked at once: the slowest one, not their sum, is what the speaker waits for.
    answers = await asyncio.gather(*(_running_at(ctx, vendor, VendorUser(vendor_id)) for vendor, vendor_id in asked))
    for (vendor, _), found in zip(asked, answers, strict=True):
        running.looked.append(vendor.key)
        if isinstance(found, Outcome):
            log.warning("running meetings: %s could not be asked: %s", vendor.key, found.reason or found.kind.value)
            running.failed.append(vendor.key)
            continue
        running.found += [(m, vendor) for m in found]
    return running


async def _running_at(ctx: Context, vendor: MeetingReader, who: VendorUser) -> list[Meeting] | Outcome:
    ids = [str(r["meeting_id"]) for r in await ctx.store.running_meetings_of(vendor.key, who.id)]
    listed = await vendor.running_meetings(who)
    if isinstance(listed, Outcome):
        if listed.reason != "op_not_supported":
            return listed
    else:
        ids += listed
    found: dict[str, Meeting] = {}
    for meeting_id in dict.fromkeys(ids):
        meeting = await vendor.find_meeting(MeetingRef(vendor.key, meeting_id))
        if isinstance(meeting, Meeting) and meeting.in_progress and not meeting.ended \
                and meeting.host is not None and meeting.host.id.lower() == who.id.lower():
            found.setdefault(meeting.id, meeting)
    return list(found.values())


async def _pick_buttons(ctx: Context, found: list[tuple[Meeting, MeetingReader]]) -> tuple[Button, ...]:
    picks = [MeetingRef(vendor.key, meeting.id).to_json() for meeting, vendor in found]
    choices = [(f"{PICK}{n}", "button_pick", ButtonStyle.DEFAULT) for n in range(len(found))]
    buttons = await offer(ctx.services, ctx.request, ctx.intent.name, {"kind": "pick", "picks": picks}, *choices,
                    ("cancel", "button_cancel", ButtonStyle.DEFAULT))
    labels = [_label(ctx, meeting, vendor) for meeting, vendor in found]
    return tuple(replace(b, label=labels[n]) if n < len(labels) else b for n, b in enumerate(buttons))


def _label(ctx: Context, meeting: Meeting, vendor: MeetingReader) -> str:
    text = f"{ctx.vendor_name(vendor.key)} {meeting.display}"
    topic = meeting.topic[: max(0, LABEL_MAX - len(text) - 3)]
    return f"{text} “{topic}”" if topic else text
