"""Slack surfaces beyond messages: the /host form (modal) and the App Home tab, registered on the
adapter's Bolt app by `register(adapter)`.

- `/host` with no text: ack, then views.open with the command's trigger_id at once (it is valid for
  3 s); choosing another "what" swaps the people picker (views.update with the view's hash).
- view_submission: what the form can check is answered in the ack (`response_action: errors`);
  otherwise ack, then exactly once per view id + hash, a thread is started in the channel the
  form came from ("@you asked: …") and the Intent read from the form goes through the same
  plan → gate → execute as a typed request (Dispatcher.handle_form); the answer goes in that thread.
- app_home_opened (tab "home"): views.publish of the person's Home view. Its buttons (Cancel a
  handover, Approve/Decline a request) have no thread of their own: the request runs in the
  handover's or the request's thread, the answer goes there, and the Home view is published again.
  What the tab shows comes from the overview read model (bot/overview/home.py); this only renders it.
Requests go through the adapters' pipeline (bot/adapters/pipeline.py) like typed ones.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.adapters.markup import slack_text
from bot.adapters.slack.home import APPROVE, CANCEL, DECLINE, HOME_PREFIX, home_view
from bot.adapters.slack.modal import CALLBACK_ID, WHAT_ACTION, FormOrigin, form_view, read_form
from bot.adapters.slack.port import Profile, SlackOutlet, SlackPort, ThreadStarter
from bot.core.model.events import ButtonClick, ChatMessage, Platform, neutral_mention, unmarked
from bot.core.model.intent import Intent
from bot.core.model.vendor import MeetingRef
from bot.i18n import t
from bot.overview.home import approval_thread, handover_thread, linked_meeting, overview
from bot.scheduling.wording import when_text

if TYPE_CHECKING:
    from bot.core.request.context import Services

log = logging.getLogger(__name__)

FORM_PROFILE_WAIT_S = 1.0  # of the 3 s a trigger_id lives; past it the form opens in English
LINK_SHOWN_MAX = 150  # characters of the linked meeting shown in the form (a hint holds 2,000)
CHANNEL_PAGES = 5  # users.conversations pages of 200 read at most


class SlackSurfaces:
    def __init__(self, adapter: SlackPort, services: Services) -> None:
        self.adapter = adapter
        self.services = services

    def register(self) -> None:
        """Called by the adapter before its own /host listener: Bolt runs the first that matches."""
        app, held = self.adapter.app, self.adapter.inflight.wrap  # held: a shutdown waits for it
        app.command("/host", matchers=[self._no_text])(held(self._open_form))
        app.action(WHAT_ACTION)(held(self._switch_form))
        app.view(CALLBACK_ID)(held(self._on_submit))
        app.event("app_home_opened")(held(self._on_home_opened))
        app.action(re.compile(f"^{re.escape(HOME_PREFIX)}"))(held(self._on_home_click))

    @staticmethod
    async def _no_text(body: dict[str, Any]) -> bool:
        return not str(body.get("text") or "").strip()

    async def _quick_profile(self, user: str) -> tuple[str, str]:
        """The asker's language and zone, unless Slack takes too long to say (the trigger_id expires)."""
        try:
            profile = await asyncio.wait_for(self.adapter.profile(user), FORM_PROFILE_WAIT_S)
        except TimeoutError:
            return "en", self.services.settings.tz
        return profile.lang, profile.tz

    # ---- the form -----------------------------------------------------------------------
    async def _open_form(self, ack: Any, command: dict[str, Any], context: Any) -> None:
        await ack()
        self.adapter.acked(context)
        trigger, user = str(command.get("trigger_id") or ""), str(command.get("user_id") or "")
        channel = str(command.get("channel_id") or "")
        if not await self.adapter.pipeline.first(Platform.SLACK, [f"command:{trigger}"]):
            return
        lang, tz = await self._quick_profile(user)
        linked, shown = await linked_meeting(self.services, Platform.SLACK, channel, lang)
        # The prefill is compared as a whole on submit (unchanged = this link), so a cut one still works.
        shown = shown if len(shown) <= LINK_SHOWN_MAX else shown[:LINK_SHOWN_MAX - 1] + "…"
        origin = FormOrigin(channel=channel, user=user, lang=lang, tz=tz, linked=linked, linked_text=shown)
        try:
            await self.adapter.client.views_open(trigger_id=trigger, view=form_view(origin))
        except Exception as err:  # an expired trigger, Slack down: say so to the asker alone
            error = str(getattr(err, "response", {}).get("error", "") or type(err).__name__)
            log.warning("slack views.open failed: %s", error)
            await self.adapter.web.call("chat_postEphemeral", channel=channel, user=user,
                                    text=slack_text(t(lang, "form_failed", error=error)))

    async def _switch_form(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        view = body.get("view") or {}
        origin = FormOrigin.from_metadata(str(view.get("private_metadata") or ""))
        if origin is None:
            return
        what = str((action.get("selected_option") or {}).get("value") or "")
        # With the hash, Slack refuses the update if the view changed meanwhile (a newer choice won).
        await self.adapter.web.call("views_update", view_id=view.get("id"), hash=view.get("hash"),
                                view=form_view(origin, what))

    async def _on_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
        origin = FormOrigin.from_metadata(str(view.get("private_metadata") or ""))
        user = str((body.get("user") or {}).get("id") or "")
        if origin is None or not user:
            await ack()
            log.warning("slack: a form submission without its origin; ignored")
            return
        origin = replace(origin, user=user)  # Slack says who submitted; the metadata only where from
        await self.services.parse_ready()  # _meeting_in parses: the grammar may still be loading
        found = read_form(view, origin, self.services.clock(), self._meeting_in)
        if isinstance(found, dict):
            await ack(response_action="errors", errors=found)
            return
        await ack()
        self.adapter.acked(context)
        echo = self._echo(found, origin, view)
        # One request per view id + hash: the same submission again (a double click) is a redelivery.
        msg = ChatMessage(platform=Platform.SLACK, user=user, text=echo, channel=origin.channel,
                          event_id=f"view:{view.get('id', '')}:{view.get('hash', '')}", lang=origin.lang,
                          tz=origin.tz, bot_user=(context or {}).get("bot_user_id") or "")
        outlet = ThreadStarter(self.adapter.web, origin.channel, user, origin.lang, echo, dm_fallback=True)
        await self.adapter.pipeline.message(msg, outlet, formed=replace(found, text=echo))

    def _meeting_in(self, text: str) -> MeetingRef | None:
        return self.services.parse(unmarked(text)).meeting

    def _echo(self, intent: Intent, origin: FormOrigin, view: dict[str, Any]) -> str:
        """The request as the thread starter shows it: "Make host: <@U1> · Feishu 123 456 789"."""
        parts = [" ".join(neutral_mention(u) for u in intent.targets)]
        values = (view.get("state") or {}).get("values") or {}
        typed = str((values.get("meeting", {}).get("meeting") or {}).get("value") or "").strip()
        parts.append(unmarked(typed) or t(origin.lang, "form_echo_linked"))
        if intent.at is not None:
            parts.append(when_text(intent.at, origin.tz or self.services.settings.tz, self.services.clock()))
        return f"{t(origin.lang, f'form_what_{intent.name}')}: {' · '.join(parts)}"

    # ---- the Home tab ---------------------------------------------------------------------
    async def _on_home_opened(self, ack: Any, event: dict[str, Any], context: Any) -> None:
        await ack()
        self.adapter.acked(context)
        if event.get("tab") == "home" and event.get("user"):
            await self.publish(str(event["user"]))

    async def publish(self, user: str) -> None:
        """views.publish the Home view of `user` as things stand now (bot/overview/home.py)."""
        profile = await self.adapter.profile(user)
        content = await overview(self.services, Platform.SLACK, user, profile.lang, profile.tz,
                                 lambda: self._channels_of(user))
        await self.adapter.web.call("views_publish", user_id=user, view=home_view(content))

    async def _channels_of(self, user: str) -> list[str]:
        """The channels `user` is in (users.conversations), at most CHANNEL_PAGES pages of 200."""
        channels: list[str] = []
        cursor = ""
        for _ in range(CHANNEL_PAGES):
            data: dict[str, Any] = await self.adapter.web.call("users_conversations", user=user, limit=200,
                                                           cursor=cursor or None,
                                                           types="public_channel,private_channel") or {}
            channels += [str(c.get("id")) for c in data.get("channels") or ()]
            cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return channels

    async def _on_home_click(self, ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        await ack()
        self.adapter.acked(context)
        user = str((body.get("user") or {}).get("id") or "")
        value, action_id = str(action.get("value") or ""), str(action.get("action_id") or "")
        click_id = f"home:{(body.get('view') or {}).get('id', '')}:{action.get('action_ts', '')}"
        profile = await self.adapter.profile(user)
        if action_id == CANCEL:
            await self._cancel(user, value, click_id, profile)
        elif action_id in (APPROVE, DECLINE):
            await self._answer(user, action_id.removeprefix(HOME_PREFIX), value, click_id, profile)
        await self.publish(user)

    async def _cancel(self, user: str, value: str, click_id: str, profile: Profile) -> None:
        """Cancel from Home: the cancel_handover request, as if typed in the handover's thread."""
        where = await handover_thread(self.services, Platform.SLACK, value)
        if where is None:
            return
        text = f"cancel handover #{where.id}"
        msg = ChatMessage(platform=Platform.SLACK, user=user, text=text, channel=where.channel,
                          thread=where.thread, event_id=click_id, lang=profile.lang, tz=profile.tz)
        outlet = SlackOutlet(self.adapter.web, where.channel, where.thread, user, profile.lang)
        await self.adapter.pipeline.message(msg, outlet, formed=Intent("cancel_handover", lang=profile.lang,
                                                                       text=text, handover_id=where.id))

    async def _answer(self, user: str, choice: str, value: str, click_id: str, profile: Profile) -> None:
        """Approve / Decline from Home: the same click path as the buttons in the request's thread."""
        where = await approval_thread(self.services, Platform.SLACK, value)
        if where is None:
            return
        click = ButtonClick(platform=Platform.SLACK, user=user, action=choice, value=value, click_id=click_id,
                            channel=where.channel, thread=where.thread, lang=profile.lang)
        outlet = SlackOutlet(self.adapter.web, where.channel, where.thread, user, profile.lang, progress=False)
        await self.adapter.pipeline.click(click, outlet)
