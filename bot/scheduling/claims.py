"""Who claimed a handover run, and whether that claimer is gone (so another may take the run over).

An owner is `host:pid:boot`. On PostgreSQL, replicas run on other hosts (or in containers where
pids repeat), so only the owner's lease in the store counts (bot/store/rows/handovers.py): past it, the
owner is gone. On SQLite (one host, one file) a dead pid is known at once; a live-looking owner is
trusted until its claim is STALE_CLAIM old.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

from bot.store import AsyncStore

STALE_CLAIM = timedelta(minutes=10)  # a run claimed this long ago by a live-looking process is taken over
LIVE_BOOTS: set[str] = set()  # schedulers alive in this process (tests run several on one store)


def new_owner() -> tuple[str, str]:
    """(boot, owner) of a scheduler starting in this process; the boot is counted live."""
    boot = secrets.token_hex(4)
    LIVE_BOOTS.add(boot)
    return boot, f"{socket.gethostname()}:{os.getpid()}:{boot}"


async def owner_gone(store: AsyncStore, owner: str, claimed_at: datetime | None, now: datetime) -> bool:
    stale = claimed_at is not None and now - claimed_at > STALE_CLAIM
    if store.shared:
        lease = await store.lease_of(owner)
        return lease <= now if lease is not None else stale
    host, _, rest = owner.partition(":")
    pid_text, _, boot = rest.partition(":")
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            return boot not in LIVE_BOOTS  # an earlier life of this pid (a container restarted)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except (PermissionError, OverflowError, OSError):
            pass
    return stale
