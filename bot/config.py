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

from dotenv import dotenv_values


class ConfigError(ValueError):
    """A setting is present but unusable; the message says which and how to fix it."""


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
    db_pool: int = 4  # HOSTBOT_DB_POOL: connections per replica to PostgreSQL
    admins: tuple[str, ...] = field(default_factory=tuple)
    tz: str = "UTC"
    port: int = 3000
    secret_key: str = ""
    public_url: str = ""  # HOSTBOT_PUBLIC_URL: hostbot's public base URL (Feishu OAuth redirect_uri)
    confirm: str = ""  # HOSTBOT_CONFIRM: per-intent confirmation overrides (see bot/policy.py)
    confirm_ttl: int = 300  # HOSTBOT_CONFIRM_TTL: seconds a Confirm/Approve button stays valid
    handover_lead_min: float = 10.0  # HOSTBOT_HANDOVER_LEAD_MIN: remind this long before a scheduled handover
    handover_grace_min: float = 15.0  # HOSTBOT_HANDOVER_GRACE_MIN: a handover missed while down runs this late
    handover_lease_s: float = 30.0  # HOSTBOT_HANDOVER_LEASE_S: a silent replica's runs are taken over after this
    log_format: str = "plain"  # HOSTBOT_LOG_FORMAT: plain | json (bot/logs.py)
    log_level: str = "INFO"  # HOSTBOT_LOG_LEVEL: DEBUG | INFO | WARNING | ERROR

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
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return settings_from_mapping(values)


def settings_from_mapping(values: Mapping[str, str]) -> Settings:
    kwargs: dict[str, object] = {}
    for env, attr in _ENV_FIELDS.items():
        raw = values.get(env)
        if raw is not None and raw.strip() != "":
            kwargs[attr] = raw.strip()
    admins = values.get("HOSTBOT_ADMINS", "")
    kwargs["admins"] = tuple(a.strip() for a in admins.split(",") if a.strip())
    port = values.get("HOSTBOT_PORT", "").strip()
    if port:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"HOSTBOT_PORT must be a TCP port number, got {port!r}")
        kwargs["port"] = int(port)
    ttl = values.get("HOSTBOT_CONFIRM_TTL", "").strip()
    if ttl:
        if not ttl.isdigit() or int(ttl) < 10:
            raise ConfigError(f"HOSTBOT_CONFIRM_TTL must be a number of seconds (>= 10), got {ttl!r}")
        kwargs["confirm_ttl"] = int(ttl)
    pool = values.get("HOSTBOT_DB_POOL", "").strip()
    if pool:
        if not pool.isdigit() or not 1 <= int(pool) <= 100:
            raise ConfigError(f"HOSTBOT_DB_POOL must be a number of connections (1 to 100), got {pool!r}")
        kwargs["db_pool"] = int(pool)
    lease = values.get("HOSTBOT_HANDOVER_LEASE_S", "").strip()
    if lease:
        try:
            seconds = float(lease)
        except ValueError:
            seconds = -1.0
        if not 1 <= seconds <= 3600:
            raise ConfigError(f"HOSTBOT_HANDOVER_LEASE_S must be a number of seconds (1 to 3600), got {lease!r}")
        kwargs["handover_lease_s"] = seconds
    mode = str(kwargs.get("feishu_mode", "webhook")).lower()
    if mode not in ("webhook", "ws"):
        raise ConfigError(f"FEISHU_MODE must be 'webhook' or 'ws', got {mode!r}")
    kwargs["feishu_mode"] = mode
    for env, attr in (("HOSTBOT_HANDOVER_LEAD_MIN", "handover_lead_min"),
                      ("HOSTBOT_HANDOVER_GRACE_MIN", "handover_grace_min")):
        raw = values.get(env, "").strip()
        if raw:
            try:
                minutes = float(raw)
            except ValueError:
                minutes = -1.0
            if not 0 <= minutes <= 7 * 24 * 60:
                raise ConfigError(f"{env} must be a number of minutes (0 to 10080), got {raw!r}")
            kwargs[attr] = minutes
    for env, attr, allowed in (("HOSTBOT_LOG_FORMAT", "log_format", ("plain", "json")),
                               ("HOSTBOT_LOG_LEVEL", "log_level", ("INFO", "DEBUG", "WARNING", "ERROR"))):
        raw = str(kwargs.get(attr, allowed[0]))
        value = raw.lower() if attr == "log_format" else raw.upper()
        if value not in allowed:
            raise ConfigError(f"{env} must be one of {', '.join(allowed)}, got {raw!r}")
        kwargs[attr] = value
    return Settings(**kwargs)  # type: ignore[arg-type]
