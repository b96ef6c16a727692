"""What both PostgreSQL pools share: the connection settings, the placeholders, the URL without its password."""

from __future__ import annotations

import functools

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from bot.config import ConfigError

CONNECT_TIMEOUT_S = 10.0
PING_S = 2.0


@functools.lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """The Store's `?` placeholders as psycopg's `%s` (the Store's SQL has no literal ? or %)."""
    return sql.replace("?", "%s")


@functools.lru_cache(maxsize=16)
def redact(url: str) -> str:
    """`postgresql://user@host:port/db` — never the password. Cached: /healthz names the store on every poll
    (a load balancer's every second or so), and parsing the URL each time cost ~0.15 ms of the event loop."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://?"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


def unreachable(path: str, err: Exception) -> ConfigError:
    return ConfigError(f"HOSTBOT_DB: cannot use PostgreSQL at {redact(path)}: "
                       f"{str(err).strip() or type(err).__name__}")


def pool_kwargs(connect_timeout: float) -> dict[str, object]:
    """Every connection of either pool: autocommit, rows as dicts."""
    return {"autocommit": True, "row_factory": dict_row, "connect_timeout": int(connect_timeout)}
