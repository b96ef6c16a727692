"""The demo world at DingTalk, Webex and Zoom (bot/devtools/demo.py seeds Feishu and calls this).

    DingTalk  conference "Design review" (644272f14ba331015e7a-78bc1) that you started
    Webex     your series "Webex team sync"; dave's series "Dave's 1:1s", "Release planning"
              (in progress) and "Customer webinar" (needs a Webinar licence, which alice lacks)
    Zoom      meetings 85012345678 "Zoom all-hands" and 81234567890 "Zoom design crit" (the README's
              example) hosted by you, created under the API user hostbot-api@example.com, an
              assistant of everyone except dave
Everybody has the email `demo_email(name)` at every vendor (小王's is xiaowang@example.com).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.sandbox import Fault, Sandbox
from bot.sandbox.dingtalk import Conference, DingTalkUser
from bot.sandbox.webex import IN_PROGRESS, WebexMeeting
from bot.sandbox.zoom import ZoomMeeting

DEMO_DINGTALK_ID = "644272f14ba331015e7a-78bc1"
DEMO_WEBEX_ID = "870f51ff287b41be84648412901e0402"  # your series "Webex team sync"
DEMO_WEBEX_DAVE = ("1d824a4a205042eba9574e00b711b226", "41be84640b711b8414a4a205042ebba9",
                   "560d7b784f5143e3be2fc3064a5c5888")
DEMO_ZOOM_ID = 85012345678
DEMO_ZOOM_README_ID = 81234567890  # "add @bob and @carol as co-hosts of zoom meeting 812 3456 7890"
ZOOM_API_USER = "hostbot-api@example.com"  # the S2S app's user: meetings are created under it


def demo_email(name: str) -> str:
    """A demo person's email at every vendor and in Slack (ASCII even for a Chinese name)."""
    return {"小王": "xiaowang@example.com"}.get(name, f"{name.lower()}@example.com")


@dataclass
class VendorWorld:
    dingtalk_users: dict[str, DingTalkUser] = field(default_factory=dict)
    dingtalk_meeting: Conference | None = None
    webex_meetings: dict[str, WebexMeeting] = field(default_factory=dict)  # by title
    zoom_meeting: ZoomMeeting | None = None


def seed_vendors(sandbox: Sandbox, people: tuple[str, ...]) -> VendorWorld:
    world = VendorWorld()
    d = sandbox.dingtalk
    world.dingtalk_users = {name: d.add_user(name) for name in people}
    world.dingtalk_meeting = d.add_conference(world.dingtalk_users["you"], "Design review",
                                              conference_id=DEMO_DINGTALK_ID)

    w = sandbox.webex
    webex = {name: w.add_user(name, demo_email(name), licenses={"MC"} if name == "alice" else {"MC", "Webinar"})
             for name in people}
    meetings = [w.add_meeting(webex["you"], "Webex team sync"),
                w.add_meeting(webex["dave"], "Dave's 1:1s"),
                w.add_meeting(webex["dave"], "Release planning", state=IN_PROGRESS),
                w.add_meeting(webex["dave"], "Customer webinar", license="Webinar")]
    with w.lock:  # fixed ids, so that the demo's lines and the tests can name them
        for meeting, mid in zip(meetings, (DEMO_WEBEX_ID, *DEMO_WEBEX_DAVE), strict=True):
            del w.meetings[meeting.id]
            meeting.id = mid
            w.meetings[mid] = meeting
    world.webex_meetings = {m.title: m for m in meetings}

    z = sandbox.zoom
    api_user = z.add_user("hostbot-api", ZOOM_API_USER)
    z.app_user_id = api_user.id  # what GET /users/me answers with the app's token
    zoom = {name: z.add_user(name, demo_email(name)) for name in people}
    for name in people:
        if name != "dave":  # dave never gave the API user scheduling privilege
            zoom[name].assistants.add(api_user.id)
    world.zoom_meeting = z.add_meeting(zoom["you"], "Zoom all-hands", created_under=api_user, meeting_id=DEMO_ZOOM_ID)
    z.add_meeting(zoom["you"], "Zoom design crit", created_under=api_user, meeting_id=DEMO_ZOOM_README_ID)
    return world


BANNER = [
    f"DingTalk meeting “Design review” {DEMO_DINGTALK_ID} (you started it; DingTalk has co-hosts only): "
    f"`make @bob co-host of dingtalk meeting {DEMO_DINGTALK_ID}`",
    f"Webex: `make @alice host of webex meeting {DEMO_WEBEX_ID}` · as the admin (`!as carol`): "
    "`reassign @dave's webex meetings to @alice` (one is in progress, one needs a licence alice lacks)",
    f"Zoom meeting {DEMO_ZOOM_ID} “Zoom all-hands” (yours): `make @alice host of meeting {DEMO_ZOOM_ID}` · "
    f"`make @dave host of meeting {DEMO_ZOOM_ID}` (dave never gave scheduling privilege) · "
    f"`make @bob co-host of meeting {DEMO_ZOOM_ID}` · `who is host of meeting {DEMO_ZOOM_ID}`",
    "Feishu invite (you authorized hostbot): `invite @dave to meeting 123456789`",
]


def fault_for(op: str, status: int, after: bool = False) -> Fault:
    """`!fault OP STATUS [lost]`: the error body of OP's vendor; 429 / 423 ask to retry after 2 s.
    `after`: OP is carried out first, then answered with STATUS (the answer is lost)."""
    bodies = {
        "feishu": {"code": 121001 if status >= 500 else 99991400, "msg": "internal error"},
        "dingtalk": {"code": "systemError", "message": "systemError:sandbox", "requestid": "SANDBOX"},
        "webex": {"message": "Injected by the sandbox.", "errors": [{"description": "Injected by the sandbox."}],
                  "trackingId": "SANDBOX"},
        "zoom": {"code": status, "message": "Injected by the sandbox."},
    }
    headers = {"Retry-After": "2"} if status in (423, 429) else {}
    return Fault(op, status=status, body=bodies.get(op.split(".")[0], {}), headers=headers, after=after)
