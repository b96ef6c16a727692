"""DingTalk co-hosts end to end: console -> handler -> DingTalkVendor (httpx) -> sandbox -> reply.

One row per documented answer (vendor-docs/dingtalk-conference-cohosts.md, the token errors of
vendor-oracles/dingtalk), the token cache, and set_host answered with "co-hosts only" + add_cohost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.sandbox import Fault
from bot.sandbox.demo_data import DEMO_DINGTALK_ID
from bot.sandbox.dingtalk import ENDED, WRITE_PERMISSION, Conference
from tests.conftest import World
from tests.support.undo import without_undo
from tests.support.vendors import instant_waits, outcomes, requests

ASK = f"make @bob co-host of dingtalk meeting {DEMO_DINGTALK_ID}"
FAILED = f"❌ Could not make @bob co-host of DingTalk meeting {DEMO_DINGTALK_ID}: "


def _union(w: World, name: str) -> str:
    return w.demo.vendors.dingtalk_users[name].union_id


def _conference(w: World) -> Conference:
    return w.sandbox.dingtalk.conferences[DEMO_DINGTALK_ID]


def _fault(status: int, code: str, times: int = 1, **headers: str) -> Callable[[World], None]:
    def arm(w: World) -> None:
        w.sandbox.faults.arm(Fault("dingtalk.cohosts", status=status, times=times, headers=headers,
                                   body={"code": code, "message": f"{code}:x", "requestid": "R1"}))
    return arm


def _unknown_bob(w: World) -> None:
    w.sandbox.dingtalk.users.pop(_union(w, "bob"))


def _ended(w: World) -> None:
    _conference(w).status = ENDED


def _no_permission(w: World) -> None:
    w.sandbox.dingtalk.permissions.discard(WRITE_PERMISSION)


def _bad_secret(w: World) -> None:
    w.sandbox.dingtalk.app_secret = "rotated"


CASES = [
    # (vendor code, how to reach it, words the user must see)
    ("unknownUserError", _unknown_bob,
     ["DingTalk does not recognise the account (unionId) of @bob", "hostbot users set <user> dingtalk=<unionId>"]),
    ("paramsError", _fault(400, "paramsError"), ["DingTalk rejected the request's parameters",
                                                 "DingTalk said: “paramsError:x”."]),
    ("systemError", _fault(500, "systemError", times=3), ["DingTalk had an internal error", "try again in a minute"]),
    ("InvalidAuthentication", _fault(400, "InvalidAuthentication", times=2),
     ["DingTalk rejected hostbot's app credentials", "DINGTALK_APP_KEY and DINGTALK_APP_SECRET"]),
    ("authFailed", _fault(401, "authFailed", times=2), ["DingTalk rejected hostbot's app credentials"]),
    ("Forbidden.AccessDenied.AccessTokenPermissionDenied", _no_permission,
     ["lacks the VideoConference.Conference.Write permission", "DingTalk developer console"]),
    ("Throttling", _fault(429, "Throttling", **{"Retry-After": "120"}),
     ["DingTalk is rate-limiting us; retry in 120 s."]),
    ("invalidClientIdOrSecret", _bad_secret, ["DingTalk rejected hostbot's app credentials", "DINGTALK_APP_SECRET"]),
]


@pytest.mark.parametrize(("code", "arrange", "words"), CASES, ids=[c[0] for c in CASES])
async def test_each_dingtalk_answer_gets_its_own_reply(world: World, code: str, arrange: Callable[[World], None],
                                                       words: list[str]) -> None:
    instant_waits(world)
    arrange(world)
    reply = await world.say(ASK)
    if code != "invalidClientIdOrSecret":  # without a token the meeting itself cannot be looked up
        assert reply.startswith(FAILED), reply
    for w in words:
        assert w in reply, reply
    assert (await outcomes(world))[-1]["vendor_code"] == code


async def test_add_cohost_sends_the_documented_request(world: World) -> None:
    reply = await world.say(ASK)
    assert without_undo(reply) == (f"✅ Made @bob co-host of DingTalk meeting {DEMO_DINGTALK_ID}.\n"
                                     "Co-hosts now: @bob.")  # what DingTalk's members list says afterwards
    [call] = requests(world, "dingtalk.cohosts")
    assert call.method == "POST"
    assert call.path == f"/dingtalk/v1.0/conference/videoConferences/{DEMO_DINGTALK_ID}/coHosts/set"
    assert call.body == {"action": "add", "userList": [{"unionId": _union(world, "bob")}]}
    token = call.headers["x-acs-dingtalk-access-token"]
    assert not token.startswith('"') and token in world.sandbox.dingtalk.tokens  # raw, not JSON-quoted
    assert _conference(world).cohosts == {_union(world, "bob")}
    [auth] = requests(world, "dingtalk.token")
    assert auth.body == {"appKey": world.sandbox.dingtalk.app_key, "appSecret": world.sandbox.dingtalk.app_secret}


async def test_several_cohosts_in_one_call(world: World) -> None:
    reply = await world.say(f"add @bob and @carol as co-hosts of dingtalk meeting {DEMO_DINGTALK_ID}")
    made = f"✅ Made @bob and @carol co-host of DingTalk meeting {DEMO_DINGTALK_ID}."
    assert without_undo(reply) in (f"{made}\nCo-hosts now: {now}."  # in the order of DingTalk's members list
                                   for now in ("@bob and @carol", "@carol and @bob"))
    [call] = requests(world, "dingtalk.cohosts")
    assert call.body["userList"] == [{"unionId": _union(world, "bob")}, {"unionId": _union(world, "carol")}]


async def test_remove_cohost_confirms_then_removes(world: World) -> None:
    _conference(world).cohosts.add(_union(world, "bob"))
    ask = await world.say(f"remove @bob as co-host of dingtalk meeting {DEMO_DINGTALK_ID}")
    assert ask == (f"Remove @bob as co-host of DingTalk meeting {DEMO_DINGTALK_ID}.\nGo ahead?\n"
                   "[1] Confirm   [2] Cancel")
    assert requests(world, "dingtalk.cohosts") == []
    assert without_undo(await world.say("1")) == f"✅ Removed @bob as co-host of DingTalk meeting {DEMO_DINGTALK_ID}."
    [call] = requests(world, "dingtalk.cohosts")
    assert call.body == {"action": "remove", "userList": [{"unionId": _union(world, "bob")}]}
    assert _conference(world).cohosts == set()


async def test_set_host_says_co_hosts_only_and_offers_add_cohost(world: World) -> None:
    reply = await world.say(f"make @alice host of dingtalk meeting {DEMO_DINGTALK_ID}")
    assert reply == ("DingTalk cannot transfer the host role through its API; it only supports co-hosts. "
                     f"Make @alice a co-host of DingTalk meeting {DEMO_DINGTALK_ID} instead?\n"
                     "[1] Add as co-host   [2] Cancel")
    assert requests(world, "dingtalk.cohosts") == []
    assert without_undo(await world.say("1")) == (f"✅ Made @alice co-host of DingTalk meeting {DEMO_DINGTALK_ID}.\n"
                                     "Co-hosts now: @alice.")  # what DingTalk's members list says afterwards
    [call] = requests(world, "dingtalk.cohosts")
    assert call.body == {"action": "add", "userList": [{"unionId": _union(world, "alice")}]}


async def test_set_host_offer_in_chinese(world: World) -> None:
    reply = await world.say(f"把 @alice 设为钉钉会议 {DEMO_DINGTALK_ID} 的主持人")
    assert reply.startswith("钉钉的接口不支持转移主持人，只支持设置联席主持人。")
    assert reply.endswith("[1] 设为联席主持人   [2] 取消")


async def test_non_creator_needs_the_creators_approval(world: World) -> None:
    world.console.user = "bob"
    ask = await world.say(f"make me co-host of dingtalk meeting {DEMO_DINGTALK_ID}")
    assert ask.startswith(f"@you, @bob asks: Make @bob co-host of DingTalk meeting {DEMO_DINGTALK_ID}.")
    assert requests(world, "dingtalk.cohosts") == []


async def test_token_is_cached_and_refreshed_once_when_refused(world: World) -> None:
    assert "✅" in await world.say(ASK)
    assert "✅" in await world.say(f"make @carol co-host of dingtalk meeting {DEMO_DINGTALK_ID}")
    assert len(requests(world, "dingtalk.token")) == 1
    world.sandbox.dingtalk.expire_tokens()  # DingTalk forgot it: the next call gets InvalidAuthentication
    assert "✅" in await world.say(f"make @dave co-host of dingtalk meeting {DEMO_DINGTALK_ID}")
    assert len(requests(world, "dingtalk.token")) == 2


async def test_who_is_host_says_what_dingtalk_can_tell(world: World) -> None:
    reply = await world.say(f"who is host of dingtalk meeting {DEMO_DINGTALK_ID}")
    assert reply == (f"DingTalk meeting {DEMO_DINGTALK_ID} was started by @you; DingTalk does not report later "
                     "host changes or co-hosts.")


async def test_unknown_conference(world: World) -> None:
    reply = await world.say("make @bob co-host of dingtalk meeting 0badc0de0badc0de-0000")
    assert "the meeting does not exist at DingTalk" in reply


async def test_person_without_a_union_id(world: World) -> None:
    await world.bot.services.store.upsert_person("console", "frank", name="frank", email="frank@example.com")
    reply = await world.say(f"make @frank co-host of dingtalk meeting {DEMO_DINGTALK_ID}")
    assert "ids can't be looked up by email" in reply and "hostbot users set frank dingtalk=<id>" in reply


async def test_tokens_never_reach_the_log(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await world.say(ASK)
    token = requests(world, "dingtalk.cohosts")[0].headers["x-acs-dingtalk-access-token"]
    assert token not in caplog.text and world.sandbox.dingtalk.app_secret not in caplog.text
