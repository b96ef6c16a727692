"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl in a temporary folder, 127.0.0.1 only.

Where the server comes from, in order:
  HOSTBOT_TEST_PG_URL      an existing server to use (a fresh database is created per test)
  HOSTBOT_PG_BIN           the folder holding initdb and pg_ctl
  pg_ctl on PATH, else /usr/lib/postgresql/*/bin (Debian's postgresql-NN package puts them there)
initdb and pg_ctl refuse to run as root: as root they run as the `postgres` user (runuser), in a
folder handed to it. Without a server the PostgreSQL tests are skipped with one line saying how to
get one — unless HOSTBOT_REQUIRE_PG=1 (.ci/run sets it), when they fail instead.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SKIP_LINE = ("PostgreSQL tests skipped: no initdb/pg_ctl found (install postgresql, or set HOSTBOT_PG_BIN or "
             "HOSTBOT_TEST_PG_URL; .ci/run sets HOSTBOT_REQUIRE_PG=1 to make them required)")


def find_bin() -> Path | None:
    given = os.environ.get("HOSTBOT_PG_BIN")
    if given:
        return Path(given) if (Path(given) / "pg_ctl").is_file() else None
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]), reverse=True)
    return Path(found[0]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One PostgreSQL server in a temporary folder; `url` connects as the superuser `postgres`."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="hostbot-pg-"))
        self.data = self.root / "data"
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")

    def start(self) -> Cluster:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def required() -> bool:
    return os.environ.get("HOSTBOT_REQUIRE_PG", "") not in ("", "0")


@contextlib.contextmanager
def server() -> Iterator[str | None]:
    """The URL of a PostgreSQL server's `postgres` database for this test session, or None."""
    given = os.environ.get("HOSTBOT_TEST_PG_URL")
    if given:
        yield given
        return
    bindir = find_bin()
    if bindir is None:
        yield None
        return
    cluster = Cluster(bindir).start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


def fresh_database(admin_url: str) -> str:
    """CREATE DATABASE with a random name; its URL (every test gets an empty database)."""
    import psycopg

    name = f"hostbot_{secrets.token_hex(5)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def drop_database(admin_url: str, url: str) -> None:
    """DROP DATABASE of fresh_database's `url`, whoever is still connected (a killed replica's sessions)."""
    import psycopg

    name = url.rpartition("/")[2]
    with contextlib.suppress(psycopg.Error), psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def unavailable() -> None:
    """Fail (CI) or skip (a laptop without PostgreSQL), with one clear line."""
    if required():
        pytest.fail("HOSTBOT_REQUIRE_PG=1 but no PostgreSQL: " + SKIP_LINE, pytrace=False)
    pytest.skip(SKIP_LINE)
