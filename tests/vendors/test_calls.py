"""bot/vendors/calls.py classifies every vendor call in one place: reads may be repeated, changes never."""

from __future__ import annotations

from bot.sandbox import Sandbox
from bot.vendors.calls import REPEATABLE, answer_lost, repeatable
from tests.support.faults import MUTATIONS


def test_every_change_is_classified_as_not_repeatable() -> None:
    assert set(MUTATIONS) <= set(REPEATABLE)
    assert [op for op in MUTATIONS if repeatable(op)] == []
    assert not repeatable("somevendor.new_call")  # unknown: treated as a change


def test_every_vendor_call_the_fakes_serve_is_classified(sandbox: Sandbox) -> None:
    vendor_ops = {op for op in sandbox.faults.known_ops if op.split(".")[0] in ("feishu", "dingtalk", "webex", "zoom")}
    used_by_clients = {op for op in vendor_ops if op in REPEATABLE}
    assert set(MUTATIONS) <= used_by_clients
    reads = used_by_clients - set(MUTATIONS)
    assert reads and all(repeatable(op) for op in reads)


def test_what_leaves_a_change_unknown() -> None:
    assert answer_lost(502) and answer_lost(500) and answer_lost(504) and answer_lost(408)
    assert not answer_lost(429) and not answer_lost(400) and not answer_lost(409)
