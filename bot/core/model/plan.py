"""The Plan: what a handler proposes to change, before anybody decided whether it may happen.

A handler reads the world (people, the meeting as the VENDOR reports it) and returns a Plan; the
gate (bot/core/decide/policy.py) decides from the Plan alone; execute (bot/core/flow/execute.py) carries it
out; the Plan's `render` turns the Outcome into replies. Nothing in a Plan comes from names the
requester typed about authority: `meetings` are the vendor's answers, `losers` are derived from
them.

    Operation   what kind of change (the vendor method execute calls, or a change in our store)
    Authority   who may do it without asking somebody else
    Plan        one proposed change, complete enough to gate, execute and render
    Undo        what puts a done change back (the Undo button: bot/core/flow/undo.py)
    Expiry      a change that lasts a while: the change back, booked as a scheduled handover
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.core.model.events import Reply
from bot.core.model.outcome import Outcome, VendorUser
from bot.core.model.vendor import Meeting


class Operation(StrEnum):
    """Every change hostbot can make. The first five are vendor calls; the rest change our store."""

    SET_HOST = "set_host"
    ADD_COHOST = "add_cohost"
    REMOVE_COHOST = "remove_cohost"
    INVITE = "invite"
    REASSIGN = "reassign"
    LINK = "link_meeting"
    SCHEDULE_HANDOVER = "schedule_handover"
    CANCEL_HANDOVER = "cancel_handover"
    HANDOVER_NOW = "handover_now"
    SNOOZE_HANDOVER = "snooze_handover"

    @property
    def calls_vendor(self) -> bool:
        return self in VENDOR_OPERATIONS


VENDOR_OPERATIONS = frozenset({Operation.SET_HOST, Operation.ADD_COHOST, Operation.REMOVE_COHOST,
                               Operation.INVITE, Operation.REASSIGN})


class Authority(StrEnum):
    """Who may go ahead without anybody else's approval (admins always may)."""

    MEETING = "meeting"  # the host or organizer the vendor reports for every meeting in the plan
    ADMIN = "admin"  # admins only: anybody else is refused
    HOST_OR_ADMIN = "host_or_admin"  # the host/organizer of every meeting, or an admin; nobody is asked
    OWNER = "owner"  # the plan's owners (chat users), or the host/organizer of its meeting
    SPEAKER = "speaker"  # anybody, for what is theirs alone (nobody else loses anything)


class ConfirmMode(StrEnum):
    ALWAYS = "always"
    NEVER = "never"
    OTHERS = "others"  # when somebody other than the requester loses something


@dataclass(frozen=True)
class Undo:
    """What puts a change back once it is done: `restore` (the previous host, the co-hosts removed)
    and `made` (the host hostbot made: the expected host of the undo, its CAS; the co-hosts added).
    `pressers` may press Undo besides the requester, whoever approved and admins: the host who lost
    the role, never the people only named in the change (the new host, the co-hosts).
    handlers/undo.py plans the inverse of the plan's operation from it."""

    restore: tuple[VendorUser, ...]
    made: tuple[VendorUser, ...] = ()
    pressers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expiry:
    """A change that lasts until `at` ("make @bob co-host for 30 minutes"). `book` stores the change back
    (a pending scheduled handover: bot/scheduling) before the vendor is called, so that no crash leaves the
    change permanent, and returns its id; `drop` cancels it when the change was not made (refused, or
    nothing to change). The summary shown says the end: one confirmation or approval covers both."""

    at: datetime
    book: Callable[[], Awaitable[int]]
    drop: Callable[[int], Awaitable[None]]


Render = Callable[[Outcome], Awaitable[list[Reply]]]
Apply = Callable[[], Awaitable[Outcome]]


@dataclass(frozen=True)
class Plan:
    """One proposed change.

    `expected_host` is the host seen when the plan was made: the vendor call uses it as CAS and a
    confirmation carries it, so that a click after the host moved changes nothing.
    `losers` are the chat users who lose something, `losing_users` those known only by their vendor
    id (the host being replaced): the speaker is one of them when the vendor id is theirs.
    `apply` does the change for operations that only touch our store (link, handovers).
    """

    operation: Operation
    summary: str
    render: Render
    authority: Authority | None = None  # None: the intent's declared authority
    vendor: str = ""
    meetings: tuple[Meeting, ...] = ()
    users: tuple[VendorUser, ...] = ()
    actor: VendorUser | None = None  # invite: the requester, whose own authorization the vendor needs
    expected_host: VendorUser | None = None
    losers: tuple[str, ...] = ()  # chat users who lose something
    losing_users: tuple[VendorUser, ...] = ()  # vendor users who lose something (the host replaced)
    owners: tuple[str, ...] = ()  # Authority.OWNER: who owns what this changes
    apply: Apply | None = None
    progress_key: str = ""  # long work: the progress message's key ("progress_invite")
    audit_ids: str = ""  # what the audit row names as the vendor ids acted on
    cas_from_resume: bool = field(default=False, compare=False)
    undo: Undo | None = None  # once done, it can be undone this way (an Undo button is offered)
    undoes: str = ""  # this plan carries out the Undo with this id (audited as an undo; no Undo of its own)
    targets: tuple[str, ...] = ()  # the chat users `users` are (a bound plan re-plans from them: model/bound.py)
    handover: int = 0  # the scheduled handover this plan runs or changes (its id)
    shown_only: tuple[Meeting, ...] = ()  # shown but not changed (a reassign's series in progress: skipped)
    expiry: Expiry | None = None  # the change lasts until expiry.at, then a scheduled handover puts it back

    @property
    def meeting(self) -> Meeting | None:
        return self.meetings[0] if self.meetings else None
