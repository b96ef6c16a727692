"""Identity: from a chat user (a mention, a name, "me") to a Person with per-vendor ids.

Explicit mappings in the store always win. A Person's id for a vendor is what that vendor wants:
Feishu open_id (per app!), DingTalk unionId, Webex and Zoom email. Failures are IdentityError,
whose key and values render straight into a reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.intents import ME
from bot.outcome import VendorUser
from bot.store import VENDOR_ID_COLUMNS, Store

# Vendors that identify people by email fall back to the person's chat email.
EMAIL_VENDORS = ("webex", "zoom")


class IdentityError(Exception):
    """Who was meant cannot be settled; `key` is an i18n message, `values` fill it."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Person:
    platform: str
    chat_user: str
    name: str = ""
    email: str = ""
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return f"@{self.name or self.chat_user}"

    def vendor_id(self, vendor: str) -> str:
        found = self.ids.get(vendor, "")
        if not found and vendor in EMAIL_VENDORS:
            return self.email
        return found


def _person(row: dict[str, str]) -> Person:
    ids = {vendor: row.get(col) or "" for vendor, col in VENDOR_ID_COLUMNS.items()}
    return Person(platform=row["platform"], chat_user=row["chat_user"], name=row.get("name") or "",
                  email=row.get("email") or "", ids={k: v for k, v in ids.items() if v})


class IdentityResolver:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def resolve(self, ref: str, platform: str, speaker: str) -> Person:
        """Resolve a parser ref ("me", "@name", a platform user id) said by `speaker` on `platform`."""
        if ref == ME:
            ref = speaker
        if ref.startswith("@"):
            name = ref[1:]
            rows = self.store.people_named(platform, name)
            if not rows:
                raise IdentityError("unknown_user", who=ref)
            if len(rows) > 1:
                raise IdentityError("ambiguous_user", who=ref,
                                    candidates=", ".join(f"@{r['chat_user']}" for r in rows))
            return _person(rows[0])
        row = self.store.person(platform, ref)
        if row is None:
            raise IdentityError("unknown_user", who=f"@{ref}")
        return _person(row)

    def vendor_user(self, person: Person, vendor: str) -> VendorUser:
        vid = person.vendor_id(vendor)
        if not vid:
            raise IdentityError("no_vendor_id", who=person.display, vendor=vendor, chat_user=person.chat_user)
        return VendorUser(vid, name=person.name or person.chat_user)

    def chat_user_for(self, platform: str, vendor: str, user: VendorUser | None) -> str | None:
        """The chat user on `platform` whose `vendor` id is `user` (reverse mapping), if we know one."""
        column = VENDOR_ID_COLUMNS.get(vendor)
        if user is None or column is None:
            return None
        rows = list(self.store.db["people"].rows_where(f"platform = ? AND {column} = ?", [platform, user.id], limit=1))
        if rows:
            return str(rows[0]["chat_user"])
        if vendor in EMAIL_VENDORS:
            rows = list(self.store.db["people"].rows_where("platform = ? AND lower(email) = lower(?)",
                                                           [platform, user.id], limit=1))
            return str(rows[0]["chat_user"]) if rows else None
        return None

    def describe_chat_user(self, platform: str, chat_user: str) -> str:
        row = self.store.person(platform, chat_user)
        return f"@{row.get('name') or chat_user}" if row else f"@{chat_user}"

    def describe(self, vendor: str, user: VendorUser | None) -> str:
        """A vendor user as people know them: @name when we know who it is, else the raw id."""
        if user is None:
            return "?"
        row = self.store.person_by_vendor_id(vendor, user.id) if vendor in VENDOR_ID_COLUMNS else None
        if row is not None:
            return f"@{row.get('name') or row['chat_user']}"
        return user.name or user.id
