"""What hostbot sends, checked against the vendors' own specs and examples (../shared/vendor-oracles, vendor-docs).

- Webex: every recorded reassignHost request validates against the OpenAPI subset (jsonschema), and
  the fake's 207 body against the response schema.
- Zoom: the PATCH bodies validate against the archived OpenAPI's meetingUpdate body, using only
  fields the spec knows; the fake's meeting and error bodies have the spec's shapes.
- DingTalk / Feishu: the request bodies have exactly the shape of the docs' request examples, and the
  fakes' error bodies the envelope of the recorded samples.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft4Validator, Draft7Validator

from bot.sandbox.demo_data import DEMO_DINGTALK_ID, DEMO_WEBEX_DAVE, DEMO_WEBEX_ID, DEMO_ZOOM_ID
from tests.conftest import World, WorldFactory
from tests.support.vendors import requests

SHARED = Path(__file__).resolve().parents[3] / "shared"
ORACLES = SHARED / "vendor-oracles"
DOCS = SHARED / "vendor-docs"
pytestmark = pytest.mark.skipif(not ORACLES.is_dir(), reason=f"vendor oracles not found at {ORACLES}")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _shape(value: Any) -> Any:
    """The keys of a JSON value, recursively (lists by their first item): what an example promises."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _doc_json(name: str, after: str) -> Any:
    """The first JSON object in vendor-docs/`name` after the text `after` (a doc's request example)."""
    text = (DOCS / name).read_text(encoding="utf-8")
    tail = text[text.index(after):]
    start = tail.index("{")
    return json.JSONDecoder().raw_decode(tail[start:])[0]


# ---- Webex: OpenAPI subset ------------------------------------------------------------------------
def _webex_spec() -> dict[str, Any]:
    return _load(ORACLES / "webex" / "webex-meeting.reassignHost.subset.json")


def _webex_validator(ref: dict[str, Any], spec: dict[str, Any]) -> Draft7Validator:
    return Draft7Validator({**ref, "components": spec["components"]})


