"""Identity: from a chat user (a mention, a name, "me") to a Person with per-vendor ids.

The resolver chain, first answer wins:
  1. an explicit mapping in the store (source="mapping", set by `hostbot users set/import`):
     it always wins, and is never overwritten by a lookup;
  2. a cached profile row (source="profile") younger than the TTL;
  3. the chat platform's profile (Slack users.info; Feishu contact user), then vendor lookups
     that need it (Feishu batch_get_id by email, for people who chat on Slack); the result is
     cached as a source="profile" row. A profile whose email is hidden (missing scope) is not
     cached, so that granting the scope takes effect at once.
A Person's id for a vendor is what that vendor wants: Feishu open_id (per app! see profiles.py),
DingTalk unionId (only from a mapping: no email lookup yields it), Webex and Zoom email.
Failures are IdentityError, whose key and values render straight into a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.config import Settings
from bot.core.outcome import VendorUser
from bot.core.profiles import PLATFORM_NAMES, IdentityError, Profile
from bot.intents import ME
from bot.store import VENDOR_ID_COLUMNS, Store

__all__ = ["EMAIL_VENDORS", "IdentityError", "IdentityResolver", "Person"]

# Vendors that identify people by email fall back to the person's chat email.
EMAIL_VENDORS = ("webex", "zoom")
# Vendors whose ids no lookup yields: only an admin's mapping has them.
MAPPING_ONLY_VENDORS = ("dingtalk",)
DEFAULT_TTL = timedelta(hours=12)


class ProfileSource(Protocol):
    platform: str

    async def profile(self, chat_user: str) -> Profile: ...


class EmailDirectory(Protocol):
    async def open_id_by_email(self, email: str, who: str) -> str | None: ...


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

    @property
    def display(self) -> str:
        return mention(self.platform, self.chat_user, self.name)

    def vendor_id(self, vendor: str) -> str:
        found = self.ids.get(vendor, "")
        if not found and vendor in EMAIL_VENDORS:
            return self.email
        return found


_SLACK_ID = re.compile(r"[UW][A-Z0-9]+")


def mention(platform: str, chat_user: str, name: str = "") -> str:
    """How a reply names a chat user: a real notifying mention on Slack and Feishu, @name elsewhere."""
    if platform == "slack" and _SLACK_ID.fullmatch(chat_user):
        return f"<@{chat_user}>"
    if platform == "feishu" and chat_user.startswith("ou_"):  # Feishu shows it as @Name (bot/adapters/feishu*.py)
        return f'<at user_id="{chat_user}">{name}</at>'
    return f"@{name or chat_user}"


def _person(row: dict[str, Any]) -> Person:
    ids = {vendor: row.get(col) or "" for vendor, col in VENDOR_ID_COLUMNS.items()}
    return Person(platform=row["platform"], chat_user=row["chat_user"], name=row.get("name") or "",
                  email=row.get("email") or "", ids={k: v for k, v in ids.items() if v},
                  source=row.get("source") or "mapping")


class IdentityResolver:
    def __init__(self, store: Store, *, sources: dict[str, ProfileSource] | None = None,
                 feishu_directory: EmailDirectory | None = None, ttl: timedelta = DEFAULT_TTL) -> None:
        self.store = store
        self.sources = dict(sources or {})
        self.feishu_directory = feishu_directory
        self.ttl = ttl

    # ---- chat user -> Person -------------------------------------------------------------
    async def resolve(self, ref: str, platform: str, speaker: str) -> Person:
        """Resolve a parser ref ("me", "@name", a platform user id) said by `speaker` on `platform`."""
        if ref == ME:
            ref = speaker
        if ref.startswith("@"):
            return self._by_name(ref, platform)
        row = self.store.person(platform, ref)
        if row is not None and (row.get("source") or "mapping") == "mapping":
            return _person(row)
        if row is not None and self._fresh(row):
            return _person(row)
        source = self.sources.get(platform)
        if source is None:
            if row is not None:
                return _person(row)
            raise IdentityError("unknown_user", who=f"@{ref}")
        try:
            profile = await source.profile(ref)
        except IdentityError as err:
            if row is not None and err.transient:
                return _person(row)  # a stale answer beats none while the platform is down
            if platform == "feishu" and err.key != "unknown_user":
                # The open_id came from our own app's event, so it is valid for VC even when the
                # contact API will not tell us more: keep going with what the event said.
                return Person(platform, ref, ids={"feishu": ref}, source="event",
                              problems={v: err for v in ("webex", "zoom", "dingtalk")})
            raise
        return await self._from_profile(platform, profile)

    def _by_name(self, ref: str, platform: str) -> Person:
        rows = self.store.people_named(platform, ref[1:])
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
            self.store.upsert_person(
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
    def chat_user_for(self, platform: str, vendor: str, user: VendorUser | None) -> str | None:
        """The chat user on `platform` whose `vendor` id is `user` (reverse mapping), if we know one."""
        column = VENDOR_ID_COLUMNS.get(vendor)
        if user is None or column is None:
            return None
        row = self.store.person_by_vendor_id(vendor, user.id, platform)
        if row:
            return str(row["chat_user"])
        if platform == "feishu" and vendor == "feishu" and user.id.startswith("ou_"):
            return user.id  # in a Feishu chat the open_id is the chat user (the same app: see profiles.py)
        if vendor in EMAIL_VENDORS:
            row = self.store.person_by_email(platform, user.id)
            return str(row["chat_user"]) if row else None
        return None

    def describe_chat_user(self, platform: str, chat_user: str) -> str:
        row = self.store.person(platform, chat_user)
        return mention(platform, chat_user, (row.get("name") or "") if row else "")

    def describe(self, vendor: str, user: VendorUser | None, platform: str = "") -> str:
        """A vendor user as people know them: a mention on `platform` when we know who it is, else
        @name from any platform, else the raw id."""
        if user is None:
            return "?"
        if platform:
            chat_user = self.chat_user_for(platform, vendor, user)
            if chat_user is not None:
                return self.describe_chat_user(platform, chat_user)
        row = self.store.person_by_vendor_id(vendor, user.id) if vendor in VENDOR_ID_COLUMNS else None
        if row is not None:
            return f"@{row.get('name') or row['chat_user']}"
        return user.name or user.id


def build_identity(settings: Settings, store: Store) -> IdentityResolver:
    """The resolver with a profile source for each configured chat platform (called by bot/app.py)."""
    from bot.core.profiles import FeishuDirectory, SlackProfiles

    sources: dict[str, ProfileSource] = {}
    directory: FeishuDirectory | None = None
    if settings.slack_bot_token:
        sources["slack"] = SlackProfiles(settings.slack_bot_token, settings.slack_api_url)
    if settings.feishu_configured:
        directory = FeishuDirectory(settings.feishu_app_id, settings.feishu_app_secret, settings.feishu_domain)
        sources["feishu"] = directory
    return IdentityResolver(store, sources=sources, feishu_directory=directory)
