"""Identity: from a chat user (a mention, a name, "me") to a Person with per-vendor ids.

A Person is a merge, field by field:
  1. what was looked up: a cached profile row (source="profile") younger than the TTL, else the
     chat platform's profile (Slack users.info; Feishu contact user) and the lookups that need it
     (Feishu batch_get_id by email, for people who chat on Slack), cached as a source="profile"
     row. A profile whose email is hidden (missing scope) is not cached, so that granting the
     scope takes effect at once;
  2. over it, an admin's mappings (`hostbot users set/import`, table `mappings`): each overrides
     exactly the field it sets, and "-" pins "no id for this vendor". A person mapped for one
     vendor keeps every other id the lookups give.
Reverse identity (`find_chat_user`): from a vendor user (the host the vendor reports) to the chat
user on the requesting platform: mappings, the cache, then lookups (Feishu contact open_id ->
email, Slack users.lookupByEmail), so that a host hostbot never met can still be asked.
A Person's id for a vendor is what that vendor wants: Feishu open_id (per app! see profiles.py),
DingTalk unionId (only from a mapping: no email lookup yields it), Webex and Zoom email.
Failures are IdentityError, whose key and values render straight into a reply.
Requests that look up the same person at the same time share one lookup (bot/core/identity/shared.py).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.identity.profiles import PLATFORM_NAMES, EmailDirectory, Profile, ProfileSource
from bot.core.identity.shared import Aside, Shared
from bot.core.model.errors import IdentityError
from bot.core.model.events import ME, neutral_mention
from bot.core.model.outcome import VendorUser
from bot.store import VENDOR_ID_COLUMNS, AsyncStore

__all__ = ["EMAIL_VENDORS", "IdentityError", "IdentityResolver", "Person"]

# Vendors that identify people by email fall back to the person's chat email.
EMAIL_VENDORS = ("webex", "zoom")
# Vendors whose ids no lookup yields: only an admin's mapping has them.
MAPPING_ONLY_VENDORS = ("dingtalk",)
DEFAULT_TTL = timedelta(hours=12)
VENDOR_OF_COLUMN = {column: vendor for vendor, column in VENDOR_ID_COLUMNS.items()}


@dataclass(frozen=True)
class Person:
    platform: str
    chat_user: str
    name: str = ""
    email: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    source: str = "mapping"  # "mapping" | "profile" | "event" (only what the chat event told us)
    email_scope: str = ""  # the scope whose absence hid the email from us
    tz: str = ""
    locale: str = ""
    problems: dict[str, IdentityError] = field(default_factory=dict, compare=False)  # vendor -> why no id
    mapped: frozenset[str] = frozenset()  # vendors (and "email") whose value an admin set
    pinned: frozenset[str] = frozenset()  # vendors an admin pinned to "no id"

    @property
    def display(self) -> str:
        return mention(self.chat_user, self.name)

    def vendor_id(self, vendor: str) -> str:
        if vendor in self.pinned:
            return ""
        found = self.ids.get(vendor, "")
        if not found and vendor in EMAIL_VENDORS:
            return self.email
        return found

    def source_of(self, vendor: str) -> str:
        """Where this person's id for `vendor` came from: mapping, profile, event, email, or ''."""
        if vendor in self.pinned or vendor in self.mapped:
            return "mapping"
        if self.ids.get(vendor):
            return self.source
        return "email" if vendor in EMAIL_VENDORS and self.email else ""




def mention(chat_user: str, name: str = "") -> str:
    """How a reply names a chat user: a neutral mention, which each adapter renders (a notifying
    `<@U1>` on Slack, `<at user_id=…>` on Feishu, `@name` in the console)."""
    return neutral_mention(chat_user, name)


def _person(row: dict[str, Any]) -> Person:
    ids = {vendor: row.get(col) or "" for vendor, col in VENDOR_ID_COLUMNS.items()}
    return Person(platform=row["platform"], chat_user=row["chat_user"], name=row.get("name") or "",
                  email=row.get("email") or "", ids={k: v for k, v in ids.items() if v},
                  source=row.get("source") or "mapping")


