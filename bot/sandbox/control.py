"""The sandbox's chat control API: what a process that did not start the sandbox (`hostbot say`) needs
to play a person in Slack or Feishu against a running bot.

    GET  /_sandbox/people                  who exists: Slack users and channels (name -> id), the Slack
                                           team/app/bot ids, Feishu users (name -> open_id)
    POST /_sandbox/slack/says              {"as", "channel", "text"}: the person's message appears in the
                                           channel (as Slack would show it) -> {"message", "event"}: the
                                           event_callback body Slack would POST (the caller signs it)
    GET  /_sandbox/slack/messages?channel=C   the channel's messages (and ephemeral ones) as Slack holds them
    POST /_sandbox/slack/trigger           {"as"} -> {"trigger_id"}: the one Slack would send with a slash command
                                           or a click by that person (views.open takes only ids it issued)
    POST /_sandbox/feishu/says             {"as", "text", "mentions": [name | "bot"], "chat_type"}: the
                                           message exists in the IM fake -> {"message", "event"}
                                           (im.message.receive_v1, plaintext: the caller encrypts and signs)
    POST /_sandbox/feishu/click            {"as", "message_id", "value"} -> {"event"}: card.action.trigger
    GET  /_sandbox/feishu/latest           the root of the thread whose newest bot message has buttons ({"root"})
    GET  /_sandbox/feishu/thread?root=om   the bot's messages under a message: id, msg_type, the text as a
                                           Feishu client shows it, the card's buttons
    POST /_sandbox/feishu/meetings         {"host", "participants": [name], "topic"}: a Feishu meeting starts
                                           (vc.meeting.all_meeting_started_v1 goes out) -> {"id", "meeting_no"}
    POST /_sandbox/feishu/meetings/{id}/end   it ends (vc.meeting.all_meeting_ended_v1 goes out)
The sandbox plays the chat platform here, so it builds the events; the caller holds the keys (the
same FEISHU_ENCRYPT_KEY and SLACK_SIGNING_SECRET the bot was given) and seals them.
"""

from __future__ import annotations

import json
import time
from functools import partial
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.feishu.events import FeishuEvents
from bot.sandbox.feishu.im import BOT, FeishuIMFake, message_words
from bot.sandbox.feishu.vc import FeishuFake
from bot.sandbox.slack.web import SlackFake


class Sandbox(Protocol):
    """What the control API uses of the sandbox (box.Sandbox, which mounts these routes): the chat fakes."""

    @property
    def slack(self) -> SlackFake: ...
    @property
    def feishu(self) -> FeishuFake: ...
    @property
    def feishu_im(self) -> FeishuIMFake: ...
    @property
    def feishu_events(self) -> FeishuEvents: ...


def control_routes(box: Sandbox) -> list[Route]:
    return [
        Route("/_sandbox/people", partial(_people, box), methods=["GET"]),
        Route("/_sandbox/slack/says", partial(_slack_says, box), methods=["POST"]),
        Route("/_sandbox/slack/messages", partial(_slack_messages, box), methods=["GET"]),
        Route("/_sandbox/slack/trigger", partial(_slack_trigger, box), methods=["POST"]),
        Route("/_sandbox/feishu/says", partial(_feishu_says, box), methods=["POST"]),
        Route("/_sandbox/feishu/click", partial(_feishu_click, box), methods=["POST"]),
        Route("/_sandbox/feishu/thread", partial(_feishu_thread, box), methods=["GET"]),
        Route("/_sandbox/feishu/meetings", partial(_feishu_start, box), methods=["POST"]),
        Route("/_sandbox/feishu/meetings/{meeting_id}/end", partial(_feishu_end, box), methods=["POST"]),
        Route("/_sandbox/feishu/latest", partial(_feishu_latest, box), methods=["GET"]),
    ]


async def _feishu_start(box: Sandbox, request: Request) -> Response:
    spec = await request.json()
    f = box.feishu
    with f.lock:
        people = {u.name: u for u in f.users.values()}
    host, others = people.get(str(spec.get("host"))), [people.get(str(n)) for n in spec.get("participants") or []]
    if host is None or None in others:
        return _refuse(f"no Feishu user among {spec.get('host')!r}, {spec.get('participants')!r}")
    meeting = f.add_meeting(host, [o for o in others if o is not None], topic=str(spec.get("topic") or "Standup"))
    return JSONResponse({"id": meeting.id, "meeting_no": meeting.meeting_no})


async def _feishu_end(box: Sandbox, request: Request) -> Response:
    meeting_id = request.path_params["meeting_id"]
    if meeting_id not in box.feishu.meetings:
        return _refuse(f"no Feishu meeting {meeting_id!r}")
    box.feishu.end_meeting(meeting_id)
    return JSONResponse({"ok": True})


def _refuse(why: str) -> Response:
    return JSONResponse({"ok": False, "error": why}, status_code=400)


