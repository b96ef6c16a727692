"""Bound plans: what a person was shown, stored, so that a click runs exactly that.

    PlanSpec.of(plan, ...)   the serializable form of a Plan as shown: operation, vendor, the exact
                             meetings (ids, the number as shown) with the vendor state assumed (host;
                             co-hosts where the vendor reports them), the targets (chat users and
                             their vendor ids), every series of a reassign, the summary, the
                             requester and who may press
    bind(intent, spec)       the stored request with its meetings and targets pinned to the plan's:
                             the handler re-plans from them, never from a thread link, text or a list

Re-reading a bound plan from the vendor and comparing it with the world now is bot/core/world/recheck.py
(it needs the Context; this module is vocabulary the Context itself holds).

A proposal (confirm, approve, retry, "add as co-host instead"), a "did you mean" (its meeting) and a
scheduled handover carry one; a stored row from before bound plans has none and is answered "expired,
ask again" (bot/core/flow/dispatch.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.core.model.intent import Intent
from bot.core.model.outcome import VendorUser
from bot.core.model.plan import Operation, Plan
from bot.core.model.vendor import Meeting, MeetingRef

COHOST_OPERATIONS = frozenset({Operation.ADD_COHOST.value, Operation.REMOVE_COHOST.value})


def _user(data: object) -> VendorUser | None:
    return VendorUser.from_json(data)


@dataclass(frozen=True)
class Assumed:
    """One meeting of a plan, as the vendor reported it when the plan was shown."""

    vendor: str
    id: str
    display: str
    host: VendorUser | None = None
    cohosts: tuple[str, ...] | None = None  # None: not read (the vendor does not report them, or no need)

    @classmethod
    def of(cls, meeting: Meeting, cohosts: Sequence[str] | None = None) -> Assumed:
        return cls(meeting.vendor, meeting.id, meeting.display, meeting.host,
                   tuple(cohosts) if cohosts is not None else None)

    @property
    def ref(self) -> MeetingRef:
        return MeetingRef(self.vendor, self.id)

    def to_json(self) -> dict[str, Any]:
        return {"vendor": self.vendor, "id": self.id, "display": self.display,
                "host": self.host.to_json() if self.host else None,
                "cohosts": list(self.cohosts) if self.cohosts is not None else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Assumed:
        cohosts = data.get("cohosts")
        return cls(str(data["vendor"]), str(data["id"]), str(data.get("display") or data["id"]),
                   _user(data.get("host")), tuple(str(c) for c in cohosts) if isinstance(cohosts, list) else None)


@dataclass(frozen=True)
class PlanSpec:
    """A Plan as it was shown, in a form that survives a restart and another replica."""

    operation: str
    vendor: str
    meetings: tuple[Assumed, ...]
    users: tuple[VendorUser, ...] = ()
    targets: tuple[str, ...] = ()  # the chat users the plan acts on (same order as `users`)
    expected_host: VendorUser | None = None
    summary: str = ""
    requester: str = ""
    pressers: tuple[str, ...] = ()
    handover: int = 0  # a scheduled handover's id (its plan, or the handover a reminder button acts on)
    shown_only: tuple[Assumed, ...] = ()  # shown, not changed: a reassign's series in progress (reported skipped)
    until: str = ""  # an expiring change: when it is put back (ISO), as the summary said
    owners: tuple[str, ...] = ()  # a change back: who allowed it with the change (it runs as theirs)

    @classmethod
    def of(cls, plan: Plan, requester: str, pressers: Sequence[str] = (),
           cohosts: Sequence[str] | None = None) -> PlanSpec:
        return cls(plan.operation.value, plan.vendor, tuple(Assumed.of(m, cohosts) for m in plan.meetings),
                   plan.users, plan.targets, plan.expected_host, plan.summary, requester, tuple(pressers),
                   plan.handover, tuple(Assumed.of(m) for m in plan.shown_only),
                   plan.expiry.at.isoformat() if plan.expiry is not None else "")

    @property
    def refs(self) -> tuple[MeetingRef, ...]:
        return tuple(m.ref for m in self.meetings)

    def to_json(self) -> dict[str, Any]:
        return {"operation": self.operation, "vendor": self.vendor, "meetings": [m.to_json() for m in self.meetings],
                "users": [u.to_json() for u in self.users], "targets": list(self.targets),
                "expected_host": self.expected_host.to_json() if self.expected_host else None,
                "summary": self.summary, "requester": self.requester, "pressers": list(self.pressers),
                "handover": self.handover, "shown_only": [m.to_json() for m in self.shown_only],
                "until": self.until, "owners": list(self.owners)}

    @classmethod
    def from_json(cls, data: object) -> PlanSpec | None:
        """The stored form back; None for anything that is not one (a row from before bound plans)."""
        if not isinstance(data, dict) or not isinstance(data.get("meetings"), list):
            return None
        try:
            return cls(str(data["operation"]), str(data.get("vendor") or ""),
                       tuple(Assumed.from_json(m) for m in data["meetings"]),
                       tuple(u for u in map(_user, data.get("users") or ()) if u is not None),
                       tuple(str(t) for t in data.get("targets") or ()), _user(data.get("expected_host")),
                       str(data.get("summary") or ""), str(data.get("requester") or ""),
                       tuple(str(p) for p in data.get("pressers") or ()), int(data.get("handover") or 0),
                       tuple(Assumed.from_json(m) for m in data.get("shown_only") or ()),
                       str(data.get("until") or ""), tuple(str(o) for o in data.get("owners") or ()))
        except (AttributeError, KeyError, TypeError, ValueError):  # a row of another shape: never run it
            return None


def bind(intent: Intent, spec: PlanSpec) -> Intent:
    """`intent` with what the plan resolved put in place of what the words said: the exact meetings
    (every series of a reassign, no "all of dave's meetings" listed again), the targets as chat users,
    the handover by id. The handler plans from these; a thread link is never read."""
    bound = replace(intent, targets=spec.targets or intent.targets, handover_id=f"#{spec.handover}"
                    if spec.handover else intent.handover_id)
    if spec.operation == Operation.REASSIGN.value:
        shown = (*spec.meetings, *spec.shown_only)  # read again, so that the skipped are reported again
        return replace(bound, meetings=tuple(m.ref for m in shown), meeting=None, every=False)
    if spec.operation == Operation.LINK.value:  # its meetings are the linked one (whose host approves);
        return bound  # the meeting to link is always named in its words, never "this meeting"
    if spec.meetings:
        return replace(bound, meeting=spec.meetings[0].ref, meetings=())
    return bound
