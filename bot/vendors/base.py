"""The MeetingVendor interface every vendor implements, and the meeting values they exchange."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.outcome import Outcome, VendorUser

VENDOR_KEYS = ("feishu", "zoom", "webex", "dingtalk")


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

    def to_json(self) -> dict[str, Any]:
        return {"vendor": self.vendor, "id": self.id, "display": self.display, "topic": self.topic}


def group_digits(number: str) -> str:
    """'123456789' -> '123 456 789', the way meeting apps print numbers."""
    if re.fullmatch(r"\d{9,11}", number):
        return " ".join(number[i:i + 3] for i in range(0, len(number), 3))
    return number


class MeetingVendor(ABC):
    """One vendor's host operations. Implementations never raise for a vendor's answer."""

    key: ClassVar[str]
    id_kind: ClassVar[str] = "open_id"  # which person id the vendor wants (see identity)

    @abstractmethod
    def claims(self, ref: MeetingRef) -> bool:
        """Could `ref.id` name one of this vendor's meetings (by its form alone)?"""

    @abstractmethod
    async def find_meeting(self, ref: MeetingRef) -> Meeting | Outcome:
        """Look the meeting up: a Meeting, or an Outcome saying why not (not found, ambiguous, ...)."""

    @abstractmethod
    async def set_host(self, meeting: Meeting, target: VendorUser, expected_host: VendorUser | None) -> Outcome:
        """Make `target` host. `expected_host` is who we believe hosts now (CAS where supported)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
