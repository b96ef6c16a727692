"""Logs: one line per request and per vendor call, plain or JSON, each carrying its request id.

    configure(fmt, level)      one handler on the root logger (stderr): "plain" (default) or "json"
                               (HOSTBOT_LOG_FORMAT=json), level from HOSTBOT_LOG_LEVEL (default INFO)
    request_scope(platform)    binds a request id (a contextvar) to everything awaited inside it, so
                               the chat event's id reaches every vendor call made for it
    event(logger, msg, **kv)   one structured line: plain renders `msg k=v …`, JSON one object
    protect(*secrets)          exact values masked wherever they would appear (the configured tokens)

What never reaches a line: a token (every formatted line is scrubbed of token shapes — Slack
xox?-/xapp-, Bearer/Basic credentials, Feishu t-/u- tokens, JWTs, `secret=`-style pairs — and of
the configured secrets), and a message's text (request lines carry its length, never its words).
Third-party loggers that can print request bodies at DEBUG are held at WARNING.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("plain", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Libraries that log request/response bodies or headers at DEBUG/INFO (slack_sdk logs the
# Authorization header at DEBUG, httpx every URL at INFO): never below WARNING.
QUIET = ("httpx", "httpcore", "slack_sdk", "slack_bolt", "urllib3", "aiohttp", "apscheduler", "Lark",
         "websockets", "uvicorn", "asyncio")

SDK_OWN_HANDLERS = "Lark"  # lark-oapi's logger (lark_oapi/core/log.py), which prints to stdout itself
_REQUEST_ID: ContextVar[str] = ContextVar("hostbot_request_id", default="")
_SECRETS: set[str] = set()
_SDK_QUIET: ContextVar[bool] = ContextVar("hostbot_sdk_quiet", default=False)
_MIN_SECRET = 6  # shorter values would mask ordinary words

_TOKEN_SHAPES = re.compile(
    r"xox[abposre]-[A-Za-z0-9-]+"  # Slack bot/user/refresh tokens
    r"|xapp-[A-Za-z0-9-]+"  # Slack app-level tokens
    r"|(?<=Bearer )[A-Za-z0-9._~+/=-]+|(?<=Basic )[A-Za-z0-9+/=]+"  # Authorization header values
    r"|(?<![\w-])[tu]-[A-Za-z0-9_.-]{16,}"  # Feishu tenant / user access tokens
    r"|eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]+)*"  # JWTs (Zoom access tokens)
)
_SECRET_PAIRS = re.compile(
    r"(?i)((?:access_token|refresh_token|tenant_access_token|app_secret|appsecret|client_secret|secret|password"
    r"|token)[\"']?\s*[:=]\s*[\"']?)([^\"'\s&,;}]+)")
_MASK = "***"
_STD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "fields", "request_id", "taskName"}


def new_request_id(platform: str = "") -> str:
    """A short id unique enough to follow one request through the log: 'slack-3f9c2a1b'."""
    return f"{platform or 'req'}-{secrets.token_hex(4)}"


@contextlib.contextmanager
def request_scope(platform: str = "", request_id: str = "") -> Iterator[str]:
    """Bind a request id for the block (and every task it starts); an id already bound is kept, so
    the adapter that received the event and the dispatcher under it share one id."""
    rid = request_id or _REQUEST_ID.get() or new_request_id(platform)
    token = _REQUEST_ID.set(rid)
    try:
        yield rid
    finally:
        _REQUEST_ID.reset(token)


def event(logger: logging.Logger, msg: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log `msg` with structured fields (`k=v` in plain lines, keys of the JSON object)."""
    if logger.isEnabledFor(level):
        logger.log(level, msg, extra={"fields": fields})


def protect(*values: str) -> None:
    """Mask these exact values (configured tokens and secrets) in every line from now on."""
    _SECRETS.update(v for v in values if v and len(v) >= _MIN_SECRET)


