"""The synchronous Store: the command-line tools' way in (`hostbot users`, `audit`, `doctor`, `backup`), and
what the bot builds at start-up before its event loop runs (migrations, the vault check).

`Store(path_or_url)` opens the backend the string names: a `postgresql://…` URL gives PostgreSQL
(bot/store/postgres/: several replicas on one database), anything else a SQLite file (bot/store/sqlite/: the
embedded default). Every method runs the query of bot/store/rows/ to its end on a blocking connection
(`drive`). The running bot never calls these: it awaits the AsyncStore that `aio()` opens beside it
(bot/store/postgres/aio.py, bot/store/sqlite/writer.py). A method called on a thread that runs an event loop
raises StoreOnLoop instead of blocking every request there while the database answers.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from bot.store.rows.base import AsyncStore, Clock, Proposal, Statement, drive
from bot.store.rows.handovers import PENDING
from bot.store.rows.tokens import TokenVault, UserToken
from bot.store.rows.undos import UndoRow

T = TypeVar("T")

# The backends, imported only when a Store of that kind is opened (psycopg is not needed for SQLite).
BACKENDS = {
    "sqlite": ("bot.store.sqlite.store", "SqliteStore"),
    "postgresql": ("bot.store.postgres.store", "PostgresStore"),
}


def is_postgres_url(path: str) -> bool:
    return path.startswith(("postgresql://", "postgres://"))


def url_password(path: str) -> str:
    """The password in a PostgreSQL URL ('' for none, or a SQLite path): logs must never show it."""
    if not is_postgres_url(path):
        return ""
    try:
        return urlsplit(path).password or ""
    except ValueError:
        return ""


class RateBudget(Protocol):
    """A vendor rate budget shared by replicas (bot/store/postgres/budget.py); bot/vendors/http.py uses it
    from a worker thread."""

    def reserve(self, name: str, windows: Sequence[tuple[int, float]], spacing: float = 0.0) -> tuple[float, float]: ...

    def release(self, name: str, slot: float) -> None: ...

    def pause(self, name: str, seconds: float) -> None: ...


class StoreOnLoop(RuntimeError):
    """A synchronous Store method was called on a thread running an event loop (await the AsyncStore)."""


def on_loop() -> bool:
    """Whether this thread is running an event loop now."""
    return asyncio._get_running_loop() is not None


class Store:
    """What hostbot keeps, called synchronously (see the module docstring). `Store(path)` picks the backend."""

    kind = "?"  # "sqlite" | "postgresql"
    shared = False  # True when several processes may share it (replica leases matter, not pids)
    _q: AsyncStore  # the queries on this backend's blocking connection

    def __new__(cls, path: str, *args: Any, **kwargs: Any) -> Store:
        if cls is Store:  # the backend by the URL's form, loaded by name (it imports this module)
            module, name = BACKENDS["postgresql" if is_postgres_url(path) else "sqlite"]
            backend: type[Store] = getattr(importlib.import_module(module), name)
            return super().__new__(backend)
        return super().__new__(cls)

    def _call(self, query: Coroutine[Any, Any, T]) -> T:
        if on_loop():
            query.close()
            self._guard(getattr(query, "__name__", "?"))
        return drive(query)

    @staticmethod
    def _guard(name: str) -> None:
        """Raise StoreOnLoop when this thread runs an event loop (every entry point that reads or writes)."""
        if on_loop():
            raise StoreOnLoop(
                f"Store.{name}() was called on the event loop's thread, where it would hold up every request "
                "while the database answers: await the AsyncStore (services.store) instead"
            )

    # ---- the backend's own ---------------------------------------------------------------------------------
    def aio(self) -> AsyncStore:
        """The AsyncStore on the same database, for the running bot (opened here, used on its event loop)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def schema_version(self) -> list[str]:
        """Names of the migrations applied, in order."""
        raise NotImplementedError

    def rate_budget(self) -> RateBudget | None:
        """The vendor rate budget replicas share, or None when one process is all there is (SQLite)."""
        return None

    @property
    def path(self) -> str:
        return self._q.path

    @property
    def clock(self) -> Clock:
        return self._q.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._q.clock = clock

    @property
    def vault(self) -> TokenVault:
        return self._q.vault

    @vault.setter
    def vault(self, vault: TokenVault) -> None:
        self._q.vault = vault

    def describe(self) -> str:
        """Where the data is, without a password (logs, /healthz, doctor)."""
        return self._q.describe()

    def now(self) -> datetime:
        return self._q.now()

    def atomic(self, body: Callable[[AsyncStore], Awaitable[T]]) -> T:
        """`body(tx)` in one transaction (AsyncStore.atomic)."""
        return self._call(self._q.atomic(body))

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self._call(self._q._rows(sql, args))

    def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        return self._call(self._q._exec(sql, args))

    def _batch(self, statements: Iterable[Statement]) -> None:
        return self._call(self._q._batch(statements))

    # ---- the queries (bot/store/rows/), one line each: tests/store/test_async_store.py checks that every
    # query of AsyncStore is here with the same signature ---------------------------------------------------
    def ping(self, max_age: float = 0.0) -> None:
        return self._call(self._q.ping(max_age))

    def first_delivery(self, platform: str, key: str) -> bool:
        return self._call(self._q.first_delivery(platform, key))

    def upsert_person(self, platform: str, chat_user: str, **fields: str) -> None:
        return self._call(self._q.upsert_person(platform, chat_user, **fields))

    def upsert_people(self, rows: Iterable[tuple[str, str, dict[str, str]]]) -> None:
        return self._call(self._q.upsert_people(rows))

    def set_mapping(self, platform: str, chat_user: str, field: str, value: str) -> None:
        return self._call(self._q.set_mapping(platform, chat_user, field, value))

    def mappings_of(self, platform: str, chat_user: str) -> dict[str, str]:
        return self._call(self._q.mappings_of(platform, chat_user))

    def mapped_chat_user(self, platform: str, field: str, value: str) -> str | None:
        return self._call(self._q.mapped_chat_user(platform, field, value))

    def all_mappings(self) -> list[dict[str, Any]]:
        return self._call(self._q.all_mappings())

    def person(self, platform: str, chat_user: str) -> dict[str, Any] | None:
        return self._call(self._q.person(platform, chat_user))

    def people_named(self, platform: str, name: str) -> list[dict[str, Any]]:
        return self._call(self._q.people_named(platform, name))

    def person_by_vendor_id(self, vendor: str, vendor_id: str, platform: str | None = None) -> dict[str, Any] | None:
        return self._call(self._q.person_by_vendor_id(vendor, vendor_id, platform))

    def person_by_email(self, platform: str, email: str) -> dict[str, Any] | None:
        return self._call(self._q.person_by_email(platform, email))

    def platforms_of(self, chat_user: str) -> list[str]:
        return self._call(self._q.platforms_of(chat_user))

    def all_people(self) -> list[dict[str, Any]]:
        return self._call(self._q.all_people())

    def chat_names(self, platform: str) -> list[str]:
        return self._call(self._q.chat_names(platform))

    def link(self, platform: str, scope: str) -> dict[str, Any] | None:
        return self._call(self._q.link(platform, scope))

    def set_link(self, platform: str, scope: str, vendor: str, meeting_id: str, linked_by: str) -> None:
        return self._call(self._q.set_link(platform, scope, vendor, meeting_id, linked_by))

    def create_proposal(
        self,
        *,
        platform: str,
        requester: str,
        action: str,
        payload: dict[str, Any],
        channel: str = "",
        thread: str = "",
        ttl: timedelta = timedelta(minutes=5),
    ) -> str:
        return self._call(
            self._q.create_proposal(
                platform=platform,
                requester=requester,
                action=action,
                payload=payload,
                channel=channel,
                thread=thread,
                ttl=ttl,
            )
        )

    def get_proposal(self, pid: str) -> Proposal | None:
        return self._call(self._q.get_proposal(pid))

    def latest_proposal(self, platform: str, requester: str, channel: str) -> Proposal | None:
        return self._call(self._q.latest_proposal(platform, requester, channel))

    def open_approvals(self, platform: str, user: str) -> list[Proposal]:
        return self._call(self._q.open_approvals(platform, user))

    def claim_proposal(self, pid: str, user: str, *, outcome: str = "claimed") -> Proposal:
        return self._call(self._q.claim_proposal(pid, user, outcome=outcome))

    def finish_proposal(self, pid: str, status: str) -> None:
        return self._call(self._q.finish_proposal(pid, status))

    def audit(self, **row: Any) -> None:
        return self._call(self._q.audit(**row))

    def audit_rows(self, since: datetime | None = None, user: str | None = None) -> list[dict[str, Any]]:
        return self._call(self._q.audit_rows(since, user))

    def handover(self, hid: int) -> dict[str, Any] | None:
        return self._call(self._q.handover(hid))

    def handovers(self, status: str, platform: str | None = None) -> list[dict[str, Any]]:
        return self._call(self._q.handovers(status, platform))

    def handovers_to_remind(self, now: datetime) -> list[dict[str, Any]]:
        return self._call(self._q.handovers_to_remind(now))

    def handovers_due(self, now: datetime) -> list[dict[str, Any]]:
        return self._call(self._q.handovers_due(now))

    def next_handover_time(self) -> datetime | None:
        return self._call(self._q.next_handover_time())

    def count_handovers(self, status: str) -> int:
        return self._call(self._q.count_handovers(status))

    def duplicate_handover(
        self, platform: str, vendor: str, meeting_id: str, target_id: str, due: datetime
    ) -> dict[str, Any] | None:
        return self._call(self._q.duplicate_handover(platform, vendor, meeting_id, target_id, due))

    def add_handover(self, row: dict[str, Any]) -> int:
        return self._call(self._q.add_handover(row))

    def claim_handover(self, hid: int, owner: str, from_status: Sequence[str] = (PENDING,)) -> bool:
        return self._call(self._q.claim_handover(hid, owner, from_status))

    def claim_due_handovers(self, owner: str, now: datetime, not_before: datetime, limit: int) -> list[dict[str, Any]]:
        return self._call(self._q.claim_due_handovers(owner, now, not_before, limit))

    def reclaim_handover(self, hid: int, old_owner: str, owner: str) -> bool:
        return self._call(self._q.reclaim_handover(hid, old_owner, owner))

    def holds_handover(self, hid: int, owner: str) -> bool:
        return self._call(self._q.holds_handover(hid, owner))

    def set_handover(
        self, hid: int, changes: dict[str, Any], *, status: str, owner: str | None = None, unreminded: bool = False
    ) -> bool:
        return self._call(self._q.set_handover(hid, changes, status=status, owner=owner, unreminded=unreminded))

    def renew_lease(self, owner: str, lease: timedelta) -> None:
        return self._call(self._q.renew_lease(owner, lease))

    def end_lease(self, owner: str) -> None:
        return self._call(self._q.end_lease(owner))

    def lease_of(self, owner: str) -> datetime | None:
        return self._call(self._q.lease_of(owner))

    def take_job_lease(self, job: str, holder: str, lease: timedelta) -> bool:
        return self._call(self._q.take_job_lease(job, holder, lease))

    def forget_leases(self, before: datetime) -> int:
        return self._call(self._q.forget_leases(before))

    def take_lease(self, name: str, holder: str, ttl: timedelta) -> bool:
        return self._call(self._q.take_lease(name, holder, ttl))

    def extend_lease(self, name: str, holder: str, ttl: timedelta) -> bool:
        return self._call(self._q.extend_lease(name, holder, ttl))

    def drop_lease(self, name: str, holder: str) -> None:
        return self._call(self._q.drop_lease(name, holder))

    def lease_holder(self, name: str) -> str | None:
        return self._call(self._q.lease_holder(name))

    def meeting_started(
        self, vendor: str, meeting_id: str, *, host: str, owner: str = "", topic: str = "", number: str = ""
    ) -> None:
        return self._call(
            self._q.meeting_started(vendor, meeting_id, host=host, owner=owner, topic=topic, number=number)
        )

    def meeting_ended(self, vendor: str, meeting_id: str) -> None:
        return self._call(self._q.meeting_ended(vendor, meeting_id))

    def meeting_host_changed(self, vendor: str, meeting_id: str, host: str) -> None:
        return self._call(self._q.meeting_host_changed(vendor, meeting_id, host))

    def running_meetings_of(self, vendor: str, user: str) -> list[dict[str, Any]]:
        return self._call(self._q.running_meetings_of(vendor, user))

    def links_of(self, platform: str) -> list[dict[str, Any]]:
        return self._call(self._q.links_of(platform))

    def latest_audit(self, limit: int = 20) -> list[dict[str, Any]]:
        return self._call(self._q.latest_audit(limit))

    def save_user_token(
        self, vendor: str, subject: str, token: str, refresh_token: str = "", expires_at: datetime | None = None
    ) -> None:
        return self._call(self._q.save_user_token(vendor, subject, token, refresh_token, expires_at))

    def user_token(self, vendor: str, subject: str) -> UserToken | None:
        return self._call(self._q.user_token(vendor, subject))

    def delete_user_token(self, vendor: str, subject: str, *, refresh_token: str | None = None) -> bool:
        return self._call(self._q.delete_user_token(vendor, subject, refresh_token=refresh_token))

    def any_sealed_token(self) -> str | None:
        return self._call(self._q.any_sealed_token())

    def sealed_tokens(self) -> list[str]:
        return self._call(self._q.sealed_tokens())

    def create_undo(
        self,
        *,
        restore: Sequence[dict[str, Any]],
        made: Sequence[dict[str, Any]],
        pressers: Sequence[str],
        ttl: timedelta,
        **fields: str,
    ) -> str:
        return self._call(self._q.create_undo(restore=restore, made=made, pressers=pressers, ttl=ttl, **fields))

    def get_undo(self, uid: str) -> UndoRow | None:
        return self._call(self._q.get_undo(uid))

    def latest_undo(self, platform: str, requester: str) -> UndoRow | None:
        return self._call(self._q.latest_undo(platform, requester))

    def claim_undo(self, uid: str, user: str) -> tuple[str, UndoRow | None]:
        return self._call(self._q.claim_undo(uid, user))

    def finish_undo(self, uid: str, status: str) -> None:
        return self._call(self._q.finish_undo(uid, status))
