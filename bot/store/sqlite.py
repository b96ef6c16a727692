"""The store: one SQLite file (WAL) through sqlite-utils, its schema grown by named migrations.

Everything that must survive a restart lives here: people and their vendor ids, links from a
thread/channel to a meeting, pending proposals (buttons), the delivery ledger that makes every
inbound event and click count once, and the audit trail.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlite_utils
from sqlite_utils.migrations import Migrations

Clock = Callable[[], datetime]

migrations = Migrations("hostbot")

# Columns of `people` that hold a vendor id, by vendor key used in `hostbot users set`.
VENDOR_ID_COLUMNS: dict[str, str] = {
    "feishu": "feishu_open_id",
    "feishu_union": "feishu_union_id",
    "dingtalk": "dingtalk_union_id",
    "webex": "webex_email",
    "zoom": "zoom_email",
}


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["people"].create(  # type: ignore[union-attr]
        {
            "platform": str,
            "chat_user": str,
            "name": str,
            "email": str,
            "feishu_open_id": str,
            "feishu_union_id": str,
            "dingtalk_union_id": str,
            "webex_email": str,
            "zoom_email": str,
            "source": str,  # "mapping" (set by an admin) or "profile" (looked up, cached)
            "updated_at": str,
        },
        pk=("platform", "chat_user"),
        defaults={"name": "", "email": "", "feishu_open_id": "", "feishu_union_id": "",
                  "dingtalk_union_id": "", "webex_email": "", "zoom_email": "", "source": "mapping"},
    )
    db["people"].create_index(["platform", "name"])  # type: ignore[union-attr]
    db["people"].create_index(["feishu_open_id"])  # type: ignore[union-attr]
    db["links"].create(  # type: ignore[union-attr]
        {"platform": str, "scope": str, "vendor": str, "meeting_id": str, "linked_by": str, "linked_at": str},
        pk=("platform", "scope"),
    )
    db["deliveries"].create(  # type: ignore[union-attr]
        {"platform": str, "key": str, "seen_at": str},
        pk=("platform", "key"),
    )
    db["proposals"].create(  # type: ignore[union-attr]
        {
            "id": str,
            "platform": str,
            "requester": str,  # who may press the buttons (several: separated by spaces)
            "action": str,  # what runs on the positive choice, e.g. "set_host"
            "payload": str,  # JSON: everything needed to run it again
            "channel": str,
            "thread": str,
            "created_at": str,
            "expires_at": str,
            "status": str,  # pending -> claimed -> done | cancelled | expired
            "resolved_by": str,
            "resolved_at": str,
        },
        pk="id",
        defaults={"status": "pending", "resolved_by": "", "resolved_at": ""},
    )
    db["audit"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "at": str,
            "platform": str,
            "chat_user": str,
            "intent": str,
            "event": str,  # request | decision | outcome
            "vendor": str,
            "meeting": str,
            "vendor_ids": str,
            "outcome": str,
            "vendor_code": str,
            "latency_ms": float,
            "detail": str,
        },
        pk="id",
    )
    db["audit"].create_index(["at"])  # type: ignore[union-attr]


@migrations()
def m002_user_tokens(db: sqlite_utils.Database) -> None:
    """Tokens people granted hostbot (Feishu user_access_token: invite works only with one).

    `subject` is the vendor's id of the person (Feishu open_id). Token columns hold what the
    TokenVault sealed, never the plain token.
    """
    db["user_tokens"].create(  # type: ignore[union-attr]
        {"vendor": str, "subject": str, "token_enc": str, "refresh_enc": str, "expires_at": str, "updated_at": str},
        pk=("vendor", "subject"),
        defaults={"refresh_enc": "", "expires_at": ""},
    )


@migrations()
def m003_handovers(db: sqlite_utils.Database) -> None:
    """Scheduled handovers (bot/handovers.py reads and writes them; bot/scheduler.py runs them).

    Times are UTC ISO strings (comparable as text); `tz` is the requester's zone, for display.
    status: pending -> running -> done | failed | conflict; pending -> cancelled | missed.
    """
    db["handovers"].create(  # type: ignore[union-attr]
        {
            "id": int, "platform": str, "channel": str, "thread": str, "requester": str, "lang": str, "tz": str,
            "vendor": str, "meeting_id": str, "meeting_display": str,
            "host_id": str, "host_type": int, "host_name": str,  # the host when scheduled: re-checked when due
            "target": str, "target_id": str, "target_type": int, "target_name": str,
            "authority": str,  # why it may run unasked when due: "requester" (host/admin) | "approved"
            "due_at": str, "remind_at": str, "reminded_at": str, "created_at": str,
            "status": str, "claimed_by": str, "claimed_at": str, "finished_at": str, "result": str, "detail": str,
        },
        pk="id",
        defaults={"status": "pending", "remind_at": "", "reminded_at": "", "claimed_by": "", "claimed_at": "",
                  "finished_at": "", "result": "", "detail": "", "host_type": 1, "target_type": 1},
    )
    db["handovers"].create_index(["status", "due_at"])  # type: ignore[union-attr]


@migrations()
def m004_mappings(db: sqlite_utils.Database) -> None:
    """An admin's mappings, field by field (`hostbot users set`): each overrides exactly the id it
    sets; the other ids still come from the chat profile and the directories. A value of "-"
    pins "no id for this vendor". `people` keeps only what was looked up (a cache).

    Rows that were mappings before (source = "mapping") become one mapping per field they held.
    """
    db["mappings"].create(  # type: ignore[union-attr]
        {"platform": str, "chat_user": str, "field": str, "value": str, "set_at": str},
        pk=("platform", "chat_user", "field"),
    )
    db["mappings"].create_index(["field", "value"])  # type: ignore[union-attr]
    # A snooze moves a handover 30 minutes in all without a new approval: measured from here.
    db["handovers"].add_column("first_due_at", str, not_null_default="")  # type: ignore[union-attr]
    fields = ("email", *VENDOR_ID_COLUMNS.values())
    for row in list(db["people"].rows_where("source = ?", ["mapping"])):
        for f in fields:
            if row.get(f):
                db["mappings"].insert({"platform": row["platform"], "chat_user": row["chat_user"],  # type: ignore[union-attr]
                                       "field": f, "value": row[f], "set_at": row.get("updated_at") or ""})


class TokenVault(Protocol):
    """Seals tokens before they are stored and opens them when read.

    PlainVault (below) stores them as given for now; the Feishu OAuth issue plugs in a vault that
    encrypts with a key derived from HOSTBOT_SECRET_KEY, without touching the callers.
    """

    def seal(self, plain: str) -> str: ...

    def open(self, sealed: str) -> str: ...


class PlainVault:
    """Identity vault: until encryption lands (HOSTBOT_SECRET_KEY), tokens are stored unchanged."""

    def seal(self, plain: str) -> str:
        return plain

    def open(self, sealed: str) -> str:
        return sealed


@dataclass(frozen=True)
class UserToken:
    token: str
    refresh_token: str = ""
    expires_at: datetime | None = None

    def __repr__(self) -> str:  # never print a token, even in a traceback
        return f"UserToken(expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class Proposal:
    id: str
    platform: str
    requester: str
    action: str
    payload: dict[str, Any]
    channel: str
    thread: str
    status: str
    expires_at: datetime

    @property
    def pressers(self) -> list[str]:
        """Who may press its buttons: `requester` holds one chat user id, or several separated by spaces."""
        return self.requester.split()


class ClaimError(Exception):
    """A proposal could not be claimed; `why` is 'unknown', 'used', 'expired' or 'not_yours'."""

    def __init__(self, why: str, proposal: Proposal | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.proposal = proposal


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def private_files(path: str) -> None:
    """The database and its -wal/-shm readable by the owner only (0600): they hold tokens and the audit.

    A new file is created 0600 before SQLite opens it (SQLite then gives -wal and -shm the main
    file's mode); a file an older hostbot created 0644 is narrowed."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for name in (path, f"{path}-wal", f"{path}-shm"):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(os.stat(name).st_mode) & 0o077:
                os.chmod(name, 0o600)


class Store:
    def __init__(self, path: str, clock: Clock | None = None, vault: TokenVault | None = None) -> None:
        self.path = path
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.vault: TokenVault = vault or PlainVault()
        if path != ":memory:":
            private_files(path)
        self.db = sqlite_utils.Database(path)
        if path != ":memory:":
            self.db.enable_wal()
            private_files(path)  # -wal and -shm now exist: SQLite gives them the main file's mode, made sure
        self.db.execute("PRAGMA busy_timeout = 5000")
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    def now(self) -> datetime:
        return self.clock()

    # ---- exactly-once ledger -------------------------------------------------------------
    def first_delivery(self, platform: str, key: str) -> bool:
        """Record a delivery id; True only the first time this (platform, key) is seen."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO deliveries (platform, key, seen_at) VALUES (?, ?, ?)",
            [platform, key, _iso(self.now())],
        )
        self.db.conn.commit()
        return cur.rowcount == 1

    # ---- people --------------------------------------------------------------------------
    def upsert_person(self, platform: str, chat_user: str, **fields: str) -> None:
        """Cache what a lookup found (source="profile"). Otherwise (source="mapping", the default)
        the ids given are an admin's word: each is kept as a mapping too (table `mappings`), so a
        later lookup cannot overwrite it."""
        row = {"platform": platform, "chat_user": chat_user, "updated_at": _iso(self.now()), **fields}
        self.db["people"].upsert(row, pk=("platform", "chat_user"))  # type: ignore[union-attr]
        if fields.get("source", "mapping") == "mapping":
            for column in ("email", *VENDOR_ID_COLUMNS.values()):
                if fields.get(column):
                    self.set_mapping(platform, chat_user, column, fields[column])

    def person(self, platform: str, chat_user: str) -> dict[str, Any] | None:
        rows = list(self.db["people"].rows_where("platform = ? AND chat_user = ?", [platform, chat_user]))
        return rows[0] if rows else None

    def people_named(self, platform: str, name: str) -> list[dict[str, Any]]:
        """People whose chat id or display name matches `name` (case-insensitive)."""
        return list(
            self.db["people"].rows_where(
                "platform = ? AND (lower(chat_user) = lower(?) OR lower(name) = lower(?))",
                [platform, name, name],
                order_by="chat_user",
            )
        )

    def person_by_vendor_id(self, vendor: str, vendor_id: str) -> dict[str, Any] | None:
        column = VENDOR_ID_COLUMNS[vendor]
        rows = list(self.db["people"].rows_where(f"{column} = ?", [vendor_id], limit=1))
        return rows[0] if rows else None

    def all_people(self) -> Iterator[dict[str, Any]]:
        yield from self.db["people"].rows_where(order_by="platform, chat_user")

    # ---- mappings: an admin's ids, field by field ----------------------------------------------
    def set_mapping(self, platform: str, chat_user: str, field: str, value: str) -> None:
        """Map one field ("email" or a VENDOR_ID_COLUMNS column); value "-" pins "none", "" clears."""
        if not value:
            self.db["mappings"].delete_where(  # type: ignore[union-attr]
                "platform = ? AND chat_user = ? AND field = ?", [platform, chat_user, field])
            return
        self.db["mappings"].upsert(  # type: ignore[union-attr]
            {"platform": platform, "chat_user": chat_user, "field": field, "value": value,
             "set_at": _iso(self.now())}, pk=("platform", "chat_user", "field"))

    def mappings_of(self, platform: str, chat_user: str) -> dict[str, str]:
        return {r["field"]: r["value"] for r in self.db["mappings"].rows_where(
            "platform = ? AND chat_user = ?", [platform, chat_user])}

    def mapped_chat_user(self, platform: str, field: str, value: str) -> str | None:
        """The chat user on `platform` an admin mapped to `value` (case-insensitive)."""
        rows = list(self.db["mappings"].rows_where(
            "platform = ? AND field = ? AND lower(value) = lower(?)", [platform, field, value], limit=2))
        return str(rows[0]["chat_user"]) if len(rows) == 1 else None

    def all_mappings(self) -> list[dict[str, Any]]:
        return list(self.db["mappings"].rows_where(order_by="platform, chat_user, field"))

    # ---- links: thread/channel -> meeting ------------------------------------------------------
    def link(self, platform: str, scope: str) -> dict[str, Any] | None:
        rows = list(self.db["links"].rows_where("platform = ? AND scope = ?", [platform, scope]))
        return rows[0] if rows else None

    def set_link(self, platform: str, scope: str, vendor: str, meeting_id: str, linked_by: str) -> None:
        self.db["links"].upsert(  # type: ignore[union-attr]
            {"platform": platform, "scope": scope, "vendor": vendor, "meeting_id": meeting_id,
             "linked_by": linked_by, "linked_at": _iso(self.now())},
            pk=("platform", "scope"),
        )

    # ---- proposals (buttons) --------------------------------------------------------------
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
        pid = secrets.token_urlsafe(9)
        now = self.now()
        self.db["proposals"].insert(  # type: ignore[union-attr]
            {
                "id": pid,
                "platform": platform,
                "requester": requester,
                "action": action,
                "payload": json.dumps(payload, ensure_ascii=False),
                "channel": channel,
                "thread": thread,
                "created_at": _iso(now),
                "expires_at": _iso(now + ttl),
                "status": "pending",
            }
        )
        return pid

    def get_proposal(self, pid: str) -> Proposal | None:
        rows = list(self.db["proposals"].rows_where("id = ?", [pid]))
        if not rows:
            return None
        r = rows[0]
        return Proposal(
            id=r["id"], platform=r["platform"], requester=r["requester"], action=r["action"],
            payload=json.loads(r["payload"]), channel=r["channel"], thread=r["thread"], status=r["status"],
            expires_at=datetime.fromisoformat(r["expires_at"]),
        )

    def claim_proposal(self, pid: str, user: str, *, outcome: str = "claimed") -> Proposal:
        """Atomically move a pending, unexpired proposal of `user` to `outcome`; else raise ClaimError.

        The conditional UPDATE is what makes a double click, a redelivered click or a click racing
        another one run the action at most once: only one UPDATE can match status='pending'.
        """
        proposal = self.get_proposal(pid)
        if proposal is None:
            raise ClaimError("unknown")
        if user not in proposal.pressers:
            raise ClaimError("not_yours", proposal)
        now = self.now()
        cur = self.db.execute(
            "UPDATE proposals SET status = ?, resolved_by = ?, resolved_at = ? "
            "WHERE id = ? AND status = 'pending' AND expires_at > ?",
            [outcome, user, _iso(now), pid, _iso(now)],
        )
        self.db.conn.commit()
        if cur.rowcount == 1:
            return proposal
        if proposal.status == "pending" and proposal.expires_at <= now:
            self.db.execute("UPDATE proposals SET status = 'expired' WHERE id = ? AND status = 'pending'", [pid])
            self.db.conn.commit()
            raise ClaimError("expired", proposal)
        raise ClaimError("used", proposal)

    def finish_proposal(self, pid: str, status: str) -> None:
        self.db.execute("UPDATE proposals SET status = ? WHERE id = ?", [status, pid])
        self.db.conn.commit()

    # ---- user tokens (through the vault) ---------------------------------------------------------
    def save_user_token(self, vendor: str, subject: str, token: str, refresh_token: str = "",
                        expires_at: datetime | None = None) -> None:
        self.db["user_tokens"].upsert(  # type: ignore[union-attr]
            {"vendor": vendor, "subject": subject, "token_enc": self.vault.seal(token),
             "refresh_enc": self.vault.seal(refresh_token) if refresh_token else "",
             "expires_at": _iso(expires_at) if expires_at else "", "updated_at": _iso(self.now())},
            pk=("vendor", "subject"),
        )

    def user_token(self, vendor: str, subject: str) -> UserToken | None:
        """The token `subject` granted us at `vendor`, expired or not (the caller decides), or None."""
        rows = list(self.db["user_tokens"].rows_where("vendor = ? AND subject = ?", [vendor, subject]))
        if not rows:
            return None
        r = rows[0]
        return UserToken(token=self.vault.open(r["token_enc"]),
                         refresh_token=self.vault.open(r["refresh_enc"]) if r["refresh_enc"] else "",
                         expires_at=datetime.fromisoformat(r["expires_at"]) if r["expires_at"] else None)

    def delete_user_token(self, vendor: str, subject: str) -> None:
        self.db.execute("DELETE FROM user_tokens WHERE vendor = ? AND subject = ?", [vendor, subject])
        self.db.conn.commit()

    # ---- audit ---------------------------------------------------------------------------
    def audit(self, **row: Any) -> None:
        row.setdefault("at", _iso(self.now()))
        for key in ("platform", "chat_user", "intent", "event", "vendor", "meeting", "vendor_ids",
                    "outcome", "vendor_code", "detail"):
            row.setdefault(key, "")
        row.setdefault("latency_ms", 0.0)
        self.db["audit"].insert(row)  # type: ignore[union-attr]

    def audit_rows(self, since: datetime | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """Audit rows, oldest first, optionally only from `since` on and only for chat user `user`."""
        where, args = [], []
        if since is not None:
            where.append("at >= ?")
            args.append(_iso(since))
        if user:
            where.append("chat_user = ?")
            args.append(user)
        return list(self.db["audit"].rows_where(" AND ".join(where) or None, args, order_by="id"))
