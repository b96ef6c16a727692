"""did_you_mean: a request with a slip in it ("mkae @alice hsot", "make alice host") is never acted on
as typed. The reply offers the corrected request; its button sends that text through the normal path
(parse, handler, policy gate: bot/core/flow/dispatch.py `_click`), as if the speaker had typed it — about the
meeting it meant when shown (stored with it), never the one the thread is linked to at the click."""

from __future__ import annotations

from bot.core.model.events import ButtonStyle, Reply
from bot.core.request.context import Context
from bot.core.request.proposals import offer
from bot.core.request.registry import intent
from bot.core.request.request import Answer
from bot.core.world.meetings import linked_meeting


@intent("did_you_mean", examples={"en": ("mkae @alice hsot",),
                                  "zh": ("把@bob设为主持仁",)})
async def did_you_mean(ctx: Context) -> Answer:
    """Ask whether the corrected request is what was meant; run it only on the speaker's click."""
    suggestion = ctx.intent.suggestion
    # The meeting the corrected request means now (named in it, else the one linked here): the click
    # acts on this one even if the thread is linked elsewhere by then.
    meant = ctx.services.parse(suggestion, ctx.message.bot_user).meeting or await linked_meeting(ctx)
    payload = {"kind": "did_you_mean", "rerun": suggestion, "bot_user": ctx.message.bot_user,
               "meeting": meant.to_json() if meant is not None else None}
    buttons = await offer(ctx.services, ctx.request, "did_you_mean", payload,
                    ("rerun", "button_did_you_mean", ButtonStyle.PRIMARY),
                    ("cancel", "button_cancel", ButtonStyle.DEFAULT))
    return Answer.decision_of([Reply(ctx.t("did_you_mean", text=suggestion), buttons=buttons)], "did_you_mean")
