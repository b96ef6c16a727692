"""`hostbot demo` does each vendor's operation against the sandbox (one meeting per vendor is seeded)."""

from __future__ import annotations

import io

from bot.devtools.demo import run_demo
from bot.sandbox import Sandbox
from bot.sandbox.demo_data import DEMO_DINGTALK_ID, DEMO_WEBEX_DAVE, DEMO_WEBEX_ID, DEMO_ZOOM_ID


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


SCRIPT = f"""\
invite @dave to meeting 123456789
make @bob co-host of dingtalk meeting {DEMO_DINGTALK_ID}
make @alice host of dingtalk meeting {DEMO_DINGTALK_ID}
1
make @alice host of webex meeting {DEMO_WEBEX_ID}
make @dave host of meeting {DEMO_ZOOM_ID}
make @bob co-host of meeting {DEMO_ZOOM_ID}
make @alice host of meeting {DEMO_ZOOM_ID}
who is host of meeting {DEMO_ZOOM_ID}
!as carol
reassign @dave's webex meetings to @alice
1
"""


async def test_the_demo_does_every_vendors_operation() -> None:
    out = io.StringIO()
    with Sandbox() as box:
        await run_demo(_Pipe(SCRIPT), out, sandbox=box)
        text = out.getvalue()
        invite = box.recorder.all("feishu.invite")
        cohosts = box.recorder.all("dingtalk.cohosts")
        reassign = box.recorder.all("webex.reassign")
        zoom = box.recorder.all("zoom.update_meeting")
    assert f"DingTalk meeting “Design review” {DEMO_DINGTALK_ID}" in text  # the banner names every vendor's meeting
    assert "✅ Invited @dave to Feishu meeting 123 456 789; Feishu is calling them." in text
    assert f"✅ Made @bob co-host of DingTalk meeting {DEMO_DINGTALK_ID}." in text
    assert "DingTalk cannot transfer the host role through its API; it only supports co-hosts." in text
    assert f"✅ Made @alice co-host of DingTalk meeting {DEMO_DINGTALK_ID}." in text
    assert "✅ @alice is now host of Webex meeting" in text
    assert "Zoom refused to schedule the meeting for @dave." in text
    assert "✅ Made @bob co-host of Zoom meeting 850 1234 5678.\nCo-hosts now: @bob." in text
    assert "✅ @alice is now host of Zoom meeting 850 1234 5678." in text
    assert "Zoom meeting 850 1234 5678: @alice is host.\nCo-hosts: @bob." in text
    assert "⚠️ Reassigned 1 of 2 Webex meeting series of @dave to @alice." in text
    assert "• “Release planning”: in progress now; reassign it after it ends." in text
    assert "Traceback" not in text
    assert len(invite) == 1
    assert [c.body["action"] for c in cohosts] == ["add", "add"]
    assert [c.body["meetingIds"] for c in reassign] == [[DEMO_WEBEX_ID], [DEMO_WEBEX_DAVE[0], DEMO_WEBEX_DAVE[2]]]
    assert [c.body for c in zoom] == [{"schedule_for": "dave@example.com"},
                                      {"settings": {"alternative_hosts": "bob@example.com"}},
                                      {"schedule_for": "alice@example.com"}]


async def test_demo_fault_lost_shows_a_reassignment_read_back_not_repeated() -> None:
    import io

    from bot.devtools.demo import run_demo
    from bot.sandbox import Sandbox
    from bot.sandbox.demo_data import DEMO_WEBEX_ID

    class Pipe(io.StringIO):
        def isatty(self) -> bool:
            return False

    out = io.StringIO()
    lines = ["!fault webex.reasign 502", "!fault webex.reassign 502 lost",
             f"make @alice host of webex meeting {DEMO_WEBEX_ID}"]
    with Sandbox() as box:
        await run_demo(Pipe("\n".join(lines) + "\n"), out, sandbox=box)
        posts = box.recorder.all("webex.reassign")
        host = box.webex.meetings[DEMO_WEBEX_ID].host_email
    text = out.getvalue()
    assert "there is no operation 'webex.reasign'; valid ones: " in text and "webex.reassign" in text
    assert "the next webex.reassign is carried out, then its answer is lost" in text
    assert "✅ @alice is now host of Webex meeting" in text
    assert len(posts) == 1 and posts[0].status == 502 and host == "alice@example.com"
