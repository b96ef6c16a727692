"""Vendor faults on every vendor: a clear answer in the Slack thread, and the next request is served.

For Feishu, DingTalk, Webex and Zoom, the call that changes the host (or adds the co-host) meets
each fault in turn: the vendor refuses connections, does not answer in time, answers 500 with its
error body, 502 with a proxy's HTML page, 2xx with truncated JSON, 2xx with fields of the wrong
shape, 400 with an error body of the wrong shape; and the meeting lookup answers with fields of
the wrong shape. Every time the thread gets
a reply that names the vendor and is not the "something went wrong on my side" apology (which
means an exception escaped: a bug); when the vendor failed, the reply does not claim success. Then
a request on another meeting of the same vendor succeeds in the same process.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.core.model.vendor import MeetingVendor
from bot.sandbox import Fault, Sandbox
from bot.sandbox.demo_data import ZOOM_API_USER, fault_for
from bot.vendors.dingtalk import DingTalkVendor
from bot.vendors.feishu.vendor import FeishuVendor
from bot.vendors.webex.vendor import WebexVendor
from bot.vendors.zoom import ZoomVendor
from tests.support.faults import INTERNAL_ERROR, FaultWorld, NoWait, fault_world

SHORT_TIMEOUT = 0.3  # the vendor client gives up after this; the faulty vendor answers after LATE
LATE = 1.0
HTML_502 = ("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
            "<hr><center>nginx</center></body></html>")


@dataclass(frozen=True)
class VendorCase:
    name: str  # as replies name the vendor
    change_op: str  # the sandbox operation that changes the host
    lookup_op: str
    ok_status: int  # what the change answers when it works
    truncated: str  # a success body cut short
    odd_change: Any  # a success answer with fields of the wrong shape
    odd_lookup: Any
    ask: Callable[[FaultWorld, int], str]  # the request, on a fresh meeting of this vendor (numbered)
    reconnect: Callable[[FaultWorld, str], MeetingVendor]  # the same vendor at another base URL


def _feishu_ask(w: FaultWorld, i: int) -> str:
    users = w.demo.users
    m = w.sandbox.feishu.add_meeting(users["you"], [users["alice"]], meeting_no=str(400_000_000 + i))
    return f"make {w.mention('alice')} host of meeting {m.meeting_no}"


def _dingtalk_ask(w: FaultWorld, i: int) -> str:
    conf = w.sandbox.dingtalk.add_conference(w.demo.vendors.dingtalk_users["you"], f"Fault review {i}")
    return f"make {w.mention('bob')} co-host of dingtalk meeting {conf.id}"


def _webex_ask(w: FaultWorld, i: int) -> str:
    m = w.sandbox.webex.add_meeting(w.sandbox.webex.users["you@example.com"], f"Fault sync {i}")
    return f"make {w.mention('alice')} host of webex meeting {m.id}"


def _zoom_ask(w: FaultWorld, i: int) -> str:
    z = w.sandbox.zoom
    you, api = z.user("you@example.com"), z.user(ZOOM_API_USER)
    assert you is not None and api is not None
    m = z.add_meeting(you, f"Fault all-hands {i}", created_under=api)
    return f"make {w.mention('alice')} host of meeting {m.id}"


def _env(w: FaultWorld) -> dict[str, str]:
    return w.sandbox.env()


CASES = {
    "feishu": VendorCase(
        "Feishu", "feishu.set_host", "feishu.get_meeting", 200,
        '{"code":0,"msg":"success","data":{"host_user":{"id":"ou_',
        {"code": 0, "msg": "success", "data": {"host_user": "ou_not_an_object", "extra": {"nested": [1, 2]}}},
        {"code": 0, "msg": "success", "data": {"meeting": {"id": "not-a-number", "status": "two",
                                                           "host_user": ["x"], "topic": {"t": 1}}}},
        _feishu_ask,
        lambda w, base: FeishuVendor(_env(w)["FEISHU_APP_ID"], _env(w)["FEISHU_APP_SECRET"], base,
                                     timeout=SHORT_TIMEOUT)),
    "dingtalk": VendorCase(
        "DingTalk", "dingtalk.cohosts", "dingtalk.get_conference", 200, '{"success":tr',
        {"success": "maybe", "result": [1, 2, 3], "unexpected": {"a": None}},
        {"confInfo": "not-an-object", "extra": [None]},
        _dingtalk_ask,
        lambda w, base: DingTalkVendor(_env(w)["DINGTALK_APP_KEY"], _env(w)["DINGTALK_APP_SECRET"],
                                       f"{base}/dingtalk")),
    "webex": VendorCase(
        "Webex", "webex.reassign", "webex.get_meeting", 204, '{"items":[{"meetingId":"',
        {"items": "not-a-list", "surprise": True},
        {"id": 5, "state": ["inProgress"], "hostEmail": {"a": 1}, "meetingNumber": None, "title": 7},
        _webex_ask,
        lambda w, base: WebexVendor(_env(w)["WEBEX_TOKEN"], f"{base}/webex/v1", _env(w)["WEBEX_SITE_URL"])),
    "zoom": VendorCase(
        "Zoom", "zoom.update_meeting", "zoom.get_meeting", 204, '{"id":850123,"settings":{"alter',
        {"id": "not-a-number", "settings": "nope", "unexpected": [1, 2]},
        {"id": "abc", "host_email": 42, "status": ["started"], "settings": "x", "topic": None},
        _zoom_ask,
        lambda w, base: ZoomVendor(_env(w)["ZOOM_ACCOUNT_ID"], _env(w)["ZOOM_CLIENT_ID"], _env(w)["ZOOM_CLIENT_SECRET"],
                                   f"{base}/zoom/v2", f"{base}/zoom/oauth/token")),
}
# fault -> does the vendor's answer (if any) leave the change undone? (then the reply must not say ✅)
FAULTS = {"connection refused": True, "timeout": True, "500": True, "502 html": True,
          "truncated json": False, "unexpected fields": False, "lookup: unexpected fields": False,
          "error of unexpected shape": True}
# a 400 whose body has the vendor's field names with values of the wrong type
ODD_ERROR = {"code": "E_ODD", "msg": {"a": 1}, "message": ["x"], "errors": "nope", "requestid": 7, "trackingId": []}


@pytest.fixture
async def world(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[FaultWorld]:
    async with fault_world(sandbox, tmp_path) as w:
        yield w


@contextmanager
def _closed_port() -> Iterator[str]:
    """A loopback address where nothing listens: connecting is refused (the socket is bound, never listening)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


