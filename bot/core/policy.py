"""Policy: may this person do this, and should we ask first? Platform-neutral; adapters render it.

Authorization — who may change host / co-hosts / invite / reassign on a meeting:
  the meeting's current host (as the vendor reports it), its organizer, and HOSTBOT_ADMINS
  (chat user ids or emails). Anyone else gets an *approval request* sent to the current host
  (Approve / Decline, only that host can press them); the action runs only on Approve.
  Reassigning somebody else's meetings is admin-only (refused, not escalated).

Confirmation — destructive intents ask first with a reply saying exactly what will happen.
  Per intent: "always", "never", or "others" = when somebody other than the requester loses
  something (the host who stops being host, the co-host removed, the owner of reassigned
  meetings or of a cancelled handover). Defaults below; HOSTBOT_CONFIRM overrides them, e.g.
  HOSTBOT_CONFIRM="set_host=always,remove_cohost=never".

A pressed button re-runs the handler with ctx.resume set (see Dispatcher.handle_click):
  via "confirm" or "retry" counts as confirmed; via "approve" counts as the host's approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.core.events import ButtonStyle, Reply
from bot.core.identity import IdentityError, Person
from bot.core.outcome import VendorUser
from bot.core.vendor import Meeting

if TYPE_CHECKING:
    from bot.core.context import Context


class ConfirmMode(StrEnum):
    ALWAYS = "always"
    NEVER = "never"
    OTHERS = "others"


DEFAULT_CONFIRM: dict[str, ConfirmMode] = {
    "set_host": ConfirmMode.OTHERS,
    "remove_cohost": ConfirmMode.OTHERS,
    "reassign": ConfirmMode.ALWAYS,
    "cancel_handover": ConfirmMode.OTHERS,
    "schedule_handover": ConfirmMode.OTHERS,  # asked when scheduled: when due it runs as confirmed
}
CONFIRMED_VIA = {"confirm", "retry"}


class PolicyConfigError(ValueError):
    pass


def parse_confirm_modes(spec: str) -> dict[str, ConfirmMode]:
    """'set_host=always,reassign=never' -> the defaults with those overrides."""
    modes = dict(DEFAULT_CONFIRM)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, mode = part.partition("=")
        try:
            modes[name.strip()] = ConfirmMode(mode.strip().lower())
        except ValueError:
            raise PolicyConfigError(
                f"HOSTBOT_CONFIRM: {part!r} should be INTENT=always|never|others") from None
    return modes


@dataclass(frozen=True)
class PolicyConfig:
    admins: tuple[str, ...] = ()
    confirm: dict[str, ConfirmMode] = field(default_factory=lambda: dict(DEFAULT_CONFIRM))

    def is_admin(self, person: Person | None, chat_user: str) -> bool:
        admins = {a.lower() for a in self.admins}
        if chat_user.lower() in admins:
            return True
        return person is not None and bool(person.email) and person.email.lower() in admins


class Policy:
    def __init__(self, config: PolicyConfig) -> None:
        self.config = config

    async def gate(self, ctx: Context, meeting: Meeting | None, summary: str,
                   targets: Sequence[Person]) -> list[Reply] | None:
        """None = go ahead; else the replies to send instead (refusal, approval request, confirm)."""
        intent = ctx.intent.name
        speaker_id = ctx.message.user
        speaker = await self._speaker(ctx)
        resume = ctx.resume or {}
        approved = resume.get("via") == "approve"
        confirmed = approved or resume.get("via") in CONFIRMED_VIA
        admin = self.config.is_admin(speaker, speaker_id)

        # -- authorization ---------------------------------------------------------------
        if intent == "reassign":
            source = await self._source_person(ctx)
            if source is not None and source.chat_user != speaker_id and not admin:
                ctx.audit_decision("denied", detail="reassign_admin_only")
                return [Reply(ctx.t("policy_reassign_admin_only"))]
        elif meeting is not None and not (admin or approved or self._runs_meeting(speaker, meeting)):
            return await self._ask_host(ctx, meeting, summary)

        # -- confirmation ----------------------------------------------------------------
        mode = self.config.confirm.get(intent, ConfirmMode.NEVER)
        losers = await self._losers(ctx, meeting, targets)
        needed = mode is ConfirmMode.ALWAYS or (
            mode is ConfirmMode.OTHERS and any(p != speaker_id for p in losers))
        if needed and not confirmed:
            buttons = ctx.offer(intent, {**self._cas_payload(meeting), "kind": "confirm"},
                                ("confirm", "button_confirm", ButtonStyle.PRIMARY),
                                ("cancel", "button_cancel", ButtonStyle.DEFAULT))
            ctx.audit_decision("confirmation_asked")
            return [Reply(f"{summary}\n{ctx.t('policy_confirm_question')}", buttons=buttons)]
        if confirmed:
            ctx.audit_decision("approved" if approved else "confirmed",
                               detail=str(resume.get("clicked_by", "")))
        return None

    # ---- pieces ------------------------------------------------------------------------------
    @staticmethod
    async def _speaker(ctx: Context) -> Person | None:
        try:
            return await ctx.people.resolve(ctx.message.user, ctx.message.platform, ctx.message.user)
        except IdentityError:
            return None

    @staticmethod
    def _runs_meeting(person: Person | None, meeting: Meeting) -> bool:
        if person is None:
            return False
        mine = person.vendor_id(meeting.vendor)
        return bool(mine) and any(u is not None and u.id == mine for u in (meeting.host, meeting.organizer))

    @staticmethod
    def _cas_payload(meeting: Meeting | None) -> dict[str, Any]:
        """What the meeting looked like when we asked: the re-run uses it as CAS (old host)."""
        if meeting is None or meeting.host is None:
            return {}
        h = meeting.host
        return {"expected_host": {"id": h.id, "user_type": h.user_type, "name": h.name}}

    async def _source_person(self, ctx: Context) -> Person | None:
        ref = ctx.intent.from_user
        if not ref:
            return None
        try:
            return await ctx.people.resolve(ref, ctx.message.platform, ctx.message.user)
        except IdentityError:
            return None

    async def _losers(self, ctx: Context, meeting: Meeting | None, targets: Sequence[Person]) -> list[str]:
        """Chat users who lose something if this runs ('?' for somebody we cannot name)."""
        intent = ctx.intent.name
        if intent in ("set_host", "schedule_handover") and meeting is not None and meeting.host is not None:
            return [self._chat_user_of(ctx, meeting.vendor, meeting.host)]
        if intent == "remove_cohost":
            return [p.chat_user for p in targets]
        if intent == "reassign":
            source = await self._source_person(ctx)
            return [source.chat_user if source else "?"]
        if intent == "cancel_handover":
            return [str(ctx.extra.get("handover_owner", "?"))]
        return []

    @staticmethod
    def _chat_user_of(ctx: Context, vendor: str, user: VendorUser) -> str:
        row = ctx.people.chat_user_for(ctx.message.platform, vendor, user)
        return row or "?"

    async def _ask_host(self, ctx: Context, meeting: Meeting, summary: str) -> list[Reply]:
        host_chat = ctx.people.chat_user_for(ctx.message.platform, meeting.vendor, meeting.host) \
            if meeting.host else None
        if host_chat is None:
            ctx.audit_decision("denied", detail="host_unreachable")
            who = ctx.people.describe(meeting.vendor, meeting.host, ctx.message.platform)
            return [Reply(ctx.t("policy_host_unreachable", host=who))]
        host = ctx.people.describe_chat_user(ctx.message.platform, host_chat)
        requester = ctx.people.describe_chat_user(ctx.message.platform, ctx.message.user)
        buttons = ctx.offer(ctx.intent.name,
                            {**self._cas_payload(meeting), "kind": "approval", "on_behalf_of": ctx.message.user},
                            ("approve", "button_approve", ButtonStyle.PRIMARY),
                            ("decline", "button_decline", ButtonStyle.DANGER),
                            requester=host_chat)
        ctx.audit_decision("approval_requested", detail=host_chat)
        text = ctx.t("policy_approval_request", host=host, requester=requester, summary=summary)
        return [Reply(text, buttons=buttons, mention_users=(host_chat,))]
