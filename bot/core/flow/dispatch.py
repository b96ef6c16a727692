"""The dispatcher: a ChatMessage or ButtonClick in, Replies out.

It owns the steps every request shares once an adapter admitted its delivery (exactly-once by delivery
id is the adapters' pipeline, bot/adapters/pipeline.py): parsing, picking the
handler from the registry, resuming a stored proposal on a button click (bound to the plan it
stored, never to the thread's link or the words again), the audit row of the
request, and turning a handler's user-facing exceptions (unknown person, no meeting) into
replies. It never lets an exception out: a bug becomes an apology and a log line.
Each request runs under a request id (bot/telemetry/logs.py) and ends with one log line and one count in
hostbot_requests_total (bot/telemetry/metrics.py). An adapter may pass
a ProgressSink: long work shows its progress there (bot/core/answer/progress.py).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from bot.core.answer.progress import ProgressSink
from bot.core.flow.pipeline import run
from bot.core.flow.undo import UNDO_ACTION, UNDO_INTENT, press_undo
from bot.core.model.bound import PlanSpec, bind
from bot.core.model.events import ButtonClick, ChatMessage, Reply
from bot.core.model.intent import Intent
from bot.core.model.vendor import MeetingRef
from bot.core.request.context import Context, Services
from bot.core.request.request import Approval, Request
from bot.core.world.running import picked_meeting
from bot.i18n import t
from bot.store import ClaimError
from bot.telemetry.logs import Timer, event, request_scope

log = logging.getLogger(__name__)

NEGATIVE_ACTIONS = {"cancel", "decline"}
HANDOVER_BUTTONS = frozenset({"reminder", "missed"})  # kinds of a scheduled handover's buttons


def rerun_message(msg: ChatMessage, payload: dict[str, Any]) -> ChatMessage:
    """The corrected request a "did you mean …?" button sends (neutral text, as the adapter made it)."""
    return replace(msg, text=str(payload["rerun"]), bot_user=str(payload.get("bot_user") or ""))


class Dispatcher:
    def __init__(self, services: Services, bot_user: str = "") -> None:
        self.registry = services.registry
        self.services = services
        self.bot_user = bot_user

    async def handle_message(self, msg: ChatMessage, progress: ProgressSink | None = None) -> list[Reply]:
        with request_scope(msg.platform):
            return await self._message(msg, progress)

    async def handle_form(self, msg: ChatMessage, intent: Intent, progress: ProgressSink | None = None) -> list[Reply]:
        """A request whose Intent a form built from its fields (Slack's /host modal, a Home tab button):
        not parsed, otherwise a message like any other — the request's audit row, then plan → gate → execute."""
        with request_scope(msg.platform):
            return await self._message(msg, progress, intent)

    async def _message(self, msg: ChatMessage, progress: ProgressSink | None,
                       formed: Intent | None = None) -> list[Reply]:
        store, timer = self.services.store, Timer()
        intent = formed or await self.parse(msg)
        pressed = await self._typed_button(msg, intent) if formed is None else None
        if pressed is not None:  # typed "undo" / "cancel": the button it names, pressed through the same path
            await store.audit(platform=msg.platform, chat_user=msg.user, intent=intent.name, event="request")
            return await self._click(pressed, progress)
        lang = msg.lang or intent.lang
        await store.audit(platform=msg.platform, chat_user=msg.user, intent=intent.name, event="request")
        answer = await run(Context(self.services, Request(msg, intent, lang), progress_sink=progress))
        # Never the text itself (it may name people or carry links): its length, and the delivery id.
        self._count(msg.platform, intent.name, answer.summary(), timer, kind="message", user=msg.user,
                    lang=lang, delivery=msg.event_id or msg.message_id or None, text_len=len(msg.text))
        return answer.replies

    async def handle_bound(self, msg: ChatMessage, vendor: str, meeting_id: str,
                           progress: ProgressSink | None = None) -> list[Reply]:
        """A request resumed later (Feishu: once its author authorized hostbot): its words parsed again, on
        the meeting it was about when it was shown, never on what the thread is linked to by now."""
        intent = replace(await self.parse(msg), meeting=MeetingRef(vendor, meeting_id))
        return await self.handle_form(msg, intent, progress)

    async def handle_click(self, click: ButtonClick, progress: ProgressSink | None = None) -> list[Reply]:
        """A button press (its delivery admitted once by the adapters' pipeline): claim its proposal
        exactly once, then cancel, or run the plan it stored
        (bound to it: bot/core/model/bound.py)."""
        with request_scope(click.platform):
            return await self._click(click, progress)

    def _count(self, platform: str, intent: str, outcome: str, timer: Timer, **fields: Any) -> None:
        self.services.metrics.requests.labels(str(platform), intent or "-", outcome).inc()
        event(log, "request", platform=str(platform), intent=intent or "-", outcome=outcome, ms=timer.ms, **fields)

    async def _click(self, click: ButtonClick, progress: ProgressSink | None) -> list[Reply]:
        store, people, timer = self.services.store, self.services.people, Timer()
        lang = click.lang or "en"
        if click.action == UNDO_ACTION:  # an Undo row, not a proposal (bot/core/flow/undo.py)
            replies = await press_undo(self.services, click, progress, run)
            row = await self.services.store.get_undo(click.value)  # its status says what came of it
            self._count(click.platform, UNDO_ACTION, row.status if row else "expired", timer, kind="click",
                        action=click.action, user=click.user)
            return replies
        negative = click.action in NEGATIVE_ACTIONS
        try:
            proposal = await store.claim_proposal(click.value, click.user,
                                                  outcome="cancelled" if negative else "claimed")
        except ClaimError as err:
            intent_name = err.proposal.action if err.proposal else ""
            self._count(click.platform, intent_name, {"not_yours": "foreign_click", "used": "already_used"}.get(
                err.why, "expired"), timer, kind="click", action=click.action, user=click.user)
            return await self._refused_click(click, err, lang)
        payload = proposal.payload
        lang = click.lang or payload.get("lang", "en")
        intent = Intent.from_json(payload["intent"])
        requester = str(payload.get("on_behalf_of") or click.user)
        decision = "declined" if click.action == "decline" else "cancelled" if negative else click.action
        await store.audit(platform=click.platform, chat_user=click.user, intent=intent.name, event="decision",
                    outcome=decision, detail=f"on behalf of {requester}" if requester != click.user else "")
        if negative:
            self._count(click.platform, intent.name, decision, timer, kind="click", action=click.action,
                        user=click.user)
            if click.action == "decline":  # read by the requester: in their language, not the approver's
                return [Reply(t(str(payload.get("lang") or lang), "policy_declined",
                                who=await people.describe_chat_user(click.platform, click.user)),
                              mention_users=(requester,))]
            return [Reply(t(lang, "cancelled"))]
        ctx = await self._resumed(click, proposal.channel, proposal.thread, payload, intent, requester, lang, progress)
        if ctx is None:  # stored before bound plans: what it would do is not known any more
            await store.finish_proposal(proposal.id, "expired")
            self._count(click.platform, intent.name, "expired", timer, kind="click", action=click.action,
                        user=click.user)
            return [Reply(t(lang, "choice_expired"))]
        intent = ctx.intent
        answer = await run(ctx)
        await store.finish_proposal(proposal.id, "done")
        self._count(click.platform, intent.name, answer.summary(), timer, kind="click", action=click.action,
                    user=click.user)
        return answer.replies

    async def _typed_button(self, msg: ChatMessage, intent: Intent) -> ButtonClick | None:
        """Typed "undo": the Undo button of the speaker's newest change that can still be undone; typed
        "cancel": the Cancel button of the newest Confirm waiting for the speaker in this channel. The
        click then goes through _click like a press (press_undo's authority and claim, or the proposal's
        claim), so typing adds no second path. None when there is none: the handler says so."""
        store = self.services.store
        if intent.name == UNDO_INTENT:
            row = await store.latest_undo(msg.platform, msg.user)
            action, value = UNDO_ACTION, row.id if row else ""
        elif intent.name == "cancel":
            proposal = await store.latest_proposal(msg.platform, msg.user, msg.channel)
            action, value = "cancel", proposal.id if proposal else ""
        else:
            return None
        if not value:
            return None
        return ButtonClick(platform=msg.platform, user=msg.user, action=action, value=value, channel=msg.channel,
                           thread=msg.thread, user_name=msg.user_name, lang=msg.lang or intent.lang)

    async def _resumed(self, click: ButtonClick, channel: str, thread: str, payload: dict[str, Any], intent: Intent,
                 requester: str, lang: str, progress: ProgressSink | None) -> Context | None:
        """The Context a click resumes: bound to the plan the proposal stored (bot/core/model/bound.py), never
        to what the thread's link, the words or a listing say now. None for a row without a plan."""
        msg = ChatMessage(platform=click.platform, user=requester, text=intent.text,
                          channel=channel, thread=thread, tz=str(payload.get("tz", "")))
        approval = Approval.of_click(click, payload)
        kind = approval.kind
        if kind == "did_you_mean":  # the corrected text, parsed once; its meeting is the one meant when shown
            if "meeting" not in payload:
                return None
            msg = rerun_message(msg, payload)
            intent = await self.parse(msg)  # a fresh request (no approval): the policy gate applies as to any other
            pinned = MeetingRef.from_json(payload.get("meeting"))
            if intent.meeting is None and pinned is not None:
                intent = replace(intent, meeting=pinned)
            return Context(self.services, Request(msg, intent, lang), progress_sink=progress, no_links=True)
        if kind == "pick":  # which of the meetings the speaker runs: the one pressed, as if named
            picked = picked_meeting(payload, click.action)
            if picked is None:
                return None
            return Context(self.services, Request(msg, replace(intent, meeting=picked), lang), progress_sink=progress,
                           no_links=True)
        shown = PlanSpec.from_json(payload.get("plan"))
        if shown is None:
            return None
        if kind in HANDOVER_BUTTONS:  # a reminder's button: the handover's stored plan runs (bot/scheduling)
            msg = replace(msg, user=click.user)  # decided (and audited) as the person who clicked
            return Context(self.services, Request(msg, intent, lang), approval, progress_sink=progress, no_links=True)
        return Context(self.services, Request(msg, bind(intent, shown), lang), approval, progress_sink=progress,
                       bound=shown, no_links=True)

    async def parse(self, msg: ChatMessage) -> Intent:
        """The message's Intent, with the names hostbot knows on that platform (for "did you mean @alice?")."""
        await self.services.parse_ready()
        return self.services.parse(msg.text, msg.bot_user or self.bot_user,
                                   now=self.services.clock(), tz=msg.tz or self.services.settings.tz,
                                   known_names=await self.known_names(msg.platform))

    async def known_names(self, platform: str) -> list[str]:
        return await self.services.store.chat_names(platform)

    async def _refused_click(self, click: ButtonClick, err: ClaimError, lang: str) -> list[Reply]:
        store = self.services.store
        proposal = err.proposal
        if not click.lang and proposal is not None:  # the clicker's language unknown: the button's words
            lang = str(proposal.payload.get("lang") or lang)
        intent = proposal.action if proposal else ""
        await store.audit(platform=click.platform, chat_user=click.user, intent=intent, event="decision",
                    outcome={"not_yours": "foreign_click", "used": "already_used"}.get(err.why, "expired"))
        if err.why == "not_yours" and proposal is not None:
            owner = await self.services.people.describe_chat_user(proposal.platform, proposal.pressers[0])
            key = {"approval": "choice_only_owner_approve", "confirm": "choice_only_owner_confirm"}.get(
                str(proposal.payload.get("kind")), "choice_not_yours")
            return [Reply(t(lang, key, owner=owner), ephemeral=True)]
        if err.why == "used":
            return [Reply(t(lang, "choice_used"))]
        return [Reply(t(lang, "choice_expired"))]