@asynccontextmanager
async def _swapped(world: FaultWorld, key: str, vendor: MeetingVendor) -> AsyncIterator[MeetingVendor]:
    """`vendor` stands in for the configured one while inside; the configured one comes back after."""
    vendors = world.bot.services.vendors
    original = vendors[key]
    for holder in (vendor, getattr(vendor, "http", None)):
        if getattr(holder, "limiter", None) is not None:
            holder.limiter.sleep = NoWait()  # type: ignore[union-attr]
    if getattr(vendor, "http", None) is not None:
        vendor.http.sleep = NoWait()  # type: ignore[attr-defined]
    vendors[key] = vendor
    try:
        yield vendor
    finally:
        vendors[key] = original
        await vendor.aclose()


async def _ask_under(world: FaultWorld, key: str, case: VendorCase, fault: str, i: int) -> str:
    text = case.ask(world, i)
    faults = world.sandbox.faults
    if fault == "connection refused":
        with _closed_port() as nowhere:
            async with _swapped(world, key, case.reconnect(world, nowhere)):
                return await world.ask_slack("you", text)
    if fault == "timeout":
        async with _swapped(world, key, case.reconnect(world, world.sandbox.url)) as vendor:
            http = getattr(vendor, "http", None)
            if http is not None:
                http.client.timeout = httpx.Timeout(SHORT_TIMEOUT)
            faults.arm(Fault(case.change_op, status=504, body={}, latency=LATE, times=-1))
            return await world.ask_slack("you", text)
    armed = {
        "500": lambda: Fault(case.change_op, status=500, body=fault_for(case.change_op, 500).body, times=-1),
        "502 html": lambda: Fault(case.change_op, status=502, body=HTML_502, times=-1),
        "truncated json": lambda: Fault(case.change_op, status=200 if case.ok_status == 204 else case.ok_status,
                                        body=case.truncated, times=-1),
        "unexpected fields": lambda: Fault(case.change_op, status=200 if case.ok_status == 204 else case.ok_status,
                                           body=case.odd_change, times=-1),
        "lookup: unexpected fields": lambda: Fault(case.lookup_op, status=200, body=case.odd_lookup, times=-1),
        "error of unexpected shape": lambda: Fault(case.change_op, status=400, body=ODD_ERROR, times=-1),
    }[fault]()
    faults.arm(armed)
    return await world.ask_slack("you", text)


@pytest.mark.parametrize("key", list(CASES))
async def test_every_fault_gets_a_clear_reply_in_the_thread_and_the_next_request_is_served(
        world: FaultWorld, key: str) -> None:
    case = CASES[key]
    seen: dict[str, str] = {}
    for n, (fault, failed) in enumerate(FAULTS.items()):
        try:
            reply = await _ask_under(world, key, case, fault, 2 * n)
        finally:
            world.sandbox.faults.clear()
        seen[fault] = reply
        assert reply not in INTERNAL_ERROR, f"{fault}: an exception escaped instead of an answer"
        assert case.name in reply, f"{fault}: {reply!r}"
        if failed:
            assert not reply.startswith("✅"), f"{fault}: {reply!r}"
        following = await world.ask_slack("you", case.ask(world, 2 * n + 1))
        assert following.startswith("✅"), f"after {fault}: {following!r}"
    print("\n".join(f"{key} / {fault}: {reply.splitlines()[0]}" for fault, reply in seen.items()))
