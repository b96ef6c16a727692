"""Plan → gate → execute → render, for one request (a message, a click, or a due handover).

    run(ctx)            the intent's handler plans; a Plan goes through settle(); an Answer comes back
    settle(ctx, plan)   gate it (bot/core/decide/gate.py), then execute it, ask first, or refuse

What became of the request is returned, never kept on the context: replies, the decisions, the last
vendor answer (bot/core/request/request.Answer). The decisions' audit rows are written here and only
here (`_audit`), as they are taken; a vendor answer a handler read (ctx.read) is audited here too.

The inputs of the gate are gathered here (who the speaker is at each vendor, whether they are an
admin, what a click already settled); the decision itself is pure. A confirmation or an approval
request stores the Plan as shown (bot/core/model/bound.py) in a proposal; its click re-plans from exactly
that plan's meetings and targets (read again from the vendor) and runs it only when it is still the
plan that was shown; otherwise it says what changed and asks again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.decide.gate import Consent, Decision, Speaker, Verdict, decide
from bot.core.flow.execute import audit_outcome, execute
from bot.core.flow.undo import offer_undo
from bot.core.identity.profiles import PLATFORM_NAMES
from bot.core.identity.resolver import Person
from bot.core.model.bound import PlanSpec
from bot.core.model.errors import IdentityError, UserFacingError
from bot.core.model.events import ButtonStyle, Reply
from bot.core.model.intent import Intent
from bot.core.model.outcome import Kind, Outcome
from bot.core.model.plan import Authority, Plan
from bot.core.request.proposals import offer
from bot.core.request.registry import IntentSpec, Registry
from bot.core.request.request import Answer, decision_row
from bot.core.world.recheck import changes, cohosts_now
from bot.i18n import t

if TYPE_CHECKING:
    from bot.core.request.context import Context

log = logging.getLogger(__name__)

NOT_EXAMPLES = frozenset({"help", "nothing", "did_you_mean", "compound", "undo", "cancel"})  # not things to try


# Intents that change something now: a time or a meeting the line named but that could not be used
# stops them here, with a reply naming it (schedule and cancel_handover answer their own time problems).
ACTS_NOW = frozenset({"set_host", "add_cohost", "remove_cohost", "invite", "reassign", "link_meeting"})
USES_MEETING = ACTS_NOW | {"schedule_handover", "who_is_host"}


def unaccounted(intent: Intent) -> list[Reply] | None:
    """The reply to a part of the line that was said but cannot be used (never a default in its place)."""
    lang = intent.lang
    if intent.meeting_problem is not None and intent.name in USES_MEETING:
        return [Reply(t(lang, intent.meeting_problem.key, **intent.meeting_problem.values))]
    if intent.time_problem is not None and intent.name in ACTS_NOW:
        return [Reply(t(lang, intent.time_problem.key, **intent.time_problem.values))]
    return None


async def run(ctx: Context) -> Answer:
    """Answer one request with its handler; user-facing errors become replies, a bug an apology.
    A note the planning left (the meeting found for "this meeting") opens the first reply."""
    answer = await _answer(ctx)
    for read in ctx.read:  # vendor answers the handler read (who hosts, a precheck, a listing)
        await audit_outcome(ctx.store, ctx.request, read)
    outcome = answer.outcome if answer.outcome is not None or not ctx.read else ctx.read[-1].outcome
    replies = answer.replies
    if ctx.note and replies:
        replies = [replace(replies[0], text=f"{ctx.note}\n{replies[0].text}"), *replies[1:]]
    return replace(answer, replies=replies, outcome=outcome)


async def _audit(ctx: Context, decision: str, detail: str = "") -> tuple[str, str]:
    """The decision's audit row (a question's is written with its proposal: offer's `decision`); returns it for
    the Answer."""
    await ctx.store.audit(**decision_row(ctx.request, decision, detail))
    return decision, detail


async def _answer(ctx: Context) -> Answer:
    spec = ctx.services.registry.get(ctx.intent.name)
    if spec is None:
        return _not_understood(ctx)
    unread = unaccounted(replace(ctx.intent, lang=ctx.lang))
    if unread is not None:
        problem = ctx.intent.meeting_problem or ctx.intent.time_problem
        return Answer(unread, decided=(await _audit(ctx, "rejected", problem.key if problem else ""),))
    try:
        planned = await spec.handler(ctx)
        if isinstance(planned, Plan):
            return await settle(ctx, spec, planned)
        if isinstance(planned, Answer):  # a handler that names its decision: audited here
            return replace(planned, decided=tuple([await _audit(ctx, d, detail) for d, detail in planned.decided]))
        return Answer(planned)
    except UserFacingError as err:  # MeetingChoice (bot/core/world/running.py) brings its buttons
        return Answer([Reply(ctx.t(err.key, **err.values), buttons=getattr(err, "buttons", ()))],
                      status=getattr(err, "decision", "rejected"))
    except Exception:
        log.exception("handler %s failed", spec.name)
        ctx.read.clear()
        return Answer([Reply(ctx.t("internal_error"))], status="error")


def _not_understood(ctx: Context) -> Answer:
    """Not the whole help: the three examples closest to what was said, and where the rest is."""
    text = ctx.intent.text.strip()
    lines = [ctx.t("not_understood", text=text[:200])]
    examples = closest_examples(ctx.services.registry, text, ctx.lang)
    if examples:
        lines += [ctx.t("not_understood_closest"), *(f"• “{e}”" for e in examples)]
    lines.append(ctx.t("not_understood_more"))
    return Answer([Reply("\n".join(lines))], status="not_understood")


def closest_examples(registry: Registry, text: str, lang: str, limit: int = 3) -> list[str]:
    """The intents' examples in `lang` most like `text` (rapidfuzz WRatio: word order and partial
    matches count, so "make alice the host" finds set_host and "邀请 carol" finds invite)."""
    from rapidfuzz import fuzz, process, utils  # loaded with the grammar (bot/intents/typos.py), not at start-up

    pool = list(dict.fromkeys(e for spec in registry.specs() if spec.name not in NOT_EXAMPLES
                              for e in spec.examples.get(lang, ())))
    found = process.extract(text, pool, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit)
    return [example for example, _, _ in found]


async def settle(ctx: Context, spec: IntentSpec, plan: Plan, ask_only: bool = False) -> Answer:
    """Gate `plan`; execute it when allowed, else ask (confirm / the host) or refuse. A bound plan
    (a click) runs only when it is still the plan that was shown; `ask_only`: never execute, ask."""
    if plan.authority is None:  # the intent's declared authority (@intent(..., authority=...))
        plan = replace(plan, authority=spec.authority)
    if ctx.bound is not None:
        moved = await changes(ctx, ctx.bound, plan)
        if moved:
            return await _ask_again(ctx, spec, plan, moved)
        if ctx.bound.owners and _scheduled(ctx):  # the change back of an expiring change, due: allowed (or
            plan = replace(plan, authority=Authority.OWNER, owners=ctx.bound.owners)  # approved) with the change
    person = await speaker_person(ctx)
    speaker = await speaker_of(ctx, person)
    confirm = ctx.services.policy.confirm_mode(spec.name, spec.confirm)
    consent = ctx.approval.consent if ctx.approval is not None else Consent.NONE
    approver = await approver_of(ctx, plan) if consent is Consent.APPROVED else None
    decision = decide(plan, speaker, confirm, consent, approver)
    if decision.verdict is Verdict.ALLOW and ask_only:
        return await _ask_confirmation(ctx, spec, plan)
    if decision.verdict is Verdict.ALLOW:
        decided = (await _audit(ctx, consent.value, ctx.approval.by if ctx.approval else ""),) \
            if consent is not Consent.NONE else ()
        outcome = await _execute(ctx, plan)
        replies = await offer_undo(ctx, plan, outcome, await plan.render(outcome))
        return Answer(replies, decided=decided, outcome=outcome)
    if decision.verdict is Verdict.CONFIRM:
        return await _ask_confirmation(ctx, spec, plan)
    if decision.verdict is Verdict.ASK_HOST:
        return await _ask_host(ctx, spec, plan, decision)
    return Answer([Reply(ctx.t(decision.reason, host="?"))], decided=(await _audit(ctx, "denied", decision.reason),))


def _scheduled(ctx: Context) -> bool:
    """A due handover's run (bot/scheduling/due.py), never a click: only it may carry a plan's owners."""
    return ctx.approval is not None and ctx.approval.by_scheduler


async def _execute(ctx: Context, plan: Plan) -> Outcome:
    """execute, with the change back of an expiring change booked first and dropped when nothing changed
    (an answer lost keeps it: the change may have happened, and the change back re-checks before acting)."""
    expiry = plan.expiry
    back = await expiry.book() if expiry is not None else 0
    outcome = await execute(ctx, plan)
    if expiry is None or not back:
        return outcome
    if outcome.unchanged or outcome.kind not in (Kind.OK, Kind.UNKNOWN):
        await expiry.drop(back)
        return outcome
    return replace(outcome, handover_id=back)


async def speaker_person(ctx: Context) -> Person | None:
    try:
        return await ctx.people.resolve(ctx.message.user, ctx.message.platform, ctx.message.user)
    except IdentityError:
        return None


async def speaker_of(ctx: Context, person: Person | None) -> Speaker:
    ids = {v: person.vendor_id(v) for v in ctx.vendors} if person is not None else {}
    return Speaker(ctx.message.user, {k: v for k, v in ids.items() if v},
                   admin=await ctx.services.policy.is_admin(person, ctx.message.user, ctx.message.platform))


async def approver_of(ctx: Context, plan: Plan) -> Speaker | None:
    """Who approved: the clicker (a chat user), or for a due handover the host who approved it (a
    vendor user, carried in the handover). The gate checks they still run the meeting."""
    approval = ctx.approval
    if approval is None:
        return None
    if approval.host is not None:
        return Speaker("", {plan.vendor: approval.host.id})
    clicker = approval.clicker
    if not clicker:
        return None
    try:
        person: Person | None = await ctx.people.resolve(clicker, ctx.message.platform, clicker)
    except IdentityError:
        person = None
    ids = {v: person.vendor_id(v) for v in ctx.vendors} if person is not None else {}
    admin = await ctx.services.policy.is_admin(person, clicker, ctx.message.platform)
    return Speaker(clicker, {k: v for k, v in ids.items() if v}, admin=admin)


async def _ask_again(ctx: Context, spec: IntentSpec, plan: Plan, moved: list[str]) -> Answer:
    """The world moved between the ask and the click: say what changed, and ask again about the plan
    the world gives now (a new proposal; never run on the strength of the old click)."""
    changed = await _audit(ctx, "changed_since_asked", "; ".join(moved)[:200])
    ctx.approval, ctx.bound = None, None
    asked = await settle(ctx, spec, plan, ask_only=True)
    head = ctx.t("changed_since_asked", changes="\n".join(f"• {line}" for line in moved))
    replies = asked.replies
    replies = [replace(replies[0], text=f"{head}\n{replies[0].text}"), *replies[1:]] if replies else [Reply(head)]
    return replace(asked, replies=replies, decided=(changed, *asked.decided))


async def bound_payload(ctx: Context, plan: Plan, pressers: tuple[str, ...]) -> dict[str, object]:
    """What a proposal stores: the Plan as shown (bot/core/model/bound.py), the expected host kept for
    surfaces that read it."""
    shown = PlanSpec.of(plan, ctx.message.user, pressers, await cohosts_now(ctx, plan))
    host = plan.expected_host or (plan.meeting.host if plan.meeting is not None else None)
    return {"plan": shown.to_json(), **({"expected_host": host.to_json()} if host is not None else {})}


async def _ask_confirmation(ctx: Context, spec: IntentSpec, plan: Plan) -> Answer:
    payload = await bound_payload(ctx, plan, (ctx.message.user,))
    buttons = await offer(ctx.services, ctx.request, spec.name, {**payload, "kind": "confirm"},
                          ("confirm", "button_confirm", ButtonStyle.PRIMARY),
                          ("cancel", "button_cancel", ButtonStyle.DEFAULT), decision=("confirmation_asked", ""))
    return Answer([Reply(f"{plan.summary}\n{ctx.t('policy_confirm_question')}", buttons=buttons)],
                  decided=(("confirmation_asked", ""),))


async def _ask_host(ctx: Context, spec: IntentSpec, plan: Plan, decision: Decision) -> Answer:
    """Send the summary to the host the vendor reports, wherever they chat, with buttons only they
    can press; when nobody can be found for that vendor id, say who it is and what an admin can map."""
    meeting = plan.meeting
    vendor = meeting.vendor if meeting is not None else plan.vendor
    host_chat = await ctx.people.find_chat_user(ctx.message.platform, vendor, decision.host)
    if host_chat is None:
        denied = (await _audit(ctx, "denied", "host_unreachable"),)
        if decision.host is None:
            return Answer([Reply(ctx.t("policy_host_unreachable", host="?"))], decided=denied)
        who = await ctx.people.vendor_name_of(vendor, decision.host)
        return Answer([Reply(ctx.t("policy_host_unmapped", host=who, platform=PLATFORM_NAMES.get(
            ctx.message.platform, ctx.message.platform), field=vendor, id=decision.host.id))], decided=denied)
    host = await ctx.people.describe_chat_user(ctx.message.platform, host_chat)
    requester = await ctx.people.describe_chat_user(ctx.message.platform, ctx.message.user)
    # The summary is kept for surfaces that list open requests (Slack's Home tab).
    payload = await bound_payload(ctx, plan, (host_chat,))
    buttons = await offer(ctx.services, ctx.request, spec.name, {**payload, "kind": "approval",
                                                           "on_behalf_of": ctx.message.user, "summary": plan.summary},
                    ("approve", "button_approve", ButtonStyle.PRIMARY),
                    ("decline", "button_decline", ButtonStyle.DANGER),
                    requester=host_chat, decision=("approval_requested", host_chat))
    text = ctx.t("policy_approval_request", host=host, requester=requester, summary=plan.summary)
    return Answer([Reply(text, buttons=buttons, mention_users=(host_chat,))],
                  decided=(("approval_requested", host_chat),))
