"""Which vendor calls may be sent again after an unknown result: the one table every client reads.

A request that timed out, lost its connection or got a 5xx may have been carried out all the same
(the vendor did the work and the answer was lost on the way back). Reads and token fetches can be
repeated: nothing changes. A *change* is never repeated blindly (DESIGN.md, "Exactly once"): the
client reads the vendor's state back, counts what already happened as done, and sends again only
what did not happen, once. When the state cannot be read back, the answer is Kind.UNKNOWN
("sent, but the answer was lost"), never a retry and never a claim of failure.

    op (= the sandbox's operation name)  repeatable  why
    feishu.set_host                       no          a repeat meets its own CAS (121006) and would
                                                      read as "the host changed under us"
    feishu.invite                         no          a repeat rings the invitees' phones again
    dingtalk.cohosts                      no          coHosts/set is documented as a set, but whether
                                                      DingTalk notifies people on each call is not
                                                      documented (GUESS: treat it as a side effect)
    webex.reassign                        no          every reassignment mails the old host a
                                                      cancellation (vendor-docs/webex-reassign-host.md)
    zoom.update_meeting                   no          Zoom counts updates per meeting and day (100,
                                                      UNCONFIRMED) and mails new alternative hosts
    every GET and token call              yes         reads change nothing

What a client puts in the Outcome after reading back (the handler may show it, en + zh keys in
bot/i18n/vendor.py): answer_lost = True; resent = the items sent again (ids); the reply key
"answer_lost_verified" / "answer_lost_resent" explains it in the thread.
"""

from __future__ import annotations

import httpx

# op -> may it be sent again after a 5xx, a timeout or a dropped connection?
REPEATABLE: dict[str, bool] = {
    "feishu.token": True,
    "feishu.get_meeting": True,
    "feishu.list_by_no": True,
    "feishu.set_host": False,
    "feishu.invite": False,
    "dingtalk.token": True,
    "dingtalk.get_conference": True,
    "dingtalk.members": True,
    "dingtalk.cohosts": False,
    "webex.get_meeting": True,
    "webex.list_meetings": True,
    "webex.sites": True,
    "webex.people_me": True,
    "webex.reassign": False,
    "zoom.token": True,
    "zoom.get_meeting": True,
    "zoom.get_user": True,
    "zoom.list_meetings": True,
    "dingtalk.user_conferences": True,
    "zoom.update_meeting": False,
}

# Errors that prove the request never reached the vendor: nothing can have happened.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol,
            httpx.InvalidURL)


def repeatable(op: str) -> bool:
    """May `op` be sent again when its result is unknown? Unknown ops are treated as changes (no)."""
    return REPEATABLE.get(op, False)


def answer_lost(status: int) -> bool:
    """Does an HTTP status on a change leave its result unknown? (5xx: a gateway or the vendor failed
    after the request arrived; 408 likewise.) Any other status is the vendor's answer."""
    return status >= 500 or status == 408
