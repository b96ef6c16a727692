"""Group commit: the one thread that writes the SQLite file, one transaction (one fsync) per batch of writes.

Writes are queued as they are asked. The thread takes every write waiting (at most BATCH), runs each in a
SAVEPOINT of one transaction — a write that fails is rolled back alone and its caller gets the error — and
COMMITs once, with synchronous=FULL: every write of the batch is on disk before any of their callers is told it
is done. Under load a burst of writes costs one fsync instead of one each; alone, a write commits at once, as
before (nothing waits to fill a batch).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from bot.store.sqlite.rows import SqliteRows

T = TypeVar("T")
BATCH = 64
Job = tuple[Callable[[], Any], "Future[Any]"]


class GroupWriter:
    """The writer thread of one connection (see the module docstring)."""

    def __init__(self, rows: SqliteRows, name: str = "hostbot-store-writer") -> None:
        self._rows = rows
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False
        self._thread.start()

    def submit(self, work: Callable[[], T]) -> Future[T]:
        if self._closed:
            raise RuntimeError("the store is closed")
        done: Future[T] = Future()
        self._jobs.put((work, done))
        return done

    def close(self) -> None:
        """Let the writes already asked for finish, then stop the thread (blocking: call it off the loop)."""
        if not self._closed:
            self._closed = True
            self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < BATCH:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[Job]) -> None:
        rows, conn = self._rows, self._rows.db.conn
        answers: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            with rows.in_transaction():
                for n, (work, done) in enumerate(batch):
                    conn.execute(f"SAVEPOINT w{n}")
                    try:
                        answers.append((done, work(), None))
                    except Exception as err:  # this write only: the others of the batch stay
                        conn.execute(f"ROLLBACK TO w{n}")
                        answers.append((done, None, err))
                    conn.execute(f"RELEASE w{n}")
        except Exception as err:  # the COMMIT itself failed (disk full, I/O): nothing of the batch was kept
            for _, done in batch:
                done.set_exception(err)
            return
        for done, value, failed in answers:
            if failed is None:
                done.set_result(value)
            else:
                done.set_exception(failed)
