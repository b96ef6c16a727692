"""Who writes to a SQLite file of this process, and when: private files, and writers taking turns."""

from __future__ import annotations

import contextlib
import os
import stat
import threading


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


class WriteTurns:
    """One writer at a time among this process's connections to one SQLite file, in the order they asked.

    SQLite has no queue for its write lock: a connection that finds it taken sleeps and polls (1, 2, 5 …
    100 ms apart) until busy_timeout. Beside another connection that writes without pause (retention's
    batches, a second Store on the same file, a test's writer), the lock is taken again between two polls
    nearly every time, and a bot write fails after 5 s with "database is locked" although every commit is
    short. Taking turns here first (a ticket lock: FIFO, reentrant per thread) means a write of this
    process never polls against another write of this process; SQLite's busy_timeout still covers other
    processes (`hostbot users`, a backup)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = self._serving = 0
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return
            ticket, self._next = self._next, self._next + 1
            while ticket != self._serving:
                self._cond.wait()
            self._owner, self._depth = me, 1

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._serving += 1
                self._cond.notify_all()


_TURNS: dict[str, WriteTurns] = {}
_TURNS_LOCK = threading.Lock()


def write_turns(path: str) -> WriteTurns:
    """The turns of every connection of this process to the file at `path` (each ":memory:" its own)."""
    if path == ":memory:":
        return WriteTurns()
    with _TURNS_LOCK:
        return _TURNS.setdefault(os.path.realpath(path), WriteTurns())