async def test_webex_reassign_requests_validate_against_the_openapi_subset(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="you")
    await world.say(f"make @alice host of webex meeting {DEMO_WEBEX_ID}")
    await world.say("reassign @dave's webex meetings to @bob")
    await world.say("1")
    calls = requests(world, "webex.reassign")
    assert len(calls) == 2
    spec = _webex_spec()
    operation = spec["paths"]["/meetings/reassignHost"]["post"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    validator = _webex_validator(body_schema, spec)
    header_schema = next(p for p in operation["parameters"] if p["in"] == "header" and p["name"] == "siteUrl")
    for call in calls:
        assert call.method == "POST" and call.path == "/webex/v1/meetings/reassignHost"  # under WEBEX_API_BASE
        assert call.headers["content-type"].startswith("application/json")
        errors = list(validator.iter_errors(call.body))
        assert errors == [], [e.message for e in errors]
        assert 1 <= len(call.body["meetingIds"]) <= 100  # the size the schema's description sets
        Draft7Validator(header_schema["schema"]).validate(call.headers["siteurl"])
        assert call.headers["authorization"].startswith("Bearer ")
    assert calls[1].body["meetingIds"] == [DEMO_WEBEX_DAVE[0], DEMO_WEBEX_DAVE[2]]


async def test_webex_fake_207_matches_the_response_schema(world: World) -> None:
    spec = _webex_spec()
    response = spec["paths"]["/meetings/reassignHost"]["post"]["responses"]["207"]
    schema = response["content"]["application/json;charset=UTF-8"]["schema"]
    validator = _webex_validator(schema, spec)
    assert list(validator.iter_errors(response["content"]["application/json;charset=UTF-8"]["example"])) != [], \
        "the spec's own example spells httpStatus as a number, its schema as a string"
    body = {"hostEmail": "alice@example.com", "meetingIds": [DEMO_WEBEX_DAVE[0], "0" * 32]}
    async with httpx.AsyncClient(base_url=f"{world.sandbox.url}/webex/v1") as client:
        resp = await client.post("/meetings/reassignHost", json=body,
                                 headers={"Authorization": f"Bearer {world.sandbox.webex.token}"})
    assert resp.status_code == 207
    assert resp.headers["content-type"] == "application/json;charset=UTF-8"
    errors = list(validator.iter_errors(resp.json()))
    assert errors == [], [e.message for e in errors]
    assert resp.json()["items"][1]["errors"] == [{"description": "The meeting is not found."}]


# ---- Zoom: archived OpenAPI 2.0 --------------------------------------------------------------------
def _zoom_spec() -> dict[str, Any]:
    return _load(ORACLES / "zoom" / "zoom_api_openapi.v2.ARCHIVED-2021.json")


async def test_zoom_patch_bodies_validate_against_meeting_update(world: World) -> None:
    await world.say(f"make @bob co-host of meeting {DEMO_ZOOM_ID}")
    await world.say(f"make @alice host of meeting {DEMO_ZOOM_ID}")
    calls = requests(world, "zoom.update_meeting")
    assert [c.body for c in calls] == [{"settings": {"alternative_hosts": "bob@example.com"}},
                                       {"schedule_for": "alice@example.com"}]
    spec = _zoom_spec()
    operation = spec["paths"]["/meetings/{meetingId}"]["patch"]
    body = next(p for p in operation["parameters"] if p.get("in") == "body")
    validator = Draft4Validator({**body["schema"], "definitions": spec["definitions"]})
    known = {"schedule_for", *spec["definitions"]["SessionUpdate"]["properties"]}
    settings = set(spec["definitions"]["MeetingSettings"]["properties"])
    for call in calls:
        assert call.method == "PATCH" and re.fullmatch(r"/zoom/v2/meetings/\d+", call.path)  # meetingId: integer
        errors = list(validator.iter_errors(call.body))
        assert errors == [], [e.message for e in errors]
        assert set(call.body) <= known and set(call.body.get("settings", {})) <= settings


async def test_zoom_fake_answers_have_the_specs_shapes(world: World) -> None:
    spec = _zoom_spec()
    token = await _zoom_token(world)
    async with httpx.AsyncClient(base_url=f"{world.sandbox.url}/zoom/v2",
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        meeting = (await client.get(f"/meetings/{DEMO_ZOOM_ID}")).json()
        missing = await client.get("/meetings/85099999999")
        invalid = await client.patch(f"/meetings/{DEMO_ZOOM_ID}", json={"settings": {"alternative_hosts": "x@y.z"}})
    info = Draft4Validator({"$ref": "#/definitions/MeetingInfo", "definitions": spec["definitions"]})
    assert list(info.iter_errors(meeting)) == []
    assert isinstance(meeting["host_id"], str) and isinstance(meeting["uuid"], str)
    examples = _load(ORACLES / "zoom" / "zoom_error_examples.json")["error_examples"]
    envelope = {"type": "object", "required": ["code", "message"], "additionalProperties": False,
                "properties": {"code": {"type": "integer"}, "message": {"type": "string"},
                               "errors": {"type": "array", "items": {
                                   "type": "object", "required": ["field", "message"], "additionalProperties": False,
                                   "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}}
    for example in examples:  # the envelope is the one of Zoom's own examples...
        Draft4Validator(envelope).validate(example)
    for answer in (missing, invalid):  # ...and the fake answers in it
        Draft4Validator(envelope).validate(answer.json())
    assert missing.status_code == 404 and missing.json()["code"] == 3001
    assert invalid.status_code == 400 and invalid.json()["errors"][0]["field"] == "settings.alternative_hosts"


async def _zoom_token(world: World) -> str:
    zoom = world.sandbox.zoom
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{world.sandbox.url}/zoom/oauth/token", auth=(zoom.client_id, zoom.client_secret),
                                 data={"grant_type": "account_credentials", "account_id": zoom.account_id})
    body = resp.json()
    assert set(body) >= {"access_token", "token_type", "expires_in", "scope"} and body["token_type"] == "bearer"
    return str(body["access_token"])


# ---- DingTalk: the doc's request example and the recorded error samples -----------------------------
async def test_dingtalk_requests_have_the_documented_shape(world: World) -> None:
    await world.say(f"make @bob co-host of dingtalk meeting {DEMO_DINGTALK_ID}")
    [call] = requests(world, "dingtalk.cohosts")
    example = _doc_json("dingtalk-conference-cohosts.md", "Request example")
    assert _shape(call.body) == _shape(example) == {"action": "str", "userList": [{"unionId": "str"}]}
    assert call.body["action"] in ("add", "remove")
    assert call.headers["content-type"].startswith("application/json")
    assert set(call.headers) >= {"x-acs-dingtalk-access-token"}
    [token] = requests(world, "dingtalk.token")
    assert token.headers["content-type"].startswith("application/json")  # a form body is refused
    assert set(token.body) == {"appKey", "appSecret"}


async def test_dingtalk_fake_errors_use_the_recorded_envelope(world: World) -> None:
    samples = [s["body"] for s in _load(ORACLES / "dingtalk" / "dingtalk_error_samples.json")["samples"] if "body" in s]
    envelope = {key for sample in samples for key in sample}
    assert envelope == {"code", "message", "requestid"}
    async with httpx.AsyncClient(base_url=f"{world.sandbox.url}/dingtalk") as client:
        bad_token = await client.post(f"/v1.0/conference/videoConferences/{DEMO_DINGTALK_ID}/coHosts/set",
                                      json={"action": "add", "userList": [{"unionId": "x"}]},
                                      headers={"x-acs-dingtalk-access-token": '"quoted"'})
        form = await client.post("/v1.0/oauth2/accessToken", data={"appKey": "k", "appSecret": "s"})
    assert bad_token.status_code == 400 and bad_token.json()["code"] == "InvalidAuthentication"
    assert set(bad_token.json()) == envelope
    assert form.status_code == 400 and form.json()["message"] == "body is mandatory for this action"


# ---- Feishu invite: the doc's request and response examples ------------------------------------------
async def test_feishu_invite_request_has_the_documented_shape(world: World) -> None:
    await world.say("invite @dave and @carol to meeting 123456789")
    [call] = requests(world, "feishu.invite")
    request_example = _doc_json("feishu-vc-invite.md", "### 请求体示例")
    assert _shape(call.body) == _shape(request_example)
    assert len(call.body["invitees"]) <= 10  # "一次性最多支持邀请10人"
    assert call.method == "PATCH" and call.query == {"user_id_type": "open_id"}
    assert call.headers["content-type"].startswith("application/json")
    assert call.headers["authorization"].startswith("Bearer u-")  # a user_access_token, as the doc requires


async def test_feishu_fake_invite_answer_has_the_documented_shape(world: World) -> None:
    response_example = _doc_json("feishu-vc-invite.md", "### 响应体示例")
    you = world.open_id("you")
    token = world.sandbox.feishu.issue_user_token(you)
    async with httpx.AsyncClient(base_url=world.sandbox.url) as client:
        resp = await client.patch(f"/open-apis/vc/v1/meetings/{world.meeting_id}/invite",
                                  params={"user_id_type": "open_id"}, headers={"Authorization": f"Bearer {token}"},
                                  json={"invitees": [{"id": world.open_id("dave"), "user_type": 1}]})
    assert _shape(resp.json()) == _shape(response_example)
