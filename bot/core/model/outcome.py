"""Outcome: every vendor answer as a value (never an exception), one shape for all vendors.

    Outcome
     ├─ OK            done
     ├─ CONFLICT      the state moved under us (e.g. host changed): `current_host` says what it is now
     ├─ PARTIAL       a batch where some items failed: `items` holds each item's result
     ├─ RATE_LIMITED  the vendor asked us to slow down: `retry_after` seconds
     ├─ DENIED        not allowed: `reason` says why, `remedy` says who must do what
     ├─ INVALID       the request cannot work as asked (meeting not running, target not in it, ...)
     ├─ NOT_FOUND     the meeting or user does not exist at the vendor
     ├─ UNAVAILABLE   the vendor failed (5xx, timeout, garbage) before acting: try again later
     └─ UNKNOWN       a change was sent but its answer was lost (5xx, timeout, reset) and reading the
                      vendor's state back could not tell whether it happened: check before asking again

A change whose answer was lost is never simply repeated (bot/vendors/calls.py): the vendor reads its
state back and acts only on what did not happen; `answer_lost` is then True, and `resent` lists what
had to be sent again (see bot/vendors/calls.py).

Besides the kind, an Outcome carries typed facts that some answers add (who_is_host's co-hosts, a
batch's skipped items, where a meeting lookup ended, how the audit row names a change in our store).

`reason` and `remedy` are message keys of bot/i18n/, so the same Outcome renders in en and zh.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    OK = "ok"
    CONFLICT = "conflict"
    PARTIAL = "partial"
    RATE_LIMITED = "rate_limited"
    DENIED = "denied"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"  # sent, but the answer was lost: whether it happened is not known


@dataclass(frozen=True)
class VendorUser:
    """A user as a vendor names them (Feishu open_id + user_type, an email, a DingTalk unionId)."""

    id: str
    user_type: int = 1  # Feishu: 1 = Lark user; other vendors ignore it
    name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "user_type": self.user_type, "name": self.name}

    @classmethod
    def from_json(cls, data: object) -> VendorUser | None:
        """The stored form back (proposals, handover rows); None for anything that is not one."""
        if not isinstance(data, dict) or not data.get("id"):
            return None
        try:
            user_type = int(data.get("user_type", 1))
        except (TypeError, ValueError):
            user_type = 1
        return cls(str(data["id"]), user_type, str(data.get("name") or ""))


@dataclass(frozen=True)
class ItemResult:
    """One item of a batch (an invitee, a meeting) and how it went."""

    item: str
    ok: bool
    reason: str = ""  # i18n key or the vendor's own description
    detail: str = ""


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    reason: str = ""  # i18n key: why (for anything but OK)
    remedy: str = ""  # i18n key: what to do next
    vendor_code: str = ""  # the vendor's own code, for audit and for the curious
    current_host: VendorUser | None = None
    items: tuple[ItemResult, ...] = ()
    retry_after: float | None = None
    detail: str = ""  # the vendor's message, untranslated
    # Facts some answers add:
    answer_lost: bool = False  # the first answer was lost and the vendor's state was read back
    resent: tuple[str, ...] = ()  # ... and these items had to be sent again (what had not happened)
    http_status: int = 0  # ... and the first answer's HTTP status, when there was one (a 5xx is not a lost answer)
    unchanged: bool = False  # nothing to do: the state already was as asked
    cohosts: tuple[str, ...] = ()  # the co-hosts now (vendor ids), where the vendor says
    not_held: tuple[str, ...] = ()  # a co-host change read back: whom it did not reach (vendor ids)
    organizer: str = ""  # who_is_host: the organizer, when the vendor names one
    ended: bool = False  # who_is_host: the meeting is over
    creator_only: bool = False  # who_is_host: the vendor reports the creator, not the host (DingTalk)
    cohost_instead: bool = False  # Zoom: the person could be made an alternative host instead
    candidates: tuple[str, ...] = ()  # a meeting number that matched several meetings: their ids
    authorize_url: str = ""  # a DENIED for a missing user grant: the link to grant it
    op: str = ""  # op_not_supported: which operation
    skipped: tuple[ItemResult, ...] = ()  # a batch's items not attempted (reason = message key)
    # Where the answer is about, and how the audit names a change made in our own store:
    vendor: str = ""  # the vendor a meeting lookup ended at ("" when none)
    meeting: str = ""  # that meeting as people read it
    searched: tuple[str, ...] = ()  # a meeting found nowhere: the vendors asked
    handover_id: int | None = None
    audit: str = ""  # the audit row's outcome word when not the kind ("scheduled", "cancelled")
    audit_detail: str = ""
    audited: bool = False  # its audit row was written with the change it reports (one transaction)

    @property
    def ok(self) -> bool:
        return self.kind is Kind.OK

    @classmethod
    def success(cls, **kw: Any) -> Outcome:
        return cls(Kind.OK, **kw)

    @classmethod
    def conflict(cls, current_host: VendorUser | None, **kw: Any) -> Outcome:
        return cls(Kind.CONFLICT, reason=kw.pop("reason", "host_changed"), current_host=current_host, **kw)

    @classmethod
    def unavailable(cls, reason: str = "vendor_unavailable", **kw: Any) -> Outcome:
        return cls(Kind.UNAVAILABLE, reason=reason, **kw)

    @classmethod
    def unknown(cls, reason: str = "vendor_answer_lost", **kw: Any) -> Outcome:
        """A change was sent and its answer lost, and the vendor's state could not be read back."""
        return cls(Kind.UNKNOWN, reason=reason, remedy=kw.pop("remedy", "remedy_check_then_retry"), **kw)

    @classmethod
    def from_items(cls, items: list[ItemResult] | tuple[ItemResult, ...], **kw: Any) -> Outcome:
        """OK when every item went through, else PARTIAL listing each item (failures included)."""
        items = tuple(items)
        if all(i.ok for i in items):
            return cls(Kind.OK, items=items, **kw)
        return cls(Kind.PARTIAL, items=items, reason=kw.pop("reason", "some_items_failed"), **kw)
