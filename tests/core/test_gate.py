"""The gate as a table: speaker role × operation × confirm mode × what a click settled → decision.

No I/O: Plans are built by hand from vendor-reported meetings, as handlers build them.
"""

from __future__ import annotations

import itertools

import pytest

from bot.core.decide.gate import Consent, Speaker, Verdict, decide
from bot.core.model.outcome import VendorUser
from bot.core.model.plan import Authority, ConfirmMode, Operation, Plan
from bot.core.model.vendor import Meeting

HOST = VendorUser("ou_host")
ORGANIZER = VendorUser("ou_org")
MEETING = Meeting("feishu", "m1", "123 456 789", host=HOST, organizer=ORGANIZER)
OTHER_HOSTS = Meeting("feishu", "m2", "987 654 321", host=VendorUser("ou_dave"))

SPEAKERS = {
    "host": Speaker("U_HOST", {"feishu": "ou_host"}),
    "organizer": Speaker("U_ORG", {"feishu": "ou_org"}),
    "admin": Speaker("U_ADMIN", {"feishu": "ou_admin"}, admin=True),
    "stranger": Speaker("U_BOB", {"feishu": "ou_bob"}),
    "unknown": Speaker("U_NEW", {}),  # a person hostbot never saw (no vendor id at all)
    "mapped_elsewhere": Speaker("U_DT", {"dingtalk": "union_x"}),  # one-vendor mapping
}


def plan(op: Operation, authority: Authority, meetings: tuple[Meeting, ...] = (MEETING,), **kw: object) -> Plan:
    return Plan(op, "summary", lambda o: [], authority=authority, vendor="feishu", meetings=meetings,
                **kw)  # type: ignore[arg-type]


def expected(role: str, authority: Authority, approval: Consent, confirm: ConfirmMode, host_loses: bool) -> Verdict:
    runs = role in ("host", "organizer")
    if role != "admin":
        if authority is Authority.ADMIN:
            return Verdict.DENY
        if authority is Authority.HOST_OR_ADMIN and not runs:
            return Verdict.DENY
        if authority is Authority.MEETING and not runs and approval is not Consent.APPROVED:
            return Verdict.ASK_HOST
    if approval is not Consent.NONE:
        return Verdict.ALLOW
    if confirm is ConfirmMode.ALWAYS:
        return Verdict.CONFIRM
    if confirm is ConfirmMode.OTHERS and host_loses and role != "host":
        return Verdict.CONFIRM
    return Verdict.ALLOW


CELLS = list(itertools.product(
    SPEAKERS,
    [(Operation.SET_HOST, Authority.MEETING), (Operation.ADD_COHOST, Authority.MEETING),
     (Operation.INVITE, Authority.MEETING), (Operation.REASSIGN, Authority.HOST_OR_ADMIN),
     (Operation.SCHEDULE_HANDOVER, Authority.MEETING), (Operation.LINK, Authority.ADMIN)],
    list(ConfirmMode),
    list(Consent),
))


@pytest.mark.parametrize(("role", "op_authority", "confirm", "approval"), CELLS)
def test_gate_table(role: str, op_authority: tuple[Operation, Authority], confirm: ConfirmMode,
                    approval: Consent) -> None:
    op, authority = op_authority
    host_loses = op in (Operation.SET_HOST, Operation.SCHEDULE_HANDOVER, Operation.REASSIGN)
    p = plan(op, authority, losing_users=(HOST,) if host_loses else ())
    decision = decide(p, SPEAKERS[role], confirm, approval, approver=SPEAKERS["host"])
    assert decision.verdict is expected(role, authority, approval, confirm, host_loses)
    if decision.verdict is Verdict.ASK_HOST:
        assert decision.host == HOST  # the host the VENDOR reported, never a name the requester typed


def test_table_size() -> None:
    assert len(CELLS) == 6 * 6 * 3 * 3


def test_owner_authority_lets_the_owner_and_the_host_act_and_asks_the_host_otherwise() -> None:
    p = plan(Operation.CANCEL_HANDOVER, Authority.OWNER, owners=("U_BOB",), losers=("U_BOB",))
    assert decide(p, SPEAKERS["stranger"], ConfirmMode.OTHERS).verdict is Verdict.ALLOW
    assert decide(p, SPEAKERS["host"], ConfirmMode.OTHERS).verdict is Verdict.CONFIRM  # bob loses his request
    assert decide(p, SPEAKERS["unknown"], ConfirmMode.OTHERS).verdict is Verdict.ASK_HOST


def test_several_meetings_need_the_speaker_to_run_every_one() -> None:
    p = plan(Operation.REASSIGN, Authority.HOST_OR_ADMIN, meetings=(MEETING, OTHER_HOSTS))
    assert decide(p, SPEAKERS["host"], ConfirmMode.NEVER).verdict is Verdict.DENY
    assert decide(p, SPEAKERS["admin"], ConfirmMode.NEVER).verdict is Verdict.ALLOW


def test_meetings_with_two_hosts_cannot_be_asked_of_one_host() -> None:
    p = plan(Operation.SET_HOST, Authority.MEETING, meetings=(MEETING, OTHER_HOSTS))
    assert decide(p, SPEAKERS["stranger"], ConfirmMode.NEVER).verdict is Verdict.DENY


def test_vendor_ids_compare_without_case_or_spaces() -> None:
    zoom = Meeting("zoom", "85746065432", "857 4606 5432", host=VendorUser("Host@Example.com"))
    speaker = Speaker("U1", {"zoom": " host@example.com"})
    p = Plan(Operation.SET_HOST, "s", lambda o: [], vendor="zoom", meetings=(zoom,), losing_users=(zoom.host,))
    assert decide(p, speaker, ConfirmMode.OTHERS).verdict is Verdict.ALLOW


def test_an_approval_counts_only_while_the_approver_still_hosts() -> None:
    p = plan(Operation.SET_HOST, Authority.MEETING, losing_users=(HOST,))
    moved = Meeting("feishu", "m1", "123 456 789", host=VendorUser("ou_alice"))
    after_move = plan(Operation.SET_HOST, Authority.MEETING, meetings=(moved,), losing_users=(moved.host,))
    stranger, former_host = SPEAKERS["stranger"], SPEAKERS["host"]
    assert decide(p, stranger, ConfirmMode.OTHERS, Consent.APPROVED, former_host).verdict is Verdict.ALLOW
    again = decide(after_move, stranger, ConfirmMode.OTHERS, Consent.APPROVED, former_host)
    assert again.verdict is Verdict.ASK_HOST and again.host == VendorUser("ou_alice")  # the new host is asked
    assert decide(p, stranger, ConfirmMode.OTHERS, Consent.APPROVED, None).verdict is Verdict.ASK_HOST
    assert decide(after_move, stranger, ConfirmMode.OTHERS, Consent.APPROVED,
                  SPEAKERS["admin"]).verdict is Verdict.ALLOW
