"""The MeetingVendor interface every vendor implements (bot/vendors/), and the meeting values they exchange.

Handlers, the gate and the adapters see a vendor as a MeetingReader (find, read, list: nothing that
changes a meeting); only bot/core/flow/execute.py turns one back into the MeetingVendor that can change it,
so a handler calling set_host, add_cohost, ... does not type-check (tests/core/test_execute_only.py)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from bot.core.model.outcome import Kind, Outcome, VendorUser

# Told after each chunk of a batch (invite, reassign) how many items are done so far: the progress
# message of long work (bot/core/answer/progress.py). Awaited, so updates show in order.
ChunkDone = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class MeetingRef:
    """A meeting as somebody named it: an id, a number or a link, maybe with the vendor said."""

    vendor: str | None
    id: str

    def to_json(self) -> dict[str, Any]:
        return {"vendor": self.vendor, "id": self.id}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> MeetingRef | None:
        if not data:
            return None
        return cls(vendor=data.get("vendor"), id=str(data["id"]))


@dataclass(frozen=True)
class Meeting:
    """A meeting the vendor confirmed exists, with what it reports now."""

    vendor: str
    id: str  # the vendor's id for API calls
    display: str  # what people recognise (a meeting number, grouped for reading)
    topic: str = ""
    host: VendorUser | None = None
    in_progress: bool = True
    organizer: VendorUser | None = None  # who owns/scheduled it, when the vendor says (policy: may act)
    ended: bool = False  # the vendor reports it over (who_is_host says "ended")
    site: str = ""  # Webex: the site it belongs to (reassignHost is sent per site)

    def to_json(self) -> dict[str, Any]:
        return {"vendor": self.vendor, "id": self.id, "display": self.display, "topic": self.topic}


def group_digits(number: str) -> str:
    """'123456789' -> '123 456 789', the way Feishu prints its 9-digit numbers (and our default)."""
    if re.fullmatch(r"\d{9,11}", number):
        return " ".join(number[i:i + 3] for i in range(0, len(number), 3))
    return number


def plain_number(text: str) -> str:
    """A meeting number as people copy it ("2820 653 693", "850-1234-5678") -> its digits, else `text`."""
    digits = re.sub(r"[\s-]", "", text)
    return digits if digits.isdigit() else text


def unsupported(op: str) -> Outcome:
    """The answer of a vendor that has no API for `op` (e.g. DingTalk cannot transfer the host)."""
    return Outcome(Kind.INVALID, reason="op_not_supported", remedy="remedy_op_in_client", op=op)


class MeetingReader(Protocol):
    """What a vendor is to everybody but execute: what it is, can do, and the meetings it reads."""

    @property
    def key(self) -> str: ...
    @property
    def host_change_needs_running(self) -> bool: ...
    @property
    def host_change_notice(self) -> str: ...
    @property
    def reports_cohosts(self) -> bool: ...
    @property
    def atomic_changes(self) -> bool: ...

    def supports(self, op: str) -> bool: ...

    def claims(self, ref: MeetingRef) -> bool: ...

    def display_ref(self, ref_id: str) -> str: ...

    async def find_meeting(self, ref: MeetingRef) -> Meeting | Outcome: ...

    async def who_is_host(self, meeting: Meeting) -> Outcome: ...

    async def precheck(self, op: str, meeting: Meeting, users: Sequence[VendorUser],
                       actor: VendorUser | None) -> Outcome | None: ...

    async def running_meetings(self, host: VendorUser) -> list[str] | Outcome: ...

    async def list_host_meetings(self, host: VendorUser) -> list[Meeting] | Outcome: ...


class MeetingVendor(ABC):
    """One vendor's host operations. Implementations never raise for a vendor's answer.

    Besides the three abstract methods, a vendor overrides the operations it has and lists them
    in `operations`; the others answer `unsupported(op)`, which handlers turn into a clear reply.
    """

    key: ClassVar[str]
    operations: ClassVar[frozenset[str]] = frozenset({"set_host", "who_is_host"})
    # Must the meeting be running when the host changes? (Feishu: yes, 122001. Zoom and Webex change
    # scheduled meetings, and refuse started ones.) A scheduled handover reads it (handlers/handover.py).
    host_change_needs_running: ClassVar[bool] = False
    # i18n key of what else the vendor does when the host changes, for the confirmation ("" = nothing).
    host_change_notice: ClassVar[str] = ""
    # Does who_is_host report the co-hosts (Zoom's alternative hosts)? A bound co-host plan then
    # remembers them and a click compares (bot/core/model/bound.py).
    reports_cohosts: ClassVar[bool] = False
    # Is each change atomic at the vendor (a compare-and-swap: Feishu set_host's old host)? If not,
    # execute serializes changes per meeting across replicas and reads them back (bot/core/flow/execute.py).
    atomic_changes: ClassVar[bool] = False

    def supports(self, op: str) -> bool:
        return op in self.operations

    @abstractmethod
    def claims(self, ref: MeetingRef) -> bool:
        """Could `ref.id` name one of this vendor's meetings (by its form alone)?"""

    def display_ref(self, ref_id: str) -> str:
        """How this vendor's apps print a meeting id or number someone gave (replies before a lookup)."""
        return group_digits(plain_number(ref_id))

    @abstractmethod
    async def find_meeting(self, ref: MeetingRef) -> Meeting | Outcome:
        """Look the meeting up: a Meeting, or an Outcome saying why not (not found, ambiguous, ...)."""

    @abstractmethod
    async def set_host(self, meeting: Meeting, target: VendorUser, expected_host: VendorUser | None) -> Outcome:
        """Make `target` host. `expected_host` is who we believe hosts now (CAS where supported)."""

    async def add_cohost(self, meeting: Meeting, users: Sequence[VendorUser]) -> Outcome:
        """Make `users` co-hosts (DingTalk co-hosts, Zoom alternative hosts), keeping the others."""
        return unsupported("add_cohost")

    async def remove_cohost(self, meeting: Meeting, users: Sequence[VendorUser]) -> Outcome:
        """Take the co-host role away from `users`, keeping the others."""
        return unsupported("remove_cohost")

    async def invite(self, meeting: Meeting, users: Sequence[VendorUser], actor: VendorUser | None,
                     progress: ChunkDone | None = None) -> Outcome:
        """Call `users` into the meeting on behalf of `actor` (the requester, as this vendor names them).

        OK or PARTIAL with one ItemResult per invitee (item = the invitee's vendor id); `progress` is
        awaited after each chunk with the number of invitees done.
        """
        return unsupported("invite")

    async def reassign(self, new_host: VendorUser, meeting_ids: Sequence[str],
                       progress: ChunkDone | None = None) -> Outcome:
        """Give `new_host` every meeting in `meeting_ids` (Webex series), as an admin.

        OK or PARTIAL with one ItemResult per meeting (item = the meeting id); `progress` is awaited
        after each chunk with the number of meetings done.
        """
        return unsupported("reassign")

    async def who_is_host(self, meeting: Meeting) -> Outcome:
        """OK with `current_host` as the vendor reports it now (it may add `cohosts`, `organizer`, and
        `ended` for a meeting that is over)."""
        found = await self.find_meeting(MeetingRef(self.key, meeting.id))
        if isinstance(found, Outcome):
            return found
        return Outcome.success(current_host=found.host, organizer=found.organizer.id if found.organizer else "",
                               ended=found.ended)

    async def read_back(self, meeting: Meeting) -> Outcome:
        """What the vendor holds after a change (host; `cohosts` where it reports them), for the reply."""
        return await self.who_is_host(meeting)

    async def precheck(self, op: str, meeting: Meeting, users: Sequence[VendorUser],
                       actor: VendorUser | None) -> Outcome | None:
        """What can be known before anybody is asked to confirm or approve `op` (read-only): None
        when nothing stands in the way, else the Outcome the vendor call would end with."""
        return None

    async def running_meetings(self, host: VendorUser) -> list[str] | Outcome:
        """The ids of the meetings `host` runs right now, as the vendor lists them ("this meeting" when
        nothing names one: bot/core/world/running.py reads each back before it is used)."""
        return unsupported("running_meetings")

    async def list_host_meetings(self, host: VendorUser) -> list[Meeting] | Outcome:
        """Every meeting (series) `host` hosts, for "reassign all of @dave's meetings"."""
        return unsupported("list_host_meetings")

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
