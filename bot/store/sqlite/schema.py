"""The SQLite schema: named migrations (sqlite-utils), the schema's truth.

bot/store/postgres/schema.py mirrors them name by name and column by column, and a test compares the two.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.store.rows.base import VENDOR_ID_COLUMNS

migrations = Migrations("hostbot")


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
            "requester": str,  # who may press the buttons
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
    """Scheduled handovers (bot/scheduling/book.py reads and writes them; bot/scheduling/scheduler.py runs them).

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
def m004_replicas(db: sqlite_utils.Database) -> None:
    """Replica leases (bot/store/rows/handovers.py) and the shared vendor rate budget (bot/store/postgres/budget.py).

    SQLite serves one process, so it never uses the budget tables; they exist for one schema on both.
    """
    db["replicas"].create(  # type: ignore[union-attr]
        {"owner": str, "started_at": str, "lease_until": str}, pk="owner")
    db["rate_budget"].create(  # type: ignore[union-attr]
        {"name": str, "paused_until": float}, pk="name", defaults={"paused_until": 0.0})
    db["rate_slots"].create({"name": str, "at": float})  # type: ignore[union-attr]
    db["rate_slots"].create_index(["name", "at"])  # type: ignore[union-attr]


@migrations()
def m005_mappings(db: sqlite_utils.Database) -> None:
    """An admin's mappings, field by field (`hostbot users set`): each overrides exactly the id it
    sets; the other ids still come from the chat profile and the directories. A value of "-"
    pins "no id for this vendor". Rows that were mappings before (source = "mapping") become one
    mapping per field they held. Handovers remember when they were first due (a snooze moves an
    approved one 30 minutes in all, at most)."""
    db["mappings"].create(  # type: ignore[union-attr]
        {"platform": str, "chat_user": str, "field": str, "value": str, "set_at": str},
        pk=("platform", "chat_user", "field"),
    )
    db["mappings"].create_index(["field", "value"])  # type: ignore[union-attr]
    db["handovers"].add_column("first_due_at", str, not_null_default="")  # type: ignore[union-attr]
    for row in list(db["people"].rows_where("source = ?", ["mapping"])):
        for column in ("email", *VENDOR_ID_COLUMNS.values()):
            if row.get(column):
                db["mappings"].insert({"platform": row["platform"], "chat_user": row["chat_user"],  # type: ignore[union-attr]
                                       "field": column, "value": row[column], "set_at": row.get("updated_at") or ""})


@migrations()
def m006_undos(db: sqlite_utils.Database) -> None:
    """Undo buttons after a host or co-host change (bot/store/rows/undos.py): what to put back, who may
    press, until when. status: pending -> claimed -> done | stale | failed; pending -> expired."""
    db["undos"].create(  # type: ignore[union-attr]
        {"id": str, "platform": str, "channel": str, "thread": str, "lang": str, "tz": str, "requester": str,
         "pressers": str, "vendor": str, "meeting_id": str, "meeting_display": str, "operation": str,
         "restore": str, "made": str, "created_at": str, "expires_at": str, "status": str,
         "resolved_by": str, "resolved_at": str},
        pk="id", defaults={"status": "pending", "resolved_by": "", "resolved_at": ""},
    )


@migrations()
def m007_running_meetings(db: sqlite_utils.Database) -> None:
    """Meetings running now, as Feishu's tenant events tell them (bot/store/rows/running.py): a hint for
    "this meeting" when nothing names one. status: running | ended."""
    db["running_meetings"].create(  # type: ignore[union-attr]
        {"vendor": str, "meeting_id": str, "host": str, "owner": str, "topic": str, "number": str, "status": str,
         "updated_at": str},
        pk=("vendor", "meeting_id"),
    )
    db["running_meetings"].create_index(["vendor", "host"])  # type: ignore[union-attr]


@migrations()
def m008_leases(db: sqlite_utils.Database) -> None:
    """Named leases (bot/store/rows/leases.py): one change per meeting at a time on vendors without a
    compare-and-swap, one Feishu user-token renewal per person, across replicas."""
    db["leases"].create({"name": str, "holder": str, "until": str}, pk="name")  # type: ignore[union-attr]


@migrations()
def m009_role_reverts(db: sqlite_utils.Database) -> None:
    """Roles that expire ("make @bob co-host for 30 minutes"): a handover may put a co-host change back
    (operation remove_cohost; set_host as before), and the Undo of the change names the handover that
    would put it back (cancelled with the Undo)."""
    db["handovers"].add_column("operation", str, not_null_default="set_host")  # type: ignore[union-attr]
    db["undos"].add_column("handover", str, not_null_default="")  # type: ignore[union-attr]


@migrations()
def m010_rate_booking(db: sqlite_utils.Database) -> None:
    """PostgreSQL books a shared rate slot in one call (a function); one SQLite file is one process, whose
    limiter paces alone: nothing to add here, the number keeps both backends' migrations in step."""
