"""Settings: the environment (and an optional .env) read once into a typed value.

Nothing else in hostbot reads os.environ; bot/app.py hands these values to whoever needs them.
The variable names are a contract (DESIGN.md), so they are spelled out here verbatim.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dotenv import dotenv_values

# HOSTBOT_DB_POOL's default: connections per PostgreSQL pool. Every statement of a request waits for one, so with
# the database a few ms away the pool is what a burst queues for: bench/stores.py (100 commands, PostgreSQL 2 ms
# away) waited 0.95 s for its first vendor call with 4, 0.65-0.8 s with 10. Both pools have min_size 1: a quiet
# replica holds one connection in each.
DEFAULT_DB_POOL = 10


class ConfigError(ValueError):
    """A setting is present but unusable; the message says which and how to fix it.

    Raised with a list of problems (from read_settings), it keeps them in `problems`, one line each."""

    def __init__(self, message: str | list[str]) -> None:
        self.problems = [message] if isinstance(message, str) else list(message)
        if len(self.problems) == 1:
            text = self.problems[0]
        else:
            text = f"{len(self.problems)} settings are wrong:\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(text)


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"

    feishu_app_id: str = ""
    feishu_app_secret: str = ""
    feishu_verification_token: str = ""
    feishu_encrypt_key: str = ""
    feishu_domain: str = "https://open.feishu.cn"
    feishu_mode: str = "webhook"

    dingtalk_app_key: str = ""
    dingtalk_app_secret: str = ""
    dingtalk_api_base: str = "https://api.dingtalk.com"

    webex_token: str = ""
    webex_site_url: str = ""
    webex_api_base: str = "https://webexapis.com/v1"

    zoom_account_id: str = ""
    zoom_client_id: str = ""
    zoom_client_secret: str = ""
    zoom_api_base: str = "https://api.zoom.us/v2"
    zoom_oauth_url: str = "https://zoom.us/oauth/token"

    db_path: str = "hostbot.db"  # HOSTBOT_DB: a SQLite file, or a postgresql:// URL (several replicas)
    db_pool: int = DEFAULT_DB_POOL  # HOSTBOT_DB_POOL: connections per pool to PostgreSQL (a replica has two)
    admins: tuple[str, ...] = field(default_factory=tuple)
    tz: str = "UTC"
    port: int = 3000
    secret_key: str = ""
    public_url: str = ""  # HOSTBOT_PUBLIC_URL: hostbot's public base URL (Feishu OAuth redirect_uri)
    confirm: str = ""  # HOSTBOT_CONFIRM: per-intent confirmation overrides (see bot/core/decide/policy.py)
    confirm_ttl: int = 300  # HOSTBOT_CONFIRM_TTL: seconds a Confirm/Approve button stays valid
    undo_min: float = 10.0  # HOSTBOT_UNDO_MIN: minutes an Undo button stays valid after a host/co-host change
    handover_lead_min: float = 10.0  # HOSTBOT_HANDOVER_LEAD_MIN: remind this long before a scheduled handover
    handover_grace_min: float = 15.0  # HOSTBOT_HANDOVER_GRACE_MIN: a handover missed while down runs this late
    handover_lease_s: float = 30.0  # HOSTBOT_HANDOVER_LEASE_S: a silent replica's runs are taken over after this
    shutdown_grace_s: float = 20.0  # HOSTBOT_SHUTDOWN_GRACE_S: on SIGTERM, work under way gets this long to finish
    log_format: str = "plain"  # HOSTBOT_LOG_FORMAT: plain | json (bot/telemetry/logs.py)
    log_level: str = "INFO"  # HOSTBOT_LOG_LEVEL: DEBUG | INFO | WARNING | ERROR
    retention_days: int = 90  # HOSTBOT_RETENTION_DAYS: audit rows older than this are pruned (0: never)
    delivery_retention_hours: int = 48  # HOSTBOT_DELIVERY_RETENTION_HOURS: delivery ids, finished proposals

    @property
    def feishu_configured(self) -> bool:
        return bool(self.feishu_app_id and self.feishu_app_secret)

    def __repr__(self) -> str:  # never print secrets, even in a debugger or a traceback
        db = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", self.db_path)  # a PostgreSQL URL's password
        return f"Settings(db_path={db!r}, feishu={self.feishu_configured}, port={self.port})"


# env var name -> Settings field
_ENV_FIELDS: dict[str, str] = {
    "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "SLACK_APP_TOKEN": "slack_app_token",
    "SLACK_API_URL": "slack_api_url",
    "FEISHU_APP_ID": "feishu_app_id",
    "FEISHU_APP_SECRET": "feishu_app_secret",
    "FEISHU_VERIFICATION_TOKEN": "feishu_verification_token",
    "FEISHU_ENCRYPT_KEY": "feishu_encrypt_key",
    "FEISHU_DOMAIN": "feishu_domain",
    "FEISHU_MODE": "feishu_mode",
    "DINGTALK_APP_KEY": "dingtalk_app_key",
    "DINGTALK_APP_SECRET": "dingtalk_app_secret",
    "DINGTALK_API_BASE": "dingtalk_api_base",
    "WEBEX_TOKEN": "webex_token",
    "WEBEX_SITE_URL": "webex_site_url",
    "WEBEX_API_BASE": "webex_api_base",
    "ZOOM_ACCOUNT_ID": "zoom_account_id",
    "ZOOM_CLIENT_ID": "zoom_client_id",
    "ZOOM_CLIENT_SECRET": "zoom_client_secret",
    "ZOOM_API_BASE": "zoom_api_base",
    "ZOOM_OAUTH_URL": "zoom_oauth_url",
    "HOSTBOT_DB": "db_path",
    "HOSTBOT_TZ": "tz",
    "HOSTBOT_SECRET_KEY": "secret_key",
    "HOSTBOT_PUBLIC_URL": "public_url",
    "HOSTBOT_CONFIRM": "confirm",
    "HOSTBOT_LOG_FORMAT": "log_format",
    "HOSTBOT_LOG_LEVEL": "log_level",
}


def load_settings(environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = ".env") -> Settings:
    """Read settings: real environment variables win over the optional .env file."""
    return settings_from_mapping(_values(environ, dotenv_path))


def check_environment(environ: Mapping[str, str] | None = None,
                      dotenv_path: str | Path | None = ".env") -> tuple[Settings, list[str]]:
    """As startup_settings, but never raising: the usable settings and every problem `hostbot run` would
    stop on (for doctor, which shows each as a ✗ row: one validation for both)."""
    settings, problems = read_settings(_values(environ, dotenv_path))
    return settings, problems + startup_problems(settings)


def startup_settings(environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = ".env") -> Settings:
    """`hostbot run`'s settings: a ConfigError listing every bad value and every half-configured
    platform at once, the same lines `hostbot doctor` shows as ✗."""
    settings, problems = check_environment(environ, dotenv_path)
    if problems:
        raise ConfigError(problems)
    return settings


def _values(environ: Mapping[str, str] | None, dotenv_path: str | Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


def settings_from_mapping(values: Mapping[str, str]) -> Settings:
    """The settings, or a ConfigError listing every bad one (one line each) when any is wrong."""
    settings, problems = read_settings(values)
    if problems:
        raise ConfigError(problems)
    return settings


def read_settings(values: Mapping[str, str]) -> tuple[Settings, list[str]]:
    """Every setting checked at once: the settings (a bad value replaced by its default) and one
    line per bad value, so that `hostbot doctor` can list them all and still check the rest."""
    kwargs: dict[str, object] = {}
    problems: list[str] = []
    for env, attr in _ENV_FIELDS.items():
        raw = values.get(env)
        if raw is not None and raw.strip() != "":
            kwargs[attr] = raw.strip()
    admins = values.get("HOSTBOT_ADMINS", "")
    kwargs["admins"] = tuple(a.strip() for a in admins.split(",") if a.strip())
    for env, attr, low, high, unit in _NUMBERS:
        raw = values.get(env, "").strip()
        if not raw:
            continue
        number = _number(raw, integer=isinstance(getattr(Settings, attr), int))
        if number is None or not low <= number <= high:
            problems.append(f"{env} must be {unit}, got {raw!r}")
        else:
            kwargs[attr] = number
    for env, attr, allowed in _CHOICES:
        raw = str(kwargs.pop(attr, allowed[0]))
        value = raw.upper() if attr == "log_level" else raw.lower()
        if value in allowed:
            kwargs[attr] = value
        elif attr == "feishu_mode":
            problems.append(f"FEISHU_MODE must be 'webhook' or 'ws', got {raw!r}")
        else:
            problems.append(f"{env} must be one of {', '.join(allowed)}, got {raw!r}")
    confirm = confirm_problems(str(kwargs.get("confirm", "")))
    if confirm:
        problems += confirm
        kwargs.pop("confirm")
    problems += _url_problems(kwargs)
    problems += _tz_problems(kwargs)
    settings = Settings(**kwargs)  # type: ignore[arg-type]
    problems += _feishu_webhook_problems(settings)
    return settings, problems


# (env, field, lowest, highest, what it must be) — numbers; a bad one keeps the default
_NUMBERS: tuple[tuple[str, str, float, float, str], ...] = (
    ("HOSTBOT_PORT", "port", 1, 65535, "a TCP port number"),
    ("HOSTBOT_CONFIRM_TTL", "confirm_ttl", 10, 7 * 24 * 3600, "a number of seconds (>= 10)"),
    ("HOSTBOT_UNDO_MIN", "undo_min", 1, 24 * 60, "a number of minutes (1 to 1440)"),
    ("HOSTBOT_HANDOVER_LEAD_MIN", "handover_lead_min", 0, 7 * 24 * 60, "a number of minutes (0 to 10080)"),
    ("HOSTBOT_HANDOVER_GRACE_MIN", "handover_grace_min", 0, 7 * 24 * 60, "a number of minutes (0 to 10080)"),
    ("HOSTBOT_RETENTION_DAYS", "retention_days", 0, 36500, "a number of days (0 = keep the audit for ever)"),
    ("HOSTBOT_DELIVERY_RETENTION_HOURS", "delivery_retention_hours", 1, 24 * 365, "a number of hours (>= 1)"),
    ("HOSTBOT_DB_POOL", "db_pool", 1, 100, "a number of connections (1 to 100)"),
    ("HOSTBOT_HANDOVER_LEASE_S", "handover_lease_s", 1, 3600, "a number of seconds (1 to 3600)"),
    ("HOSTBOT_SHUTDOWN_GRACE_S", "shutdown_grace_s", 0, 600, "a number of seconds (0 to 600)"),
)
_CHOICES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("FEISHU_MODE", "feishu_mode", ("webhook", "ws")),
    ("HOSTBOT_LOG_FORMAT", "log_format", ("plain", "json")),
    ("HOSTBOT_LOG_LEVEL", "log_level", ("INFO", "DEBUG", "WARNING", "ERROR")),
)
# HOSTBOT_CONFIRM: the intents that can be asked to confirm, and how (bot/core/decide/policy.py ConfirmMode)
CONFIRM_INTENTS = ("set_host", "add_cohost", "remove_cohost", "invite", "reassign", "link_meeting",
                   "schedule_handover", "cancel_handover")
CONFIRM_MODES = ("always", "never", "others")


def _number(raw: str, *, integer: bool) -> float | None:
    if integer:
        return int(raw) if raw.isdigit() else None
    try:
        number = float(raw)
    except ValueError:
        return None
    return number if number == number else None  # NaN is not a number of minutes


def confirm_problems(spec: str) -> list[str]:
    """HOSTBOT_CONFIRM: each INTENT=MODE names a known intent and a known mode."""
    problems = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, eq, mode = (x.strip() for x in part.partition("="))
        if not eq or mode.lower() not in CONFIRM_MODES:
            problems.append(f"HOSTBOT_CONFIRM: {part!r} should be INTENT={'|'.join(CONFIRM_MODES)}")
        elif name not in CONFIRM_INTENTS:
            problems.append(f"HOSTBOT_CONFIRM: unknown intent {name!r} (known: {', '.join(CONFIRM_INTENTS)})")
    return problems


def _url_problems(kwargs: dict[str, object]) -> list[str]:
    url = str(kwargs.get("public_url", ""))
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        del kwargs["public_url"]
        return [f"HOSTBOT_PUBLIC_URL must be hostbot's public base URL like https://hostbot.example.com, got {url!r}"]
    return []


def _feishu_webhook_problems(s: Settings) -> list[str]:
    """Webhook mode authenticates with both keys: the token alone travels in every plaintext event (a
    replay needs nothing else), the encrypt key alone leaves url_verification unauthenticated."""
    if not s.feishu_configured or s.feishu_mode != "webhook":
        return []
    if bool(s.feishu_encrypt_key) == bool(s.feishu_verification_token):
        return []  # both (webhook on) or neither (webhook off: POST /feishu/events answers 503)
    missing = "FEISHU_VERIFICATION_TOKEN" if s.feishu_encrypt_key else "FEISHU_ENCRYPT_KEY"
    return [f"{missing} is not set: Feishu webhook mode needs both FEISHU_ENCRYPT_KEY and "
            "FEISHU_VERIFICATION_TOKEN (Events & Callbacks → Encryption Strategy), or use FEISHU_MODE=ws"]


def _tz_problems(kwargs: dict[str, object]) -> list[str]:
    tz = str(kwargs.get("tz", "UTC"))
    try:
        ZoneInfo(tz)
    except (ValueError, KeyError, OSError):
        del kwargs["tz"]
        return [f"HOSTBOT_TZ must be an IANA time zone such as Europe/Berlin or Asia/Shanghai, got {tz!r}"]
    return []


# (platform, its credentials: all or none of them)
_TOGETHER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Feishu", ("FEISHU_APP_ID", "FEISHU_APP_SECRET")),
    ("DingTalk", ("DINGTALK_APP_KEY", "DINGTALK_APP_SECRET")),
    ("Zoom", ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET")),
)


def startup_problems(s: Settings) -> list[str]:
    """Values each fine alone that `hostbot run` cannot start with: a platform half configured (it would
    be quietly off, or take events nobody can authenticate), or nothing to serve or to change."""
    given = {env: bool(getattr(s, attr)) for env, attr in _ENV_FIELDS.items()}
    problems = []
    for name, names in _TOGETHER:
        missing = [n for n in names if not given[n]]
        if missing and len(missing) < len(names):
            problems.append(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: {name} needs "
                            f"{' and '.join(names)} together (set {'it' if len(missing) == 1 else 'them'}, or "
                            f"unset {', '.join(n for n in names if given[n])} to leave {name} off)")
    if s.slack_bot_token and not (s.slack_signing_secret or s.slack_app_token):
        problems.append("SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) is not set: with SLACK_BOT_TOKEN, Slack's "
                        "events must arrive signed with the app's Signing Secret (HTTP mode) or over Socket Mode "
                        "with an app-level token (xapp-…)")
    elif not s.slack_bot_token and (s.slack_signing_secret or s.slack_app_token):
        problems.append("SLACK_BOT_TOKEN is not set: Slack needs the Bot User OAuth Token (xoxb-…) beside "
                        f"{'SLACK_SIGNING_SECRET' if s.slack_signing_secret else 'SLACK_APP_TOKEN'}")
    half = bool(problems)  # a half-configured platform explains by itself why nothing is on
    if not (s.slack_bot_token or s.feishu_configured) and not half:
        problems.append("no chat platform is configured, so nothing would reach hostbot: set SLACK_BOT_TOKEN with "
                        "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or FEISHU_APP_ID and FEISHU_APP_SECRET with "
                        "FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN (or FEISHU_MODE=ws); see .env.example")
    vendors = (s.feishu_configured, s.dingtalk_app_key and s.dingtalk_app_secret, s.webex_token,
               s.zoom_account_id and s.zoom_client_id and s.zoom_client_secret)
    if not any(vendors) and not half:
        problems.append("no meeting vendor is configured, so hostbot could change no meeting: set the credentials "
                        "of Feishu, DingTalk, Webex or Zoom (see .env.example)")
    return problems
