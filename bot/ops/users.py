"""`hostbot users`: the admin's explicit mappings from chat users to vendor ids, field by field.

    hostbot users import FILE.csv [--platform P]     all rows or none; empty cells change nothing
    hostbot users list [--platform P] [--format table|json|csv]
    hostbot users set CHAT_USER vendor=id... [--platform P]   e.g. dingtalk=<unionId> zoom=a@x.com

CSV columns: chat_user (required), platform (or --platform), name, email, and one column per
vendor id, named by vendor key or by store column: feishu|feishu_open_id, feishu_union|
feishu_union_id, dingtalk|dingtalk_union_id, webex|webex_email, zoom|zoom_email.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path
from typing import Any

import click

from bot.config import load_settings
from bot.i18n import t
from bot.ops.tables import format_rows
from bot.store import VENDOR_ID_COLUMNS, Store

PLATFORMS = ("slack", "feishu", "console")
EMAIL_FIELDS = ("email", "webex_email", "zoom_email")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIST_COLUMNS = ("platform", "chat_user", "name", "email", *VENDOR_ID_COLUMNS.values(), "source", "updated_at")
# key as written (vendor key, store column, or name/email) -> store column
FIELD_OF: dict[str, str] = {**VENDOR_ID_COLUMNS, **{c: c for c in VENDOR_ID_COLUMNS.values()},
                            "name": "name", "email": "email"}


def _say(key: str, **values: object) -> str:
    return t("en", key, **values)  # admins' console: English, the same words as in the catalog


def _check(fields: dict[str, str]) -> str | None:
    for column in EMAIL_FIELDS:
        value = fields.get(column, "")
        if value and value != "-" and not _EMAIL.match(value):
            return _say("users_bad_email", value=value, column=column)
    return None


def guess_platform(store: Store, chat_user: str) -> str:
    """The platform of a chat user: where we already know them, else by the form of the id."""
    known = store.platforms_of(chat_user)
    if len(known) == 1:
        return str(known[0])
    if re.fullmatch(r"[UW][A-Z0-9]{2,}", chat_user):
        return "slack"
    if chat_user.startswith(("ou_", "on_")):
        return "feishu"
    return "console"


def read_rows(text: str, default_platform: str | None) -> tuple[list[tuple[str, str, dict[str, str]]], list[str]]:
    """(platform, chat_user, fields) per CSV row, and the problems found (line: what)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "chat_user" not in columns:
        return [], [_say("users_missing_column", column="chat_user", columns=", ".join(columns) or "-")]
    if "platform" not in columns and not default_platform:
        return [], [_say("users_missing_column", column="platform", columns=", ".join(columns))]
    rows: list[tuple[str, str, dict[str, str]]] = []
    problems: list[str] = []
    for line, raw in enumerate(reader, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        platform = row.get("platform") or default_platform or ""
        chat_user = row.get("chat_user", "")
        fields = {FIELD_OF[k]: v for k, v in row.items() if k in FIELD_OF and v}
        problem = None
        if platform not in PLATFORMS:
            problem = _say("users_bad_platform", platforms=", ".join(PLATFORMS), value=platform)
        elif not chat_user:
            problem = _say("users_empty_chat_user")
        else:
            problem = _check(fields)
        if problem:
            problems.append(f"{line}\x00{problem}")
        else:
            rows.append((platform, chat_user, fields))
    return rows, problems


def decode_csv(data: bytes) -> str | None:
    """A CSV as spreadsheets save it: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", with its
    BOM) or GB18030/GBK (Chinese Excel's "CSV"); None when it is none of them."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


@click.group()
def users() -> None:
    """Explicit mappings from chat users to vendor ids (each wins over lookups for its own id)."""


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--platform", type=click.Choice(PLATFORMS), default=None, help="for rows without a platform column")
def import_(file: Path, platform: str | None) -> None:
    """Import people from a CSV file (all rows or none)."""
    text = decode_csv(file.read_bytes())
    if text is None:
        click.echo(_say("users_import_encoding", file=file.name), err=True)
        sys.exit(1)
    rows, problems = read_rows(text, platform)
    if problems:
        for problem in problems:
            line, _, what = problem.rpartition("\x00")
            click.echo(_say("users_import_bad_row", file=file.name, line=line or 1, problem=what), err=True)
        click.echo(_say("users_import_failed"), err=True)
        sys.exit(1)
    store = Store(load_settings().db_path)
    try:
        store.upsert_people((plat, chat_user, {**fields, "source": "mapping"}) for plat, chat_user, fields in rows)
    finally:
        store.close()
    click.echo(_say("users_imported", count=len(rows), file=file.name))


@users.command("list")
@click.option("--platform", type=click.Choice(PLATFORMS), default=None)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def list_(platform: str | None, fmt: str) -> None:
    """Show every person hostbot knows, with their vendor ids and where they came from."""
    store = Store(load_settings().db_path)
    try:
        rows = [r for r in merged_people(store) if platform is None or r["platform"] == platform]
    finally:
        store.close()
    if not rows and fmt == "table":
        click.echo(_say("users_none"))
        return
    click.echo(format_people(rows, fmt))


def save_mapping(store: Store, platform: str, chat_user: str, fields: dict[str, str]) -> None:
    """An admin's ids, field by field (bot/core/identity/resolver.py merges them over what lookups find)."""
    name = fields.pop("name", "")
    row = store.person(platform, chat_user)
    if row is None:  # a row to find them by name, holding no ids of its own
        store.upsert_person(platform, chat_user, source="mapping", name=name)
    elif name:
        store.upsert_person(platform, chat_user, name=name)
    for field, value in fields.items():
        store.set_mapping(platform, chat_user, field, value)


def merged_people(store: Store) -> list[dict[str, Any]]:
    """Each person's row with the admin's mappings over it, and `sources`: where each id came from."""
    mappings: dict[tuple[str, str], dict[str, str]] = {}
    for m in store.all_mappings():
        mappings.setdefault((m["platform"], m["chat_user"]), {})[m["field"]] = m["value"]
    out = []
    for row in store.all_people():
        mapped = mappings.pop((row["platform"], row["chat_user"]), {})
        looked_up = str(row.get("source") or "profile")
        merged, sources = dict(row), []
        for column in ("email", *VENDOR_ID_COLUMNS.values()):
            if column in mapped:
                merged[column] = "(none)" if mapped[column] == "-" else mapped[column]
                sources.append(f"{column}=mapping")
            elif row.get(column) and looked_up != "mapping":
                sources.append(f"{column}={looked_up}")
            elif looked_up == "mapping":
                merged[column] = ""  # an old mapping row's ids now live in `mappings`
        merged["source"] = ", ".join(sources)
        out.append(merged)
    for (platform, chat_user), mapped in mappings.items():  # mapped, never seen
        out.append({"platform": platform, "chat_user": chat_user, **{c: ("(none)" if v == "-" else v)
                    for c, v in mapped.items()}, "source": ", ".join(f"{c}=mapping" for c in mapped)})
    return sorted(out, key=lambda r: (r["platform"], r["chat_user"]))


def format_people(rows: list[dict[str, Any]], fmt: str) -> str:
    """The table leaves out vendor columns nobody has; JSON and CSV keep every column."""
    picked = [{c: str(r.get(c) or "") for c in LIST_COLUMNS} for r in rows]
    shown = [c for c in LIST_COLUMNS if c == "chat_user" or any(p[c] for p in picked)]
    return format_rows(picked, LIST_COLUMNS, fmt, table_columns=shown)


@users.command("set")
@click.argument("chat_user")
@click.argument("pairs", nargs=-1, required=True)
@click.option("--platform", type=click.Choice(PLATFORMS), default=None,
              help="default: where CHAT_USER is known, else guessed from the id (U… slack, ou_… feishu)")
@click.option("--new", is_flag=True, help="CHAT_USER is somebody hostbot has not seen yet: add them")
def set_(chat_user: str, pairs: tuple[str, ...], platform: str | None, new: bool) -> None:
    """Set ids for one chat user: vendor=id ... Each overrides only that id; the others still come
    from lookups. An empty id clears the mapping (lookups again); "-" pins "no id for that vendor"."""
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key.strip().lower() not in FIELD_OF:
            raise click.UsageError(_say("users_bad_pair", pair=pair, vendors=", ".join([*VENDOR_ID_COLUMNS, "name",
                                                                                        "email"])))
        fields[FIELD_OF[key.strip().lower()]] = value.strip()
    problem = _check(fields)
    if problem:
        raise click.UsageError(problem)
    store = Store(load_settings().db_path)
    try:
        plat = platform or guess_platform(store, chat_user)
        known = store.person(plat, chat_user) is not None or any(
            m["platform"] == plat and m["chat_user"] == chat_user for m in store.all_mappings())
        if not known and not new:  # a typo or a name must not quietly become a new person
            raise click.UsageError(_say("users_set_unknown", chat_user=chat_user, platform=plat))
        save_mapping(store, plat, chat_user, dict(fields))
    finally:
        store.close()
    shown = ", ".join(f"{k}={v or '(cleared)'}" if v != "-" else f"{k}=(none)" for k, v in fields.items())
    click.echo(_say("users_set_done", platform=plat, chat_user=chat_user, fields=shown))
