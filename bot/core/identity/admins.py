"""Admins from the directory: HOSTBOT_ADMINS entries that name a group of people rather than one.

    S0614TZR7 · @handle   a Slack user group, by id or by handle (usergroups.users.list; a handle is
                          found with usergroups.list). Scope usergroups:read.
    oc_…                  a Feishu group chat: its members (im/v1/chats/:chat_id/members)
    od-…                  a Feishu department (open_department_id): its direct members
                          (contact/v3/users/find_by_department)
Anything else is a chat user id or an email (bot/core/decide/policy.py).

Members are read through the chat platform (one GroupSource per platform, built in bot/app.py) and
kept for CACHE_TTL (5 minutes) by the bot's clock: somebody removed from the group stops being an
admin within that time. A speaker who is not among the cached members makes one refresh (at most one
per MISS_REFRESH per group), so somebody just added does not wait 5 minutes. A read that fails keeps
the members read before only while they are fresh (after CACHE_TTL nobody is an admin through that
group: failing closed), and is logged; `hostbot doctor` reads every group and names the missing scope.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.i18n import t

log = logging.getLogger(__name__)

CACHE_TTL = timedelta(minutes=5)
MISS_REFRESH = timedelta(seconds=30)  # Slack's usergroups.* are Tier 2 (20+/min): one miss-refresh per 30 s
SLACK_GROUP_ID = re.compile(r"S[A-Z0-9]{6,}")  # Slack user ids start with U or W, groups ("subteams") with S
SLACK_HANDLE = re.compile(r"@[a-z0-9][a-z0-9._-]*", re.IGNORECASE)
FEISHU_CHAT = re.compile(r"oc_[A-Za-z0-9]+")
FEISHU_DEPARTMENT = re.compile(r"od-[A-Za-z0-9]+")


@dataclass(frozen=True)
class GroupRef:
    """One group named in HOSTBOT_ADMINS: on which platform, what kind, and its id (or handle)."""

    platform: str  # "slack" | "feishu"
    kind: str  # "usergroup" | "handle" | "chat" | "department"
    id: str

    def __str__(self) -> str:
        return f"@{self.id}" if self.kind == "handle" else self.id


def group_ref(entry: str) -> GroupRef | None:
    """The group an HOSTBOT_ADMINS entry names, or None for a person (chat user id or email)."""
    entry = entry.strip()
    if SLACK_GROUP_ID.fullmatch(entry):
        return GroupRef("slack", "usergroup", entry)
    if SLACK_HANDLE.fullmatch(entry):
        return GroupRef("slack", "handle", entry[1:].lower())
    if FEISHU_CHAT.fullmatch(entry):
        return GroupRef("feishu", "chat", entry)
    if FEISHU_DEPARTMENT.fullmatch(entry):
        return GroupRef("feishu", "department", entry)
    return None


class DirectoryError(Exception):
    """A group's members could not be read: why (an i18n key and its values, bot/i18n/find.py) and, when
    known, the scope to grant."""

    def __init__(self, key: str, scope: str = "", **values: str) -> None:
        super().__init__(key)
        self.key, self.scope, self.values = key, scope, values

    @property
    def reason(self) -> str:  # for the log (English)
        return t("en", self.key, **self.values)


class GroupSource(Protocol):
    """Reads the members of a platform's groups (bot/adapters/slack/groups.py, bot/adapters/feishu/groups.py)."""

    platform: str

    async def members(self, ref: GroupRef) -> frozenset[str]:
        """The chat user ids of the group's members (Slack user ids, Feishu open_ids); DirectoryError if unreadable."""
        ...


@dataclass
class _Cached:
    members: frozenset[str]
    read_at: datetime
    tried_at: datetime


class AdminGroups:
    """The groups of HOSTBOT_ADMINS and their members, read through `sources` and cached briefly."""

    def __init__(self, refs: Sequence[GroupRef], sources: Mapping[str, GroupSource],
                 clock: Callable[[], datetime]) -> None:
        self.refs, self.sources, self.clock = tuple(refs), dict(sources), clock
        self._cache: dict[GroupRef, _Cached] = {}
        self._locks: dict[GroupRef, asyncio.Lock] = {}

    async def contains(self, chat_user: str, platform: str = "") -> bool:
        """Is `chat_user` a member of one of the groups (only those of `platform`, when given)?"""
        for ref in self.refs:
            if platform and ref.platform != platform:
                continue
            if chat_user in await self._members(ref, wanted=chat_user):
                return True
        return False

    async def check(self) -> list[tuple[GroupRef, int | DirectoryError]]:
        """Each group with its member count, or why it cannot be read (hostbot doctor)."""
        found: list[tuple[GroupRef, int | DirectoryError]] = []
        for ref in self.refs:
            try:
                found.append((ref, len(await self._read(ref))))
            except DirectoryError as err:
                found.append((ref, err))
        return found

    async def _members(self, ref: GroupRef, wanted: str) -> frozenset[str]:
        now = self.clock()
        cached = self._cache.get(ref)
        fresh = cached is not None and now - cached.read_at < CACHE_TTL
        if cached is not None and fresh and (wanted in cached.members or now - cached.tried_at < MISS_REFRESH):
            return cached.members
        async with self._locks.setdefault(ref, asyncio.Lock()):
            cached = self._cache.get(ref)
            if cached is not None and cached.tried_at >= now:  # read by somebody else while we waited
                return cached.members if self.clock() - cached.read_at < CACHE_TTL else frozenset()
            try:
                members = await self._read(ref)
            except DirectoryError as err:
                log.warning("admins: the members of %s could not be read: %s", ref, err.reason)
                if cached is None:
                    return frozenset()
                cached.tried_at = self.clock()
                return cached.members if self.clock() - cached.read_at < CACHE_TTL else frozenset()
            at = self.clock()
            self._cache[ref] = _Cached(members, at, at)
            return members

    async def _read(self, ref: GroupRef) -> frozenset[str]:
        source = self.sources.get(ref.platform)
        if source is None:
            raise DirectoryError("admin_group_not_configured", platform=ref.platform.title())
        return await source.members(ref)
