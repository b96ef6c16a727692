"""One conformance suite for the Store, run against both backends: SQLite (a file) and PostgreSQL, and through
both interfaces: the synchronous Store of the command-line tools, and the AsyncStore the running bot awaits
(`way` "async": tests/support/stores.py awaits each call on an event loop in another thread).

Every test gets an empty store of each kind through the `open_store` fixture; the PostgreSQL runs
use a throwaway cluster (tests/support/pg.py) and are skipped with one line where there is none
(failed instead under HOSTBOT_REQUIRE_PG=1, as in CI). The races open one Store per thread, as
separate processes or replicas would, and check the database lets exactly one of them win.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.store import ClaimError, Store
from bot.store.vault import SecretVault, VaultError
from tests.support.stores import loop_thread, opener

T0 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
Opener = Callable[[], Store]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sync", "async"])
def way(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_store(where: str, clock: Clock, way: str) -> Iterator[Opener]:
    opened: list[Store] = []
    lock = threading.Lock()
    with loop_thread() as loop:
        wrap = opener(way, loop)

        def make() -> Store:
            store = wrap(Store(where, clock=clock))
            with lock:
                opened.append(store)
            return store  # type: ignore[no-any-return]

        yield make
        for store in opened:
            with contextlib.suppress(Exception):  # a race's store was closed in its own thread
                store.close()


@pytest.fixture
def store(open_store: Opener) -> Store:
    return open_store()


def race(open_store: Opener, n: int, work: Callable[[Store, int], Any]) -> list[Any]:
    """`work(store, i)` in n threads at once, each on its own Store (its own connection)."""
    barrier = threading.Barrier(n)

    def one(i: int) -> Any:
        s = open_store()
        try:
            barrier.wait()
            return work(s, i)
        finally:
            s.close()  # SQLite: in the thread that opened it

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


# ---- the ledger, people, links ------------------------------------------------------------------
def test_a_delivery_counts_once_even_when_racing(store: Store, open_store: Opener) -> None:
    assert store.first_delivery("slack", "event:Ev1")
    assert not store.first_delivery("slack", "event:Ev1")
    assert store.first_delivery("feishu", "event:Ev1")
    wins = race(open_store, 6, lambda s, i: s.first_delivery("slack", "command:same"))
    assert sorted(wins) == [False] * 5 + [True]


def test_people_upsert_lookup_and_all_or_nothing_import(store: Store) -> None:
    store.upsert_person("slack", "U1", name="Alice", email="Alice@Example.com", feishu_open_id="ou_a")
    store.upsert_person("slack", "U1", zoom_email="alice@zoom.test")  # adds, keeps the rest
    store.upsert_person("feishu", "ou_a", name="alice")
    row = store.person("slack", "U1")
    assert row is not None and row["name"] == "Alice" and row["zoom_email"] == "alice@zoom.test"
    assert row["webex_email"] == "" and row["source"] == "mapping"
    assert [r["chat_user"] for r in store.people_named("slack", "alice")] == ["U1"]
    assert store.person_by_vendor_id("feishu", "ou_a", "slack")["chat_user"] == "U1"  # type: ignore[index]
    assert store.person_by_vendor_id("feishu", "ou_a") is not None
    assert store.person_by_email("slack", "alice@example.COM")["chat_user"] == "U1"  # type: ignore[index]
    assert store.platforms_of("U1") == ["slack"]
    with pytest.raises(ValueError, match="no column"):
        store.upsert_people([("slack", "U2", {"name": "Bob"}), ("slack", "U3", {"nope": "x"})])
    assert store.person("slack", "U2") is None  # all or nothing
    store.upsert_people([("slack", "U2", {"name": "Bob"}), ("slack", "U3", {"name": "Carol"})])
    assert [r["chat_user"] for r in store.all_people()] == ["ou_a", "U1", "U2", "U3"]
    assert store.chat_names("slack") == ["U1", "Alice", "U2", "Bob", "U3", "Carol"]  # that platform's only
    assert store.chat_names("feishu") == ["ou_a", "alice"] and store.chat_names("console") == []


def test_links_overwrite(store: Store, clock: Clock) -> None:
    assert store.link("slack", "C1") is None
    store.set_link("slack", "C1", "feishu", "6911188411934", "U1")
    clock.now += timedelta(minutes=1)
    store.set_link("slack", "C1", "zoom", "85746065432", "U2")
    row = store.link("slack", "C1")
    assert row is not None and (row["vendor"], row["meeting_id"], row["linked_by"]) == ("zoom", "85746065432", "U2")


# ---- proposals (buttons, OAuth states) -------------------------------------------------------------------
def test_a_proposal_is_claimed_once(store: Store, open_store: Opener, clock: Clock) -> None:
    pid = store.create_proposal(platform="slack", requester="U1", action="set_host", payload={"who": "张三"})
    got = store.get_proposal(pid)
    assert got is not None and got.payload == {"who": "张三"} and got.status == "pending"
    with pytest.raises(ClaimError) as err:
        store.claim_proposal(pid, "U2")
    assert err.value.why == "not_yours"
    wins = race(open_store, 6, lambda s, i: _claim(s, pid, "U1"))
    assert sorted(wins) == ["ok"] + ["used"] * 5
    store.finish_proposal(pid, "done")
    assert store.get_proposal(pid).status == "done"  # type: ignore[union-attr]
    late = store.create_proposal(platform="slack", requester="U1", action="x", payload={}, ttl=timedelta(seconds=5))
    clock.now += timedelta(seconds=6)
    assert _claim(store, late, "U1") == "expired"
    assert _claim(store, "nope", "U1") == "unknown"


def _claim(store: Store, pid: str, user: str) -> str:
    try:
        store.claim_proposal(pid, user)
    except ClaimError as err:
        return err.why
    return "ok"


# ---- undo rows (the Undo button after a host change) -------------------------------------------------------
def test_an_undo_row_is_kept_and_claimed_once(store: Store, open_store: Opener, clock: Clock) -> None:
    uid = store.create_undo(restore=[{"id": "ou_you", "user_type": 1, "name": "张三"}], made=[{"id": "ou_a"}],
                            pressers=["U1", "U2", "U1"], ttl=timedelta(minutes=10), platform="slack",
                            channel="C1", thread="1.1", lang="zh", tz="Asia/Shanghai", requester="U1",
                            vendor="feishu", meeting_id="m1", meeting_display="123 456 789", operation="set_host")
    row = open_store().get_undo(uid)  # another replica reads what this one wrote
    assert row is not None and row.pressers == ("U1", "U2") and row.restore[0]["name"] == "张三"
    assert (row.vendor, row.meeting_id, row.operation, row.lang, row.status) == ("feishu", "m1", "set_host", "zh",
                                                                                 "pending")
    assert row.expires_at == T0 + timedelta(minutes=10)
    wins = race(open_store, 6, lambda s, i: s.claim_undo(uid, "U1")[0])
    assert sorted(wins) == ["claimed"] + ["used"] * 5
    store.finish_undo(uid, "done")
    assert store.get_undo(uid).status == "done"  # type: ignore[union-attr]
    late = store.create_undo(restore=[], made=[], pressers=["U1"], ttl=timedelta(minutes=1), operation="add_cohost")
    clock.now += timedelta(minutes=1)
    assert store.claim_undo(late, "U1")[0] == "expired" and store.claim_undo(late, "U1")[0] == "expired"
    assert store.claim_undo("nope", "U1") == ("unknown", None)
    with pytest.raises(ValueError):
        store.create_undo(restore=[], made=[], pressers=[], ttl=timedelta(minutes=1), nope="x")


# ---- tokens and audit ------------------------------------------------------------------------------------
def test_user_tokens_and_audit(store: Store, clock: Clock) -> None:
    assert store.any_sealed_token() is None
    with pytest.raises(VaultError):  # a store opened without a key stores no token, never plain text
        store.save_user_token("feishu", "ou_a", "u-token")
    assert store.any_sealed_token() is None
    store.vault = SecretVault("a test passphrase of 16+ chars")
    store.save_user_token("feishu", "ou_a", "u-token", "r-token", T0 + timedelta(hours=2))
    store.save_user_token("feishu", "ou_a", "u-token2")
    tok = store.user_token("feishu", "ou_a")
    assert tok is not None and (tok.token, tok.refresh_token, tok.expires_at) == ("u-token2", "", None)
    sealed = store.any_sealed_token()
    assert sealed is not None and "u-token2" not in sealed  # sealed at rest
    store.delete_user_token("feishu", "ou_a")
    assert store.user_token("feishu", "ou_a") is None
    store.audit(platform="slack", chat_user="U1", event="request", latency_ms=1.5)
    clock.now += timedelta(minutes=5)
    store.audit(platform="slack", chat_user="U2", event="outcome", outcome="ok")
    rows = store.audit_rows()
    assert [r["chat_user"] for r in rows] == ["U1", "U2"] and rows[0]["latency_ms"] == 1.5
    assert [r["chat_user"] for r in store.audit_rows(since=T0 + timedelta(minutes=1))] == ["U2"]
    assert [r["event"] for r in store.audit_rows(user="U1")] == ["request"]
    with pytest.raises(ValueError):
        store.audit(nope=1)


# ---- handovers, leases ----------------------------------------------------------------------------------
def _handover(store: Store, due: datetime, meeting: str = "m1") -> int:
    return store.add_handover({
        "platform": "slack", "channel": "C1", "thread": "1.1", "requester": "U1", "lang": "en", "tz": "UTC",
        "vendor": "feishu", "meeting_id": meeting, "meeting_display": meeting, "host_id": "ou_h",
        "host_type": 1, "host_name": "h", "target": "U2", "target_id": "ou_t", "target_type": 1,
        "target_name": "t", "authority": "requester", "due_at": due.isoformat(timespec="microseconds"),
        "remind_at": (due - timedelta(minutes=10)).isoformat(timespec="microseconds"),
        "created_at": T0.isoformat(), "status": "pending"})


def test_handover_transitions_are_conditional(store: Store, clock: Clock) -> None:
    due = T0 + timedelta(minutes=30)
    hid = _handover(store, due)
    row = store.handover(hid)
    assert row is not None and row["status"] == "pending" and row["reminded_at"] == "" and row["host_type"] == 1
    assert store.next_handover_time() == due - timedelta(minutes=10)
    assert store.duplicate_handover("slack", "feishu", "m1", "ou_t", due)["id"] == hid  # type: ignore[index]
    clock.now = due - timedelta(minutes=5)
    assert [r["id"] for r in store.handovers_to_remind(clock.now)] == [hid]
    assert store.set_handover(hid, {"reminded_at": "x"}, status="pending", unreminded=True)
    assert not store.set_handover(hid, {"reminded_at": "y"}, status="pending", unreminded=True)
    assert store.count_handovers("pending") == 1 and store.handovers_due(clock.now) == []
    assert store.claim_handover(hid, "a")
    assert not store.claim_handover(hid, "b")
    assert not store.set_handover(hid, {"status": "done"}, status="running", owner="b")  # not b's run
    assert store.holds_handover(hid, "a") and not store.holds_handover(hid, "b")
    assert store.reclaim_handover(hid, "a", "b") and not store.reclaim_handover(hid, "a", "c")
    assert store.set_handover(hid, {"status": "done", "result": "ok"}, status="running", owner="b")
    assert store.handover(hid)["status"] == "done"  # type: ignore[index]
    with pytest.raises(ValueError):
        store.set_handover(hid, {"nope": 1}, status="done")


def test_replicas_split_due_handovers_and_claim_each_once(store: Store, open_store: Opener, clock: Clock) -> None:
    ids = {_handover(store, T0 + timedelta(seconds=i), f"m{i}") for i in range(40)}
    old = _handover(store, T0 - timedelta(hours=1), "late")  # past the grace: not claimed here
    clock.now = T0 + timedelta(minutes=1)

    def sweep(s: Store, i: int) -> list[int]:
        got: list[int] = []
        while batch := s.claim_due_handovers(f"r{i}", clock.now, clock.now - timedelta(minutes=15), 4):
            got += [int(r["id"]) for r in batch]
        return got

    claimed = race(open_store, 3, sweep)
    flat = [hid for got in claimed for hid in got]
    assert sorted(flat) == sorted(ids)  # each claimed once, none left
    assert store.handover(old)["status"] == "pending"  # type: ignore[index]
    owners = {r["claimed_by"] for r in store.handovers("running")}
    assert owners <= {"r0", "r1", "r2"}


def test_leases(store: Store, clock: Clock) -> None:
    assert store.lease_of("r1") is None
    store.renew_lease("r1", timedelta(seconds=30))
    assert store.lease_of("r1") == T0 + timedelta(seconds=30)
    clock.now += timedelta(seconds=10)
    store.renew_lease("r1", timedelta(seconds=30))
    assert store.lease_of("r1") == T0 + timedelta(seconds=40)
    store.end_lease("r1")
    assert store.lease_of("r1") == clock.now
    clock.now += timedelta(hours=1)
    assert store.forget_leases(clock.now - timedelta(minutes=1)) == 1
    assert store.lease_of("r1") is None


def test_reopening_keeps_everything_and_migrates_once(where: str, open_store: Opener) -> None:
    first = open_store()
    first.upsert_person("slack", "U1", name="Alice")
    versions = race(open_store, 3, lambda s, i: s.schema_version())
    assert all(v == ["m001_initial", "m002_user_tokens", "m003_handovers", "m004_replicas", "m005_mappings",
                    "m006_undos", "m007_running_meetings",
                    "m008_leases", "m009_role_reverts", "m010_rate_booking"]
               for v in versions)
    assert open_store().person("slack", "U1")["name"] == "Alice"  # type: ignore[index]
    first.ping()
    assert "@" not in first.describe() or ":" not in first.describe().split("@")[0].removeprefix("postgresql://")


def test_mappings_field_by_field_and_a_mapping_row_becomes_mappings(where: str, open_store: Opener) -> None:
    store = open_store()
    store.upsert_person("slack", "U1", name="host", email="host@example.com", source="profile",
                        feishu_open_id="ou_host")
    store.set_mapping("slack", "U1", "dingtalk_union_id", "union_host")
    store.set_mapping("slack", "U1", "zoom_email", "-")  # pinned: no Zoom account
    assert store.mappings_of("slack", "U1") == {"dingtalk_union_id": "union_host", "zoom_email": "-"}
    assert store.mapped_chat_user("slack", "dingtalk_union_id", "UNION_HOST") == "U1"
    store.set_mapping("slack", "U1", "zoom_email", "")  # cleared: lookups again
    assert store.mappings_of("slack", "U1") == {"dingtalk_union_id": "union_host"}
    store.upsert_person("slack", "U2", name="erin", webex_email="erin@example.com")  # an admin's row
    assert store.mappings_of("slack", "U2") == {"webex_email": "erin@example.com"}
    assert store.person("slack", "U1")["feishu_open_id"] == "ou_host"  # type: ignore[index]


def test_the_index_of_running_meetings_is_shared_and_an_early_end_wins(store: Store, open_store: Opener,
                                                                       clock: Clock) -> None:
    store.meeting_started("feishu", "69001", host="ou_you", owner="ou_you", topic="Weekly sync", number="123456789")
    store.meeting_started("feishu", "69002", host="ou_bob", owner="ou_you", topic="1:1")
    other = open_store()  # another replica sees the same index
    assert sorted(r["meeting_id"] for r in other.running_meetings_of("feishu", "ou_you")) == ["69001", "69002"]
    assert [r["topic"] for r in other.running_meetings_of("feishu", "ou_bob")] == ["1:1"]
    other.meeting_ended("feishu", "69001")
    assert [r["meeting_id"] for r in store.running_meetings_of("feishu", "ou_you")] == ["69002"]
    store.meeting_started("feishu", "69001", host="ou_you")  # a late re-push of the start: stays ended
    store.meeting_ended("feishu", "69003")  # the end came first ...
    store.meeting_started("feishu", "69003", host="ou_you")  # ... its start does not bring it back
    assert [r["meeting_id"] for r in store.running_meetings_of("feishu", "ou_you")] == ["69002"]
    assert store.running_meetings_of("zoom", "ou_you") == []
    store.meeting_host_changed("feishu", "69002", "ou_alice")  # hostbot moved the host: the index follows
    assert [r["meeting_id"] for r in store.running_meetings_of("feishu", "ou_alice")] == ["69002"]
    store.meeting_host_changed("feishu", "69001", "ou_alice")  # an ended meeting stays ended
    assert [r["meeting_id"] for r in store.running_meetings_of("feishu", "ou_alice")] == ["69002"]


def test_a_lease_has_one_holder_across_store_instances(store: Store, open_store: Opener, clock: Clock) -> None:
    """bot/store/rows/leases.py: one holder per name among replicas; a dead holder's lease passes with its time."""
    taken = race(open_store, 4, lambda s, i: s.take_lease("meeting:zoom:1", f"replica{i}", timedelta(seconds=60)))
    assert sorted(taken) == [False, False, False, True]
    holder = store.lease_holder("meeting:zoom:1")
    assert holder is not None and holder.startswith("replica")
    other = open_store()
    assert other.take_lease("meeting:zoom:1", "late", timedelta(seconds=60)) is False
    other.drop_lease("meeting:zoom:1", "late")  # not the holder: nothing happens
    assert store.lease_holder("meeting:zoom:1") == holder
    assert store.extend_lease("meeting:zoom:1", holder, timedelta(seconds=60)) is True
    clock.now += timedelta(seconds=61)  # the holder died: its time passed
    assert other.take_lease("meeting:zoom:1", "late", timedelta(seconds=60)) is True
    assert store.extend_lease("meeting:zoom:1", holder, timedelta(seconds=60)) is False  # it was lost
    other.drop_lease("meeting:zoom:1", "late")
    assert store.lease_holder("meeting:zoom:1") is None
