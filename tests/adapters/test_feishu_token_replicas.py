"""A person's Feishu authorization survives two replicas renewing it at once (issue 24, item 7).

Feishu accepts a refresh token once. Two replicas (two bot runtimes on one database: a SQLite file, and
PostgreSQL) each get an invite from `you` while `you`'s token is about to expire. One renewal per person
at a time (a lease in the store), and a failed renewal deletes the token only while the row still holds
the refresh token that failed: Feishu sees one refresh, both invites go out with the renewed token, and
the token row stays.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.faults import Fault
from bot.sandbox.feishu.im import BOT
from bot.store import Store
from tests.support.feishu import feishu_replicas, first_text
from tests.support.slack import wait_for

INVITE = "@_user_1 invite @_user_2 to meeting 123456789"


@pytest.mark.parametrize("backend", ["sqlite file", "postgresql"])
async def test_two_replicas_renewing_one_token_keep_it(backend: str, sandbox: Sandbox, tmp_path: Path,
                                                       request: pytest.FixtureRequest) -> None:
    db = str(tmp_path / "shared.db") if backend == "sqlite file" else str(request.getfixturevalue("pg_url"))
    async with feishu_replicas(sandbox, db) as (a, b):
        you = a.user("you").open_id
        granted = sandbox.feishu_oauth._issue(you)["data"]  # what `you` authorizing hostbot left in the store
        store = a.runtime.bot.services.store
        await store.save_user_token("feishu", you, granted["access_token"], granted["refresh_token"],
                              expires_at=store.now() + timedelta(minutes=2))  # inside the 5-minute margin
        # The first refresh to reach Feishu is slow: without a lease the other replica's refresh overtakes
        # it, and the slow one is then refused (its refresh token was spent) and drops the row.
        sandbox.faults.arm(Fault("feishu.oauth.refresh", latency=0.5))
        first, _ = await a.ask("you", INVITE, BOT, a.user("dave"))
        second, _ = await b.ask("you", INVITE, BOT, b.user("dave"))
        for world, msg in ((a, first), (b, second)):
            text = await wait_for(lambda w=world, m=msg: first_text(w.texts(m["message_id"]), "nvite")
                                  or first_text(w.texts(m["message_id"]), "authorize"))
            assert text.startswith("✅ Invited @dave"), text
        assert sandbox.recorder.count("feishu.oauth.refresh") == 1
        for replica in (a, b):  # both replicas read the renewed token from the shared row
            kept = await replica.runtime.bot.services.store.user_token("feishu", you)
            assert kept is not None and kept.refresh_token not in ("", granted["refresh_token"])
            assert kept.expires_at is not None and kept.expires_at - store.now() > timedelta(hours=1)
        invites = [r.headers["authorization"].removeprefix("Bearer ") for r in sandbox.recorder.all("feishu.invite")]
        assert invites == [kept.token, kept.token]


@pytest.mark.parametrize("backend", ["sqlite file", "postgresql"])
def test_a_failed_renewal_deletes_only_the_token_it_failed_with(backend: str, sandbox: Sandbox, tmp_path: Path,
                                                                request: pytest.FixtureRequest) -> None:
    db = str(tmp_path / "shared.db") if backend == "sqlite file" else str(request.getfixturevalue("pg_url"))
    from bot.store.vault import SecretVault

    one, two = (Store(db, vault=SecretVault(sandbox.secret_key)) for _ in range(2))
    try:
        one.save_user_token("feishu", "ou_you", "u-old", "ur-old", expires_at=one.now())
        two.save_user_token("feishu", "ou_you", "u-new", "ur-new", expires_at=two.now() + timedelta(hours=2))
        # replica one's renewal with ur-old failed after replica two saved its renewal: the row stays
        assert one.delete_user_token("feishu", "ou_you", refresh_token="ur-old") is False
        kept = one.user_token("feishu", "ou_you")
        assert kept is not None and (kept.token, kept.refresh_token) == ("u-new", "ur-new")
        # a failure with the refresh token the row does hold drops it
        assert two.delete_user_token("feishu", "ou_you", refresh_token="ur-new") is True
        assert one.user_token("feishu", "ou_you") is None
    finally:
        one.close()
        two.close()