async def _people(box: Sandbox, request: Request) -> Response:
    s = box.slack
    with s.lock:
        slack_users = {u.name: u.id for u in s.users.values() if not u.is_bot}
        channels = {c.name: c.id for c in s.channels.values() if not c.id.startswith("D")}
    with box.feishu.lock:
        feishu_users = {u.name: u.open_id for u in box.feishu.users.values()}
    return JSONResponse({
        "slack": {"team_id": s.team_id, "app_id": s.app_id, "bot_user": s.bot_user.id, "users": slack_users,
                  "channels": channels},
        "feishu": {"users": feishu_users, "bot_open_id": box.feishu_im.bot_open_id},
    })


async def _slack_says(box: Sandbox, request: Request) -> Response:
    spec = await request.json()
    s = box.slack
    with s.lock:
        user = next((u for u in s.users.values() if u.name == spec.get("as")), None)
        channel = next((c for c in s.channels.values() if spec.get("channel") in (c.name, c.id)), None)
        if user is None or channel is None:
            return _refuse(f"no Slack user {spec.get('as')!r} or channel {spec.get('channel')!r}")
        channel.members.add(user.id)
        message = {"type": "message", "user": user.id, "text": str(spec.get("text") or ""), "ts": s._next_ts()}
        channel.messages.append(message)
    event = {"type": "app_mention", "user": user.id, "text": message["text"], "ts": message["ts"],
             "channel": channel.id, "event_ts": message["ts"]}
    body = {"token": "legacy", "team_id": s.team_id, "api_app_id": s.app_id, "event": event,
            "type": "event_callback", "event_id": f"Ev{message['ts'].replace('.', '')}", "event_time": int(time.time())}
    return JSONResponse({"message": message, "event": body})


async def _slack_trigger(box: Sandbox, request: Request) -> Response:
    spec = await request.json()
    with box.slack.lock:
        user = next((u for u in box.slack.users.values() if u.name == spec.get("as")), None)
    if user is None:
        return _refuse(f"no Slack user {spec.get('as')!r}")
    return JSONResponse({"trigger_id": box.slack.issue_trigger(user.id)})


async def _slack_messages(box: Sandbox, request: Request) -> Response:
    with box.slack.lock:
        channel = box.slack.channels.get(request.query_params.get("channel", ""))
        if channel is None:
            return _refuse("no such channel")
        return JSONResponse({"messages": [dict(m) for m in channel.messages],
                             "ephemeral": [dict(m) for m in channel.ephemeral]})


def _feishu_user(box: Sandbox, name: str) -> Any:
    with box.feishu.lock:
        return next((u for u in box.feishu.users.values() if u.name == name), None)


async def _feishu_says(box: Sandbox, request: Request) -> Response:
    spec = await request.json()
    sender = _feishu_user(box, str(spec.get("as")))
    mentions = [BOT if m == BOT else _feishu_user(box, str(m)) for m in spec.get("mentions") or []]
    if sender is None or None in mentions:
        return _refuse(f"no Feishu user {spec.get('as')!r} or one of {spec.get('mentions')!r}")
    msg = box.feishu_im.user_says(sender, str(spec.get("text") or ""), mentions=mentions,
                                  chat_type=str(spec.get("chat_type") or "group"))
    return JSONResponse({"message": msg, "event": box.feishu_events.message(msg)})


async def _feishu_click(box: Sandbox, request: Request) -> Response:
    spec = await request.json()
    user = _feishu_user(box, str(spec.get("as")))
    with box.feishu.lock:
        card = box.feishu_im.messages.get(str(spec.get("message_id")))
    if user is None or card is None or card["msg_type"] != "interactive":
        return _refuse("no such person or card")
    return JSONResponse({"event": box.feishu_events.card_click(user, card, dict(spec.get("value") or {}))})


async def _feishu_thread(box: Sandbox, request: Request) -> Response:
    im = box.feishu_im
    out = []
    for m in im.thread(request.query_params.get("root", "")):
        buttons = im.buttons(m) if m["msg_type"] == "interactive" else []
        header = json.loads(m["content"]).get("header", {}) if m["msg_type"] == "interactive" else {}
        title = str(header.get("title", {}).get("content", ""))
        text = im.shown(message_words(m))
        out.append({"id": m["message_id"], "msg_type": m["msg_type"], "text": f"{title}\n{text}" if title else text,
                    "version": m.get("updates", 0),
                    "buttons": [{"label": b["text"]["content"], "value": b["value"]} for b in buttons]})
    return JSONResponse({"messages": out})


async def _feishu_latest(box: Sandbox, request: Request) -> Response:
    im = box.feishu_im
    with box.feishu.lock:
        cards = [m for m in im.messages.values() if m["sender"]["sender_type"] == "app"
                 and m["msg_type"] == "interactive"]
    with_buttons = [m for m in cards if im.buttons(m)]
    if not with_buttons:
        return _refuse("no message with buttons yet")
    return JSONResponse({"root": with_buttons[-1]["root_id"]})