class IdentityResolver:
    def __init__(self, store: AsyncStore, *, sources: dict[str, ProfileSource] | None = None,
                 feishu_directory: EmailDirectory | None = None, ttl: timedelta = DEFAULT_TTL,
                 aside: Aside = contextlib.nullcontext) -> None:
        self.store = store
        self.sources = dict(sources or {})
        self.feishu_directory = feishu_directory
        self.ttl = ttl
        self._asking: Shared[Person] = Shared(aside)  # lookups under way, by (platform, ref)

    # ---- chat user -> Person -------------------------------------------------------------
    async def resolve(self, ref: str, platform: str, speaker: str) -> Person:
        """Resolve a parser ref ("me", "@name", a platform user id) said by `speaker` on `platform`."""
        if ref == ME:
            ref = speaker
        if ref.startswith("@"):
            return await self._with_mappings(await self._by_name(ref, platform))
        return await self._with_mappings(await self._looked_up(ref, platform))

    async def _looked_up(self, ref: str, platform: str) -> Person:
        """What the platform (or the cache of it) says about `ref`, before the mappings; a lookup of the same
        person under way for another request is waited for and shared (its answer, or its IdentityError)."""
        return await self._asking.get((platform, ref), lambda: self._look_up(ref, platform))

    async def _look_up(self, ref: str, platform: str) -> Person:
        row = await self.store.person(platform, ref)
        if row is not None and (row.get("source") == "profile" and self._fresh(row)):
            return _person(row)
        source = self.sources.get(platform)
        if source is None:
            if row is not None or await self.store.mappings_of(platform, ref):
                return _person(row) if row is not None else Person(platform, ref, source="mapping")
            raise IdentityError("unknown_user", who=f"@{ref}")
        try:
            profile = await source.profile(ref)
        except IdentityError as err:
            if row is not None and (err.transient or row.get("source") == "mapping"):
                return _person(row)  # a stale answer (or the admin's word) beats none while the platform fails
            if await self.store.mappings_of(platform, ref):
                return Person(platform, ref, source="mapping")  # the admin mapped them: their ids stand
            if platform == "feishu" and err.key != "unknown_user":
                # The open_id came from our own app's event, so it is valid for VC even when the
                # contact API will not tell us more: keep going with what the event said.
                return Person(platform, ref, ids={"feishu": ref}, source="event",
                              problems={v: err for v in ("webex", "zoom", "dingtalk")})
            raise
        return await self._from_profile(platform, profile)

    async def _with_mappings(self, person: Person) -> Person:
        """The admin's mappings over what was looked up, field by field."""
        mapped = await self.store.mappings_of(person.platform, person.chat_user)
        if not mapped:
            return person
        ids, email, pinned, fields = dict(person.ids), person.email, set(person.pinned), set(person.mapped)
        for column, value in mapped.items():
            if column == "email":
                email, fields = ("" if value == "-" else value), fields | {"email"}
                continue
            vendor = VENDOR_OF_COLUMN.get(column)
            if vendor is None:
                continue
            fields.add(vendor)
            if value == "-":
                pinned.add(vendor)
                ids.pop(vendor, None)
            else:
                pinned.discard(vendor)
                ids[vendor] = value
        return replace(person, ids=ids, email=email, pinned=frozenset(pinned), mapped=frozenset(fields),
                       problems={v: e for v, e in person.problems.items() if v not in fields})

    async def _by_name(self, ref: str, platform: str) -> Person:
        rows = await self.store.people_named(platform, ref[1:])
        if not rows:
            raise IdentityError("unknown_user", who=ref)
        if len(rows) > 1:
            raise IdentityError("ambiguous_user", who=ref, candidates=", ".join(f"@{r['chat_user']}" for r in rows))
        return _person(rows[0])

    def _fresh(self, row: dict[str, Any]) -> bool:
        try:
            updated = datetime.fromisoformat(str(row.get("updated_at") or ""))
        except ValueError:
            return False
        return self.store.now() - updated < self.ttl

    async def _from_profile(self, platform: str, profile: Profile) -> Person:
        ids = dict(profile.ids)
        problems: dict[str, IdentityError] = {}
        who = f"@{profile.name or profile.chat_user}"
        complete = not profile.email_scope
        if "feishu" not in ids and self.feishu_directory is not None and profile.email:
            try:
                open_id = await self.feishu_directory.open_id_by_email(profile.email, who)
            except IdentityError as err:
                problems["feishu"] = err
                complete = False  # don't cache a half answer
            else:
                if open_id:
                    ids["feishu"] = open_id
                else:
                    problems["feishu"] = IdentityError("email_not_at_vendor", who=who, vendor="feishu",
                                                       email=profile.email, chat_user=profile.chat_user)
        if complete:
            await self.store.upsert_person(
                platform, profile.chat_user, source="profile", name=profile.name, email=profile.email,
                **{VENDOR_ID_COLUMNS[v]: i for v, i in ids.items() if v in VENDOR_ID_COLUMNS})
        return Person(platform, profile.chat_user, name=profile.name, email=profile.email, ids=ids,
                      source="profile", email_scope=profile.email_scope, tz=profile.tz, locale=profile.locale,
                      problems=problems)

    # ---- Person -> vendor id ---------------------------------------------------------------
    def vendor_user(self, person: Person, vendor: str) -> VendorUser:
        vid = person.vendor_id(vendor)
        if vid:
            return VendorUser(vid, name=person.name or person.chat_user)
        raise self._why_no_id(person, vendor)

    def _why_no_id(self, person: Person, vendor: str) -> IdentityError:
        values = {"who": person.display, "vendor": vendor, "chat_user": person.chat_user,
                  "platform": PLATFORM_NAMES.get(person.platform, person.platform)}
        if vendor in MAPPING_ONLY_VENDORS:
            return IdentityError("no_vendor_id_admin_only", **values)
        if vendor in person.problems:
            return person.problems[vendor]
        needs_email = vendor in EMAIL_VENDORS or (vendor == "feishu" and person.platform != "feishu")
        if needs_email and person.email_scope:
            return IdentityError("email_hidden", scope=person.email_scope, **values)
        if needs_email and person.source == "profile" and not person.email:
            return IdentityError("no_email", **values)
        return IdentityError("no_vendor_id", **values)

    # ---- vendor id -> words / chat user --------------------------------------------------------
    async def chat_user_for(self, platform: str, vendor: str, user: VendorUser | None) -> str | None:
        """The chat user on `platform` whose `vendor` id is `user` (reverse mapping), if we know one.
        Nobody an admin pinned to "no id" at `vendor` is that user, whatever their email says."""
        column = VENDOR_ID_COLUMNS.get(vendor)
        if user is None or column is None or not user.id:
            return None
        mapped = await self.store.mapped_chat_user(platform, column, user.id)
        if mapped is not None:
            return mapped  # the admin's word for this very id
        found = await self.store.mapped_chat_user(platform, "email", user.id) if vendor in EMAIL_VENDORS else None
        if found is None:
            row = await self.store.person_by_vendor_id(vendor, user.id, platform)
            found = str(row["chat_user"]) if row else None
        if found is None and platform == "feishu" and vendor == "feishu" and user.id.startswith("ou_"):
            found = user.id  # in a Feishu chat the open_id is the chat user (the same app: see profiles.py)
        if found is None and vendor in EMAIL_VENDORS:
            row = await self.store.person_by_email(platform, user.id)
            found = str(row["chat_user"]) if row else None
        return None if found is None or await self.pinned_out(platform, found, vendor) else found

    async def pinned_out(self, platform: str, chat_user: str, vendor: str) -> bool:
        """An admin pinned `chat_user` to "no id" at `vendor` (`hostbot users set … zoom=-`)."""
        column = VENDOR_ID_COLUMNS.get(vendor)
        return column is not None and (await self.store.mappings_of(platform, chat_user)).get(column) == "-"

    async def find_chat_user(self, platform: str, vendor: str, user: VendorUser | None) -> str | None:
        """Like chat_user_for, and when nobody known has that id, look them up: a Feishu open_id
        through Feishu contact to an email, an email through the chat platform's directory (Slack
        users.lookupByEmail, Feishu batch_get_id). The answer is cached like any profile."""
        known = await self.chat_user_for(platform, vendor, user)
        if known is not None or user is None or not user.id:
            return known
        email = user.id if vendor in EMAIL_VENDORS and "@" in user.id else ""
        directory = self.sources.get("feishu")
        if vendor == "feishu" and user.id.startswith("ou_") and directory is not None:
            try:
                email = (await directory.profile(user.id)).email
            except IdentityError:
                return None
        source = self.sources.get(platform)
        if not email or source is None:
            return None
        try:
            profile = await source.by_email(email)
        except IdentityError:
            return None
        if profile is None:
            return None
        person = await self._from_profile(platform, profile)
        if vendor == "feishu" and person.ids.get("feishu") not in (None, "", user.id):
            return None  # the email leads to somebody else's Feishu account: do not guess
        return None if await self.pinned_out(platform, person.chat_user, vendor) else person.chat_user

    async def vendor_name_of(self, vendor: str, user: VendorUser) -> str:
        """A vendor user nobody here is mapped to, named as well as the directories allow:
        'Ghost <ghost@example.com>' rather than a bare open_id."""
        name, email = user.name, user.id if "@" in user.id else ""
        directory = self.sources.get("feishu")
        if vendor == "feishu" and directory is not None and user.id.startswith("ou_"):
            try:
                profile = await directory.profile(user.id)
                name, email = profile.name or name, profile.email or email
            except IdentityError:
                pass
        if name and email:
            return f"{name} <{email}>"
        return name or email or user.id

    async def describe_chat_user(self, platform: str, chat_user: str) -> str:
        row = await self.store.person(platform, chat_user)
        return mention(chat_user, (row.get("name") or "") if row else "")

    async def describe(self, vendor: str, user: VendorUser | None, platform: str = "") -> str:
        """A vendor user as people know them: a mention on `platform` when we know who it is, else
        @name from any platform, else the raw id."""
        if user is None:
            return "?"
        if platform:
            chat_user = await self.chat_user_for(platform, vendor, user)
            if chat_user is not None:
                return await self.describe_chat_user(platform, chat_user)
        row = await self.store.person_by_vendor_id(vendor, user.id) if vendor in VENDOR_ID_COLUMNS else None
        if row is not None:
            return f"@{row.get('name') or row['chat_user']}"
        return user.name or user.id
