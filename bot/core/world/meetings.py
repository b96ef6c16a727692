"""Finding the meeting a request is about: an explicit id or link, else the one picked from a choice,
else the one linked here, else the one the speaker runs right now (bot/core/world/running.py).

A bare number can belong to several vendors (a 9-digit Feishu number, a Zoom id): when the
vendor was not named, every configured vendor that could own the id is asked, and only an
unambiguous answer is used.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.core.model.errors import MeetingProblem
from bot.core.model.outcome import Kind, Outcome
from bot.core.model.vendor import Meeting, MeetingReader, MeetingRef, group_digits
from bot.core.request.context import Context
from bot.core.world.running import running_now


async def linked_meeting(ctx: Context) -> MeetingRef | None:
    """'this meeting': the one linked to the thread, else to the channel, else named in the thread's root."""
    msg = ctx.message
    for scope in (msg.thread, msg.channel):
        if scope:
            row = await ctx.store.link(msg.platform, scope)
            if row is not None:
                return MeetingRef(row["vendor"], row["meeting_id"])
    if msg.context_text:  # the root message is read only for its meeting
        return ctx.services.parse(msg.context_text).meeting
    return None


async def locate(ctx: Context, ref: MeetingRef | None) -> tuple[Meeting, MeetingReader] | Outcome:
    """The meeting `ref` names (or the one linked to this thread/channel), with its vendor.

    Raises MeetingProblem when the request does not name one meeting (MeetingChoice: several the
    speaker runs now, to pick from); returns the vendor's Outcome when the vendor could not find it,
    with data["vendor"] and data["meeting"] set.
    """
    named = ctx.intent.vendor_word if ref is None and ctx.bound is None else ""
    if ref is None and ctx.bound is not None:  # a click means the meeting it showed, never today's link
        ref = ctx.bound.meetings[0].ref if ctx.bound.meetings else None
    if ref is None and not ctx.no_links:
        ref = await linked_meeting(ctx)
        if ref is not None and named and ref.vendor is not None and ref.vendor != named:
            # "the zoom meeting" is not the Feishu meeting linked here: answered, never used instead
            raise MeetingProblem("linked_other_vendor", named=ctx.vendor_name(named),
                                 linked=ctx.vendor_name(ref.vendor))
    if ref is None:
        if ctx.no_links:  # a click: never the meetings the speaker happens to run now
            raise MeetingProblem("need_meeting")
        return await running_now(ctx)
    if ref.vendor is not None:
        vendor = ctx.vendors.get(ref.vendor)
        if vendor is None:
            raise MeetingProblem("vendor_not_configured", vendor=ctx.vendor_name(ref.vendor))
        seen = ctx.seen.get((ref.vendor, ref.id))  # read once already for a bound plan (bot/core/model/bound.py)
        return _tagged(seen or await vendor.find_meeting(ref), vendor, ref)
    candidates = [v for v in ctx.vendors.values() if v.claims(ref)]
    if not candidates:  # named, but no vendor has meetings of that form: say so, never fall back
        return Outcome(Kind.NOT_FOUND, reason="meeting_not_found_anywhere", remedy="remedy_check_meeting",
                       meeting=group_digits(ref.id), searched=tuple(ctx.vendors))
    if len(candidates) == 1:
        return _tagged(await candidates[0].find_meeting(ref), candidates[0], ref)
    answers = await asyncio.gather(*(v.find_meeting(ref) for v in candidates))
    hits = [(m, v) for m, v in zip(answers, candidates, strict=True) if isinstance(m, Meeting)]
    if len(hits) == 1:
        return hits[0]
    if not hits and all(isinstance(a, Outcome) and a.kind is Kind.NOT_FOUND for a in answers):
        return Outcome(Kind.NOT_FOUND, reason="meeting_not_found_anywhere", remedy="remedy_check_meeting",
                       meeting=group_digits(ref.id), searched=tuple(v.key for v in candidates))
    names = ", ".join(ctx.vendor_name(v.key) for v in candidates)
    raise MeetingProblem("which_vendor", meeting=ref.id, vendors=names)


def _tagged(
    found: Meeting | Outcome, vendor: MeetingReader, ref: MeetingRef
) -> tuple[Meeting, MeetingReader] | Outcome:
    if isinstance(found, Meeting):
        return found, vendor
    return replace(found, vendor=vendor.key, meeting=vendor.display_ref(ref.id))
