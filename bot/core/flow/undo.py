"""Undo: the button after a host or co-host change, and what a press of it does.

    offer_undo(ctx, plan, outcome, replies)   after a change went through: store what puts it back
                                              (bot/store/rows/undos.py) and add the Undo button
    press_undo(services, click, ..., run)     a press: is it this person's, still in time, the first?
                                              then intent "undo" (handlers/undo.py) plans the change
                                              back, and it goes through the same gate and execute

The requester, the host who lost the role, whoever approved the change and admins may press it;
the people only named in it (the new host, the co-hosts added or removed) may not: anyone else is
told who can, and the button stays live for them. The row is claimed by one conditional UPDATE, so
a double click or a click redelivered to another replica acts once; a press whose change back the
vendor refused (nothing happened) leaves it pressable again until it expires.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.answer.progress import ProgressSink
from bot.core.answer.render import join_names
from bot.core.decide.gate import Consent
from bot.core.model.errors import IdentityError
from bot.core.model.events import Button, ButtonClick, ButtonStyle, ChatMessage, Reply
from bot.core.model.intent import Intent
from bot.core.model.outcome import Kind, Outcome
from bot.core.model.plan import Plan
from bot.core.request.context import Context
from bot.core.request.request import Answer, Request
from bot.i18n import t
from bot.i18n.clock import when_text
from bot.store.rows.undos import UndoRow

if TYPE_CHECKING:
    from bot.core.request.context import Services

# Vendor answers after which nothing changed: the Undo stays pressable (UNKNOWN may have acted: not these).
NOTHING_HAPPENED = frozenset({Kind.DENIED, Kind.INVALID, Kind.NOT_FOUND, Kind.RATE_LIMITED, Kind.UNAVAILABLE})
UNDO_ACTION = "undo"
UNDO_INTENT = "undo"


async def offer_undo(ctx: Context, plan: Plan, outcome: Outcome, replies: list[Reply]) -> list[Reply]:
    """`replies` with an Undo button on the first one, when `plan` changed something that can be put back."""
    undo, meeting = plan.undo, plan.meeting
    if undo is None or plan.undoes or meeting is None or not replies:
        return replies
    if outcome.kind is not Kind.OK or outcome.unchanged:
        return replies
    minutes = ctx.services.settings.undo_min
    msg = ctx.message
    uid = await ctx.store.create_undo(
        restore=[u.to_json() for u in undo.restore], made=[u.to_json() for u in undo.made],
        pressers=(msg.user, *undo.pressers, *(await _approvers(ctx, plan))), ttl=timedelta(minutes=minutes),
        platform=str(msg.platform), channel=msg.channel, thread=msg.thread, lang=ctx.lang, tz=msg.tz,
        requester=msg.user, vendor=plan.vendor, meeting_id=meeting.id, meeting_display=meeting.display,
        operation=plan.operation.value,
        handover=str(outcome.handover_id or "") if plan.expiry is not None else "")  # the Undo cancels the change back
    row = await ctx.store.get_undo(uid)
    tz = msg.tz or ctx.services.settings.tz
    until = when_text(row.expires_at, tz, ctx.services.clock()) if row else ""
    first = replies[0]
    button = Button(ctx.t("button_undo"), UNDO_ACTION, uid, ButtonStyle.DEFAULT)
    text = f"{first.text}\n{ctx.t('undo_offer', until=until)}"
    return [replace(first, text=text, buttons=(*first.buttons, button)), *replies[1:]]


async def _approvers(ctx: Context, plan: Plan) -> tuple[str, ...]:
    """Who approved the change (a click on Approve, or the host who approved a scheduled handover)."""
    approval = ctx.approval
    if approval is None or approval.consent is not Consent.APPROVED:
        return ()
    if approval.host is not None:
        chat = await ctx.people.chat_user_for(ctx.message.platform, plan.vendor, approval.host)
        return (chat,) if chat else ()
    return (approval.clicker,) if approval.clicker else ()


async def press_undo(services: Services, click: ButtonClick, progress: ProgressSink | None,
                     run: Callable[[Context], Awaitable[Answer]]) -> list[Reply]:
    """One press of an Undo button: refuse, say it expired or was used, or undo (once) through `run`
    (bot/core/flow/pipeline.run: the intent's handler plans, the gate decides, execute acts)."""
    store = services.store
    row = await store.get_undo(click.value)
    lang = click.lang or (row.lang if row else "en")
    if row is None:
        await _audit(services, click, "expired")
        return [Reply(t(lang, "choice_expired"))]
    if not await _may_press(services, click, row):
        await _audit(services, click, "foreign_click")
        who = join_names(lang, [await services.people.describe_chat_user(row.platform, p) for p in row.pressers])
        return [Reply(t(lang, "undo_not_yours", owners=who), ephemeral=True)]
    why, _ = await store.claim_undo(row.id, click.user)
    if why != "claimed":
        await _audit(services, click, "already_used" if why == "used" else "expired")
        if why == "used":
            return [Reply(t(lang, "undo_used"))]
        return [Reply(t(lang, "undo_expired", minutes=f"{services.settings.undo_min:g}"))]
    await _audit(services, click, "undo", detail=f"{row.operation} by {row.requester}")
    msg = ChatMessage(platform=click.platform, user=click.user, text=UNDO_INTENT, channel=row.channel,
                      thread=row.thread, tz=row.tz, user_name=click.user_name)
    answer = await run(Context(services, Request(msg, Intent(UNDO_INTENT, lang=lang, text=UNDO_INTENT), lang),
                               progress_sink=progress, undo=row))
    replies, outcome = answer.replies, answer.outcome
    if outcome is not None and outcome.kind in NOTHING_HAPPENED and replies:
        await store.finish_undo(row.id, "pending")  # the vendor refused: nothing changed, it may be pressed again
        again = Button(t(lang, "button_undo"), UNDO_ACTION, row.id, ButtonStyle.DEFAULT)
        return [replace(replies[0], buttons=(*replies[0].buttons, again)), *replies[1:]]
    else:
        await store.finish_undo(row.id, "done" if outcome is not None and outcome.ok else answer.decision or "failed")
    return replies


async def _may_press(services: Services, click: ButtonClick, row: UndoRow) -> bool:
    if click.user in row.pressers:
        return True
    try:
        person = await services.people.resolve(click.user, click.platform, click.user)
    except IdentityError:
        person = None
    return await services.policy.is_admin(person, click.user, click.platform)


async def _audit(services: Services, click: ButtonClick, outcome: str, detail: str = "") -> None:
    await services.store.audit(platform=click.platform, chat_user=click.user, intent=UNDO_INTENT, event="decision",
                         outcome=outcome, detail=detail)
