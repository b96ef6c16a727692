"""The Feishu fake itself: each documented code is reachable from state, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import Fault, Sandbox
from bot.sandbox.feishu.vc import P_RINGING


@pytest.fixture
def api(sandbox: Sandbox) -> httpx.Client:
    f = sandbox.feishu
    token = httpx.post(f"{sandbox.url}/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": f.app_id, "app_secret": f.app_secret}).json()["tenant_access_token"]
    return httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {token}"})


def _set_host(client: httpx.Client, mid: str, target: str, old: str | None = None, user_type: int = 1,
              token: str | None = None) -> httpx.Response:
    body: dict[str, object] = {"host_user": {"id": target, "user_type": user_type}}
    if old:
        body["old_host_user"] = {"id": old, "user_type": 1}
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return client.patch(f"/open-apis/vc/v1/meetings/{mid}/set_host", params={"user_id_type": "open_id"},
                        json=body, headers=headers)


def test_state_routes_to_every_code(sandbox: Sandbox, api: httpx.Client) -> None:
    f = sandbox.feishu
    host, alice, bob, carol = (f.add_user(n) for n in ("host", "alice", "bob", "carol"))
    m = f.add_meeting(host, [alice, bob])
    f.set_participant(m.id, carol.open_id, P_RINGING)

    def code(resp: httpx.Response) -> tuple[int, int]:
        return resp.status_code, resp.json()["code"]

    assert code(_set_host(api, "1" * 19, alice.open_id)) == (404, 122002)
    assert code(api.patch(f"/open-apis/vc/v1/meetings/{m.id}/set_host", json={})) == (400, 121003)
    conflict = _set_host(api, m.id, alice.open_id, old=bob.open_id)
    assert code(conflict) == (409, 121006)
    assert conflict.json()["data"]["host_user"] == {"id": host.open_id, "user_type": 1}
    assert code(_set_host(api, m.id, alice.open_id, user_type=2)) == (400, 121002)
    assert code(_set_host(api, m.id, f.add_user("dave").open_id)) == (400, 122004)
    assert code(_set_host(api, m.id, carol.open_id)) == (400, 122009)
    # a user operator: must be in the meeting, must be host, cannot name themselves
    outsider = f.issue_user_token(f.add_user("erin").open_id)
    assert code(_set_host(api, m.id, alice.open_id, token=outsider)) == (400, 122003)
    assert code(_set_host(api, m.id, host.open_id, token=f.issue_user_token(host.open_id))) == (400, 122005)
    assert code(_set_host(api, m.id, bob.open_id, token=f.issue_user_token(alice.open_id))) == (403, 121005)
    ok = _set_host(api, m.id, alice.open_id, old=host.open_id)
    assert ok.status_code == 200 and ok.json()["data"]["host_user"]["id"] == alice.open_id
    f.meetings[m.id].foreign_tenant = True
    assert code(_set_host(api, m.id, bob.open_id)) == (403, 121005)
    f.meetings[m.id].foreign_tenant = False
    f.end_meeting(m.id)
    assert code(_set_host(api, m.id, bob.open_id)) == (400, 122001)


def test_tokens_numbers_and_faults(sandbox: Sandbox, api: httpx.Client) -> None:
    f = sandbox.feishu
    host = f.add_user("host")
    m = f.add_meeting(host, meeting_no="555444333")
    bad = httpx.get(f"{sandbox.url}/open-apis/vc/v1/meetings/{m.id}", headers={"Authorization": "Bearer nope"})
    assert bad.json()["code"] == 99991663
    wrong_secret = httpx.post(f"{sandbox.url}/open-apis/auth/v3/tenant_access_token/internal",
                              json={"app_id": f.app_id, "app_secret": "x"})
    assert wrong_secret.json()["code"] == 10014
    import time

    now = int(time.time())
    found = api.get("/open-apis/vc/v1/meetings/list_by_no",
                    params={"meeting_no": "555444333", "start_time": now - 3600, "end_time": now}).json()
    assert [b["id"] for b in found["data"]["meeting_briefs"]] == [m.id]
    assert api.get("/open-apis/vc/v1/meetings/list_by_no", params={"meeting_no": "12"}).json()["code"] == 121003
    sandbox.faults.arm(Fault("feishu.get_meeting", status=429, body={"code": 99991400}, headers={"Retry-After": "2"}))
    limited = api.get(f"/open-apis/vc/v1/meetings/{m.id}")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert api.get(f"/open-apis/vc/v1/meetings/{m.id}").status_code == 200
    assert [r.status for r in sandbox.recorder.all("feishu.get_meeting")][-2:] == [429, 200]


def test_control_api_arms_faults_from_another_process(sandbox: Sandbox, api: httpx.Client) -> None:
    f = sandbox.feishu
    m = f.add_meeting(f.add_user("host"))
    assert httpx.post(f"{sandbox.url}/_sandbox/faults",
                      json={"op": "feishu.get_meeting", "status": 500, "body": {"code": 121001}}).json()["ok"]
    assert api.get(f"/open-apis/vc/v1/meetings/{m.id}").status_code == 500
    recorded = httpx.get(f"{sandbox.url}/_sandbox/requests", params={"op": "feishu.get_meeting"}).json()
    assert recorded[-1]["status"] == 500
    assert httpx.post(f"{sandbox.url}/_sandbox/faults", json={"nonsense": 1}).status_code == 400
