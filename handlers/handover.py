"""Scheduled handovers from chat: schedule, list, cancel, and the reminder's buttons.

"hand host to @alice at 15:00" stores a handover (bot/scheduling/book.py) after the same checks and
policy as set_host; bot/scheduling/scheduler.py reminds, re-checks and runs it when due. The reminder's
buttons come back here (schedule_handover with ctx.approval.kind "reminder" or "missed") and
become Plans (handlers/handover_buttons.py): Hand over now, Snooze 5 min, Cancel, through the gate.
Times are read and shown in the reader's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.answer.render import explain
from bot.core.identity.resolver import Person
from bot.core.model.errors import IdentityError, MeetingProblem
from bot.core.model.events import Reply
from bot.core.model.intent import Intent
from bot.core.model.outcome import Kind, Outcome, VendorUser
from bot.core.model.plan import Authority, ConfirmMode, Operation, Plan
from bot.core.model.vendor import Meeting, MeetingRef, unsupported
from bot.core.request.context import Context
from bot.core.request.registry import intent
from bot.core.request.request import Recorded, outcome_row
from bot.core.world.meetings import locate
from bot.scheduling.book import Handover, iso
from bot.scheduling.scheduler import HandoverScheduler
from bot.scheduling.scheduler import of as scheduler_of
from bot.scheduling.wording import hkey, when_text, words, zone_of
from handlers.handover_buttons import button_plan, not_pending


def _scheduler(ctx: Context) -> HandoverScheduler:
    sched = scheduler_of(ctx.services)
    if sched is None:
        raise RuntimeError("no handover scheduler: bot/app.py builds one")
    return sched


def _tz(ctx: Context) -> str:
    return ctx.message.tz or ctx.services.settings.tz


@intent("schedule_handover", examples={"en": ("hand host to @bob at 15:00",
                                              "in 20 minutes make @bob host"),
                                       "zh": ("明天下午三点把主持人交给 @bob",
                                              "20分钟后把主持人交给 @bob")}, confirm=ConfirmMode.OTHERS,
        authority=Authority.MEETING)
async def schedule_handover(ctx: Context) -> Plan | list[Reply]:
    """Hand the host role to somebody at a given time."""
    approval = ctx.approval
    if approval is not None and approval.kind in ("reminder", "missed"):
        return await _button(ctx, approval.handover, approval.via)
    at = _due_time(ctx)
    if isinstance(at, list):
        return at
    target = await ctx.people.resolve(ctx.intent.targets[0], ctx.message.platform, ctx.message.user)
    located = await locate(ctx, ctx.intent.meeting)
    if isinstance(located, Outcome):
        vendor_key = located.vendor
        fill = {"target": target.display, "vendor": ctx.vendor_name(vendor_key), "meeting": located.meeting or "?"}
        return [Reply(ctx.t("handover_cannot_schedule", reason=explain(ctx.lang, located, vendor_key, **fill)))]
    meeting, vendor = located
    fill = {"target": target.display, "vendor": ctx.vendor_name(vendor.key), "meeting": meeting.display}
    if not vendor.supports("set_host"):
        reason = explain(ctx.lang, unsupported("set_host"), vendor.key, **fill)
        return [Reply(ctx.t("handover_cannot_schedule", reason=reason))]
    user = ctx.people.vendor_user(target, vendor.key)
    if meeting.ended or (vendor.host_change_needs_running and not meeting.in_progress):
        return [Reply(ctx.t("handover_meeting_not_running", **fill))]  # Zoom/Webex change scheduled ones
    if meeting.host is not None and meeting.host.id == user.id:
        return [Reply(ctx.t("already_host", **fill))]
    asked_with = approval.expected_host if approval is not None else None
    if asked_with is not None and meeting.host is not None and meeting.host.id != asked_with.id:
        # The host approved (or confirmed) a handover from somebody who is no longer host.
        current = await ctx.people.describe(vendor.key, meeting.host)
        return [Reply(ctx.t("handover_host_moved", current=current, **fill))]
    sched, now, tz = _scheduler(ctx), ctx.services.clock().astimezone(UTC), _tz(ctx)
    same = await sched.book.duplicate(ctx.message.platform, vendor.key, meeting.id, user.id, at)
    if same is not None:
        return [Reply(ctx.t("handover_duplicate", **await words(same, ctx.people, ctx.lang, now, tz)))]
    return await _schedule_plan(ctx, at, meeting, target, user, fill)


def _due_time(ctx: Context) -> datetime | list[Reply]:
    """When the handover is due (UTC), or the reply saying why the request has no usable time."""
    problem = ctx.intent.time_problem
    if problem is not None:
        return [Reply(ctx.t(problem.key, **problem.values))]
    if not ctx.intent.targets:
        return [Reply(ctx.t("handover_need_target"))]
    if ctx.intent.at is None:
        return [Reply(ctx.t("handover_need_time"))]
    # All arithmetic in UTC: aware datetimes of one zone subtract as wall clocks, which is wrong by
    # an hour across a DST change (01:30 EST − 10 min would give 01:20 EDT, an hour early).
    at = ctx.intent.at.astimezone(UTC)
    now, tz = ctx.services.clock().astimezone(UTC), _tz(ctx)
    if at <= now:  # e.g. the host approved after the time had passed
        return [Reply(ctx.t("time_in_past", when=when_text(at, tz, now), now=when_text(now, tz, now)))]
    return at


async def _schedule_plan(ctx: Context, at: datetime, meeting: Meeting, target: Person, user: VendorUser,
                   fill: dict[str, str]) -> Plan:
    """The plan that stores the handover (the scheduler runs it when due, through the gate again)."""
    sched, now, tz, msg = _scheduler(ctx), ctx.services.clock().astimezone(UTC), _tz(ctx), ctx.message
    loser = await ctx.people.chat_user_for(msg.platform, meeting.vendor, meeting.host)
    when = when_text(at, tz, now)
    if loser == msg.user:
        summary = ctx.t("summary_handover_you", when=when, **fill)
    else:
        loser_name = await ctx.people.describe(meeting.vendor, meeting.host)
        summary = ctx.t("summary_handover", when=when, loser=loser_name, **fill)
    remind = at - sched.lead if sched.lead.total_seconds() > 0 else None
    if remind is not None and remind <= now:
        remind = None  # due sooner than the lead time: no reminder
    approved = ctx.approval is not None and ctx.approval.via == "approve"

    def scheduled(hid: int) -> Outcome:
        return Outcome(Kind.OK, handover_id=hid, audit="scheduled", audit_detail=f"handover #{hid} due {iso(at)}",
                       audited=True)

    async def store_it() -> Outcome:  # the handover and its audit row: one transaction
        h = await sched.book.add(
            platform=msg.platform, channel=msg.channel, thread=msg.thread, requester=msg.user, lang=ctx.lang, tz=tz,
            vendor=meeting.vendor, meeting_id=meeting.id, meeting_display=meeting.display, host=meeting.host,
            target=target.chat_user, target_user=user, authority="approved" if approved else "requester",
            due=at, remind_at=remind, audit=lambda hid: outcome_row(ctx.request, Recorded(
                scheduled(hid), meeting.vendor, meeting.id, user.id, 0.0)))
        sched.track(h)
        return scheduled(h.id)

    async def render(outcome: Outcome) -> list[Reply]:
        h = await sched.book.get(outcome.handover_id) if outcome.handover_id is not None else None
        assert h is not None
        w = await words(h, ctx.people, ctx.lang, now, tz)
        if remind is not None:
            reminder = ctx.t("handover_will_remind", remind=when_text(remind, tz, now), **w)
        elif sched.lead.total_seconds() > 0:
            reminder = ctx.t("handover_no_reminder", lead=f"{sched.lead.total_seconds() / 60:g}")
        else:
            reminder = ""
        return [Reply(ctx.t("handover_scheduled", reminder=reminder, **w).replace("  ", " "))]

    return Plan(Operation.SCHEDULE_HANDOVER, summary, render, vendor=meeting.vendor, meetings=(meeting,),
                users=(user,), expected_host=meeting.host, targets=(target.chat_user,),
                losing_users=(meeting.host,) if meeting.host is not None else (), apply=store_it)


async def _button(ctx: Context, hid: int, via: str) -> Plan | list[Reply]:
    """A reminder's (or a missed report's) button: a Plan (handlers/handover_buttons.py) for settle."""
    sched = _scheduler(ctx)
    h = await sched.book.get(hid)
    if h is None:
        return [Reply(ctx.t("handover_not_found", what=ctx.t("handover_what_id", id=hid)))]
    return await button_plan(ctx, sched, h, via)


async def _not_pending(ctx: Context, hid: int) -> Reply:
    return await not_pending(ctx, _scheduler(ctx), hid)


# ---- list ------------------------------------------------------------------------------------
async def _is_admin(ctx: Context) -> bool:
    try:
        person = await ctx.people.resolve(ctx.message.user, ctx.message.platform, ctx.message.user)
    except IdentityError:
        person = None
    return await ctx.services.policy.is_admin(person, ctx.message.user, ctx.message.platform)


async def _involves(ctx: Context, h: Handover, user: str) -> bool:
    host = await ctx.people.chat_user_for(h.platform, h.vendor, h.host)
    return user in (h.requester, h.target, host)


@intent("list_handovers", examples={"en": ("list handovers",
                                           "show my scheduled handovers"),
                                    "zh": ("查看定时交接",
                                           "有哪些定时交接")})
async def list_handovers(ctx: Context) -> list[Reply]:
    """List the scheduled handovers (yours; admins see all)."""
    sched, now, tz, user = _scheduler(ctx), ctx.services.clock(), _tz(ctx), ctx.message.user
    mine = ctx.intent.mine or not await _is_admin(ctx)
    rows = [h for h in await sched.book.pending(ctx.message.platform) if not mine or await _involves(ctx, h, user)]
    if not rows:
        return [Reply(ctx.t("handover_list_none_mine" if mine else "handover_list_none"))]
    lines = [ctx.t("handover_list_head_mine" if mine else "handover_list_head")]
    lines += [ctx.t(hkey(h, "handover_list_line"), **await words(h, ctx.people, ctx.lang, now, tz)) for h in rows]
    return [Reply("\n".join(lines))]


# ---- cancel ----------------------------------------------------------------------------------
def _local(at: datetime, tz: str) -> datetime:
    return at.astimezone(zone_of(tz))


def _meeting_matches(h: Handover, ref: MeetingRef) -> bool:
    """Is `ref` (as typed: a number, a vendor's id) the meeting of `h`? Its id, or its number as shown."""
    return ref.vendor in (None, h.vendor) and ref.id in (h.meeting_id, h.meeting_display.replace(" ", ""))


def _time_matches(h: Handover, it: Intent, tz: str) -> bool:
    """Does "the <time> handover" mean `h`? Compared on the reader's wall clock, deliberately: in
    the autumn DST overlap "1:30" matches the 01:30 EDT and the 01:30 EST handover both (then we
    ask which), and "3 o'clock" with no am/pm matches 03:00 and 15:00."""
    local = _local(h.due, tz)
    if it.at is not None:
        wanted = _local(it.at, tz)
        return (local.hour, local.minute) == (wanted.hour, wanted.minute)
    values = it.time_problem.values if it.time_problem else {}
    problem = it.time_problem.key if it.time_problem else ""
    if problem == "time_ambiguous_dst":
        return local.strftime("%Y-%m-%d %H:%M") == values.get("when")
    if problem == "time_ambiguous_hour":
        return local.strftime("%H:%M") in (values.get("am"), values.get("pm"))
    return False


@intent("cancel_handover", examples={"en": ("cancel handover #3",
                                            "cancel the 3pm handover"),
                                     "zh": ("取消交接 #3",
                                            "取消明天下午三点的交接")}, confirm=ConfirmMode.OTHERS,
        authority=Authority.OWNER)
async def cancel_handover(ctx: Context) -> Plan | list[Reply]:
    """Cancel a scheduled handover (by #id, by time, or by who it goes to)."""
    sched, now, tz, user = _scheduler(ctx), ctx.services.clock(), _tz(ctx), ctx.message.user
    it = ctx.intent
    pending = await sched.book.pending(ctx.message.platform)
    if it.handover_id:
        wanted = it.handover_id.lstrip("#")
        found = [h for h in pending if str(h.id) == wanted]
        if found:
            return await _cancel_one(ctx, found[0])
        # an id as written may be no number, or one no database integer holds ("#1000…0", 26 digits)
        old = await sched.book.get(int(wanted)) if wanted.isdigit() and len(wanted) <= 18 else None
        if old is not None and old.platform == ctx.message.platform:
            return [await _not_pending(ctx, old.id)]
        return [Reply(ctx.t("handover_not_found", what=ctx.t("handover_what_id", id=wanted)))]

    problem = it.time_problem
    vague = problem is not None and problem.key in ("time_ambiguous_dst", "time_ambiguous_hour")
    by_time = it.at is not None or vague
    if problem is not None and not by_time:
        return [Reply(ctx.t(problem.key, **problem.values))]
    candidates, what = pending, []
    if by_time:
        candidates = [h for h in candidates if _time_matches(h, it, tz)]
        shown = when_text(it.at, tz, now) if it.at else it.time_text
        what.append(ctx.t("handover_what_time", when=shown))
    if it.meeting is not None and it.meeting.id:  # "cancel the handover of meeting 123456789": that meeting's only
        candidates = [h for h in candidates if _meeting_matches(h, it.meeting)]
        what.append(ctx.t("handover_what_meeting", meeting=it.meeting.id))
    if it.targets:
        person = await ctx.people.resolve(it.targets[0], ctx.message.platform, user)
        candidates = [h for h in candidates if h.target == person.chat_user]
        what.append(ctx.t("handover_what_target", target=person.display))
    mine = [h for h in candidates if h.requester == user]
    if it.every:
        cancelled = [h for h in mine if await sched.cancel(h.id, user)]
        if not cancelled:
            return [Reply(ctx.t("handover_list_none_mine"))]
        return [Reply(ctx.t("handover_cancelled_many", count=len(cancelled),
                            ids=", ".join(f"#{h.id}" for h in cancelled)))]
    if not what:
        candidates = mine  # "cancel my handover": only your own
        what.append(ctx.t("handover_what_mine"))
    else:
        candidates = mine or candidates  # your own first, then anybody's (asks first, see policy)
    if not candidates:
        return [Reply(ctx.t("handover_not_found", what=" ".join(what)))]
    if len(candidates) > 1:
        choices = "; ".join([ctx.t(hkey(h, "handover_list_line"), **await words(h, ctx.people, ctx.lang, now, tz))
                             for h in candidates])
        return [Reply(ctx.t("handover_which", choices=choices, first=candidates[0].id))]
    return await _cancel_one(ctx, candidates[0])


async def _cancel_one(ctx: Context, h: Handover) -> Plan:
    """Cancel `h`: its requester may; anybody else needs the meeting's host (asked) or to be an admin."""
    sched, now, tz, user = _scheduler(ctx), ctx.services.clock(), _tz(ctx), ctx.message.user
    w = await words(h, ctx.people, ctx.lang, now, tz)
    owner = await ctx.people.describe_chat_user(h.platform, h.requester)
    summary = ctx.t(hkey(h, "summary_cancel_handover"), owner=owner, **w)
    meeting = await _meeting_now(ctx, h) if h.requester != user else None

    async def cancel() -> Outcome:
        if not await sched.cancel(h.id, user):
            return Outcome(Kind.INVALID, reason="handover_not_pending")
        return Outcome(Kind.OK, handover_id=h.id, audit="cancelled", audit_detail=f"handover #{h.id}")

    async def render(outcome: Outcome) -> list[Reply]:
        if outcome.kind is not Kind.OK:
            return [await _not_pending(ctx, h.id)]
        return [Reply(ctx.t(hkey(h, "handover_cancelled"), **w))]

    return Plan(Operation.CANCEL_HANDOVER, summary, render, authority=Authority.OWNER, vendor=h.vendor,
                meetings=(meeting,) if meeting is not None else (), owners=(h.requester,), losers=(h.requester,),
                apply=cancel, audit_ids=f"handover #{h.id}", handover=h.id)


async def _meeting_now(ctx: Context, h: Handover) -> Meeting:
    """The meeting as the vendor reports it now (its host decides), else as it was when scheduled."""
    try:
        located = await locate(ctx, MeetingRef(h.vendor, h.meeting_id))
    except MeetingProblem:
        located = Outcome.unavailable()
    if isinstance(located, Outcome):
        return Meeting(vendor=h.vendor, id=h.meeting_id, display=h.meeting_display, host=h.host)
    return located[0]
