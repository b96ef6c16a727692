"""Roles that expire: "make @bob co-host for 30 minutes", "make @alice host until 15:00".

The change is planned by set_host / add_cohost as any other; the Plan gets an Expiry (bot/core/model/plan.py)
whose `book` stores the change back as a scheduled handover (bot/scheduling) right before the vendor is
called, so one confirmation or approval of the summary ("… until 15:30, then is removed") covers both.
The change back is a handover like any other (listed, cancellable, reminded before, re-checked when due),
with authority GRANTED: it runs as the requester's, on the plan it stored (bot/scheduling/due.py): a
co-host change back only while that person is still co-host, a host change back only while the host is
still the one hostbot made. Undo of the change cancels it (handlers/undo.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.model.events import Reply
from bot.core.model.outcome import Outcome, VendorUser
from bot.core.model.plan import Expiry, Operation
from bot.core.model.vendor import Meeting
from bot.core.request.context import Context
from bot.scheduling.book import GRANTED
from bot.scheduling.scheduler import of as scheduler_of
from bot.scheduling.wording import until_text, when_text


def end_of(ctx: Context) -> datetime | list[Reply] | None:
    """When the change asked for ends (UTC); None when it does not; the reply when it cannot be used:
    the end has passed (e.g. approved after it), or nothing here can run the change back."""
    until = ctx.intent.until
    if until is None:
        return None
    now, tz = ctx.services.clock().astimezone(UTC), _tz(ctx)
    at = until.astimezone(UTC)
    if at <= now:  # never a permanent change instead
        return [Reply(ctx.t("until_in_past", when=when_text(at, tz, now), now=when_text(now, tz, now)))]
    if scheduler_of(ctx.services) is None:
        return [Reply(ctx.t("expire_cannot_put_back", reason=ctx.t("internal_error")))]
    return at


def shown_end(ctx: Context) -> str:
    """The end as a plan shown stores it (PlanSpec.until: the Expiry's instant, UTC), '' for none: a
    button offered with an expiring change (a Retry, "co-host instead") runs it with the same end."""
    return ctx.intent.until.astimezone(UTC).isoformat() if ctx.intent.until is not None else ""


def when(ctx: Context, at: datetime) -> str:
    return when_text(at, _tz(ctx), ctx.services.clock())


def cohost_back(ctx: Context, at: datetime, meeting: Meeting, target: str, user: VendorUser) -> Expiry:
    """The Expiry of "make `target` co-host until `at`": then remove them (if still co-host)."""
    return _expiry(ctx, at, meeting, Operation.REMOVE_COHOST, meeting.host, target, user)


def host_back(ctx: Context, at: datetime, meeting: Meeting, made: VendorUser, previous_chat: str,
              previous: VendorUser) -> Expiry:
    """The Expiry of "make `made` host until `at`": then the host role goes back to `previous` (if
    `made` still hosts)."""
    return _expiry(ctx, at, meeting, Operation.SET_HOST, made, previous_chat, previous)


def _expiry(ctx: Context, at: datetime, meeting: Meeting, operation: Operation, assumed_host: VendorUser | None,
            target: str, user: VendorUser) -> Expiry:
    sched, msg = scheduler_of(ctx.services), ctx.message
    assert sched is not None  # end_of answered otherwise

    async def book() -> int:  # at execute time: maybe long after the plan (a confirmation, an approval)
        now = ctx.services.clock().astimezone(UTC)
        remind = at - sched.lead if sched.lead.total_seconds() > 0 else None
        h = await sched.book.add(
            platform=msg.platform, channel=msg.channel, thread=msg.thread, requester=msg.user, lang=ctx.lang,
            tz=_tz(ctx), vendor=meeting.vendor, meeting_id=meeting.id, meeting_display=meeting.display,
            host=assumed_host, target=target, target_user=user, authority=GRANTED, due=at,
            remind_at=remind if remind is not None and remind > now else None, operation=operation.value)
        sched.track(h)
        return h.id

    async def drop(hid: int) -> None:
        await sched.cancel(hid, "hostbot (the change was not made)")

    return Expiry(at, book, drop)


async def booked_note(ctx: Context, outcome: Outcome, operation: Operation, target: str) -> str:
    """The line a done expiring change ends with: when it is put back, by which handover, how to keep it."""
    sched = scheduler_of(ctx.services)
    if outcome.handover_id is None or sched is None:
        return ""
    h = await sched.book.get(outcome.handover_id)
    if h is None:
        return ""
    now = ctx.services.clock()
    key = "expire_booked_cohost" if operation is Operation.REMOVE_COHOST else "expire_booked_host"
    return "\n" + ctx.t(key, id=h.id, when=when_text(h.due, _tz(ctx), now), until=until_text(ctx.lang, h.due, now),
                        target=target)


def _tz(ctx: Context) -> str:
    return ctx.message.tz or ctx.services.settings.tz