def scrub(text: str) -> str:
    """`text` with every protected value and every token shape replaced by ***."""
    for value in sorted(_SECRETS, key=len, reverse=True):
        if value in text:
            text = text.replace(value, _MASK)
    text = _TOKEN_SHAPES.sub(_MASK, text)
    return _SECRET_PAIRS.sub(lambda m: m.group(1) + _MASK, text)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = dict(getattr(record, "fields", None) or {})
    # extra={...} keys given the stdlib way are fields too
    fields.update({k: v for k, v in vars(record).items() if k not in _STD_ATTRS and not k.startswith("_")})
    return fields


def _plain_value(value: Any) -> str:
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or re.search(r"[\s\"=]", text)) else text


class PlainFormatter(logging.Formatter):
    """`2026-01-05T09:00:00.123Z INFO bot.core.flow.dispatch [slack-3f9c2a1b] request platform=slack …`"""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        rid = getattr(record, "request_id", "") or _REQUEST_ID.get()
        parts = [stamp, record.levelname, record.name]
        if rid:
            parts.append(f"[{rid}]")
        parts.append(record.getMessage())
        parts += [f"{k}={_plain_value(v)}" for k, v in _fields(record).items() if v is not None]
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return scrub(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, then the line's fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", "") or _REQUEST_ID.get()
        if rid:
            out["request_id"] = rid
        for key, value in _fields(record).items():
            if value is not None:
                out.setdefault(key, value if isinstance(value, int | float | bool) else str(value))
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return scrub(json.dumps(out, ensure_ascii=False))


class _RequestIdFilter(logging.Filter):
    """Stamp the request id when the record is made (handlers may run after the context is gone)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = _REQUEST_ID.get()
        return True


class _QuietFilter(logging.Filter):
    """Below WARNING, nothing from QUIET libraries: some copy the root level into their own loggers
    when created (slack_bolt does), so lowering their level at configure() time is not enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return not any(record.name == q or record.name.startswith((q + ".", q + ":")) for q in QUIET)


class _HostbotHandler(logging.StreamHandler):
    """Our handler, told apart from others (pytest's) so configure() replaces only its own."""


def configure(fmt: str = "plain", level: str | int = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Install (or replace) hostbot's handler on the root logger; returns it."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _HostbotHandler)]:
        root.removeHandler(old)
    handler = _HostbotHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    handler.addFilter(_QuietFilter())
    handler.addFilter(_RequestIdFilter())
    numeric = level if isinstance(level, int) else logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    adopt_sdk_logger(SDK_OWN_HANDLERS)
    return handler


def adopt_sdk_logger(name: str) -> None:
    """Route a library logger that brings its own handler (lark-oapi: a stdout StreamHandler added when
    it is imported, and `logger.exception` for every refused webhook request) through hostbot's
    handlers: formatted, scrubbed, one line per record (no traceback). Done with a logger filter, so
    it holds whether the library is imported before or after configure()."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, _Adopted) for f in logger.filters):
        logger.addFilter(_Adopted())


@contextlib.contextmanager
def sdk_quiet() -> Iterator[None]:
    """Drop the adopted library's records inside the block (and threads started with its context, as
    asyncio.to_thread), where the caller logs the outcome itself: one line per request, not three."""
    token = _SDK_QUIET.set(True)
    try:
        yield
    finally:
        _SDK_QUIET.reset(token)


class _Adopted(logging.Filter):
    """Re-emits the record, shortened to one line, through the root logger's handlers, then stops it
    (False), so the library's own handler never writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SDK_QUIET.get():  # the caller reports the failure in its own line
            return False
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()} ({type(record.exc_info[1]).__name__})"
            record.args = None
        first = record.getMessage().splitlines()[0] if record.getMessage() else ""
        record.msg, record.args = first[:500], None
        record.exc_info = record.exc_text = record.stack_info = None
        for handler in logging.getLogger().handlers:
            if record.levelno >= handler.level:
                handler.handle(record)
        return False


class Timer:
    """Milliseconds since creation, for the `ms=` of a line."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def ms(self) -> float:
        return round((time.monotonic() - self.started) * 1000, 1)
