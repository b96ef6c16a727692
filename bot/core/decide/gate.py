"""The gate: may this speaker carry out this Plan now, and should we ask first? A pure function.

    decide(plan, speaker, confirm, approval) -> Decision

    Decision
     ├─ ALLOW      go ahead (execute)
     ├─ CONFIRM    show the summary with Confirm / Cancel, bound to the speaker
     ├─ ASK_HOST   send the summary to the meeting's current host (Approve / Decline, theirs only)
     └─ DENY       refuse; `reason` is the message key

Authorization comes from the Plan's meetings as the vendor reported them (host, organizer) and
from the settings (admins), never from what the requester typed. Confirmation follows the
intent's ConfirmMode (declared with the intent, overridable by HOSTBOT_CONFIRM). No I/O here:
bot/core/flow/pipeline.py gathers the inputs, this decides, and the table test needs nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.model.outcome import VendorUser
from bot.core.model.plan import Authority, ConfirmMode, Plan
from bot.core.model.vendor import Meeting


class Verdict(StrEnum):
    ALLOW = "allow"
    CONFIRM = "confirm"
    ASK_HOST = "ask_host"
    DENY = "deny"


@dataclass(frozen=True)
class Speaker:
    """Who asked: their chat id, their id at each vendor (as far as known), and whether an admin."""

    chat_user: str
    vendor_ids: Mapping[str, str] = field(default_factory=dict)
    admin: bool = False

    def runs(self, meeting: Meeting) -> bool:
        """The vendor reports this speaker as the meeting's host or organizer."""
        mine = self.vendor_ids.get(meeting.vendor, "")
        return bool(mine) and any(
            u is not None and _same(u.id, mine) for u in (meeting.host, meeting.organizer))


class Consent(StrEnum):
    """What a click has already settled for this plan."""

    NONE = "none"
    CONFIRMED = "confirmed"  # the speaker confirmed (Confirm or Retry)
    APPROVED = "approved"  # the meeting's host approved the speaker's request


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str = ""  # DENY: the message key; else what the audit row says
    host: VendorUser | None = None  # ASK_HOST: whom to ask

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOW


def decide(plan: Plan, speaker: Speaker, confirm: ConfirmMode, approval: Consent = Consent.NONE,
           approver: Speaker | None = None) -> Decision:
    """The gate. Authorization first, then confirmation.

    An approval counts only while the approver still runs every meeting of the plan (or is an
    admin): a click after the host changed goes to the new host instead.
    """
    refused = _authorize(plan, speaker, approval, approver)
    if refused is not None:
        return refused
    if approval is not Consent.NONE:
        return Decision(Verdict.ALLOW, reason=approval.value)
    needed = confirm is ConfirmMode.ALWAYS or (confirm is ConfirmMode.OTHERS and _others_lose(plan, speaker))
    if needed:
        return Decision(Verdict.CONFIRM, reason="confirmation_asked")
    return Decision(Verdict.ALLOW, reason="allowed")


def _authorize(plan: Plan, speaker: Speaker, approval: Consent, approver: Speaker | None) -> Decision | None:
    if speaker.admin:
        return None
    authority = plan.authority or Authority.MEETING
    if authority is Authority.SPEAKER:
        return None
    if authority is Authority.ADMIN:
        return Decision(Verdict.DENY, reason="policy_reassign_admin_only")
    runs_all = bool(plan.meetings) and all(speaker.runs(m) for m in plan.meetings)
    if authority is Authority.OWNER and (speaker.chat_user in plan.owners or runs_all or not plan.owners):
        return None
    if authority is Authority.MEETING and (runs_all or not plan.meetings):
        return None
    if authority is Authority.HOST_OR_ADMIN:
        return None if runs_all else Decision(Verdict.DENY, reason="policy_reassign_admin_only")
    if approval is Consent.APPROVED and approver is not None and (
            approver.admin or (bool(plan.meetings) and all(approver.runs(m) for m in plan.meetings))):
        return None
    hosts = {m.host.id.lower(): m.host for m in plan.meetings if m.host is not None}
    if len(hosts) == 1:
        return Decision(Verdict.ASK_HOST, reason="approval_requested", host=next(iter(hosts.values())))
    return Decision(Verdict.DENY, reason="policy_host_unreachable" if not hosts else "policy_reassign_admin_only")


def _others_lose(plan: Plan, speaker: Speaker) -> bool:
    mine = speaker.vendor_ids.get(plan.vendor, "")
    return any(p != speaker.chat_user for p in plan.losers) or any(
        not (mine and _same(u.id, mine)) for u in plan.losing_users)


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()
