"""What a person's App Home tab shows, gathered for them: their scheduled handovers, the requests
waiting for their approval, the meetings linked to channels they are in, and for admins the latest
audit rows — each line in their language and time zone (rendered by bot/adapters/slack/home.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.adapters.slack.home import HomeContent
from bot.core.model.errors import IdentityError
from bot.core.model.events import Platform
from bot.core.model.intent import Intent
from bot.i18n import t, vendor_name
from bot.scheduling.scheduler import of as scheduler_of
from bot.scheduling.wording import hkey, words

if TYPE_CHECKING:
    from bot.adapters.slack.port import SlackPort
    from bot.core.request.context import Services

AUDIT_ROWS = 20
CHANNEL_PAGES = 5  # users.conversations pages of 200 read at most


async def home_content(adapter: SlackPort, user: str) -> HomeContent:
    services = adapter.dispatcher.services
    profile = await adapter.profile(user)
    lang, tz = profile.lang, profile.tz
    audit = await _audit_lines(services) if await _is_admin(services, user) else None
    return HomeContent(lang=lang, handovers=await _handover_lines(services, user, lang, tz),
                       approvals=await _approval_lines(services, user, lang),
                       links=await _link_lines(adapter, user, lang), audit=audit)


async def _is_admin(services: Services, user: str) -> bool:
    try:
        person = await services.people.resolve(user, Platform.SLACK, user)
    except IdentityError:
        person = None
    return await services.policy.is_admin(person, user, "slack")


async def _handover_lines(services: Services, user: str, lang: str, tz: str) -> list[tuple[int, str]]:
    """Pending handovers `user` asked for, receives, or loses the host role in; soonest first."""
    scheduler, people = scheduler_of(services), services.people
    if scheduler is None:
        return []
    now = services.clock()
    mine = [h for h in await scheduler.book.pending(Platform.SLACK)
            if user in (h.requester, h.target, await people.chat_user_for(h.platform, h.vendor, h.host))]
    return [(h.id, t(lang, hkey(h, "handover_list_line"), **await words(h, people, lang, now, tz)))
            for h in sorted(mine, key=lambda h: h.due)]


async def _approval_lines(services: Services, user: str, lang: str) -> list[tuple[str, str]]:
    lines = []
    for p in await services.store.open_approvals(Platform.SLACK, user):
        requester = await services.people.describe_chat_user(Platform.SLACK, str(p.payload.get("on_behalf_of") or ""))
        intent = Intent.from_json(p.payload["intent"]) if isinstance(p.payload.get("intent"), dict) else None
        summary = str(p.payload.get("summary") or (intent.name if intent else p.action))
        lines.append((p.id, t(lang, "home_approval_line", requester=requester, summary=summary)))
    return lines


async def _link_lines(adapter: SlackPort, user: str, lang: str) -> list[tuple[str, str]]:
    """Channel links of the channels `user` is in (users.conversations), as "{channel} → meeting"."""
    services = adapter.dispatcher.services
    links = {str(r["scope"]): r for r in await services.store.links_of(Platform.SLACK)}
    if not links:
        return []
    channels: list[str] = []
    cursor = ""
    for _ in range(CHANNEL_PAGES):
        data: dict[str, Any] = await adapter._call("users_conversations", user=user, limit=200, cursor=cursor or None,
                                                   types="public_channel,private_channel") or {}
        channels += [str(c.get("id")) for c in data.get("channels") or ()]
        cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            break
    out = []
    for channel in channels:
        row = links.get(channel)
        if row is None:
            continue
        vendor, meeting = str(row["vendor"]), str(row["meeting_id"])
        api = services.vendors.get(vendor)
        out.append((channel, t(lang, "home_link_line", channel="{channel}", vendor=vendor_name(lang, vendor),
                               meeting=api.display_ref(meeting) if api else meeting)))
    return out


async def _audit_lines(services: Services) -> list[str]:
    """The latest audit rows, newest first, one line each (what `hostbot audit` shows, shortened)."""
    lines = []
    for row in await services.store.latest_audit(AUDIT_ROWS):
        who = await services.people.describe_chat_user(str(row.get("platform") or ""), str(row.get("chat_user") or ""))
        what = " ".join(str(row[k]) for k in ("intent", "event", "outcome", "vendor", "meeting") if row.get(k))
        lines.append(f"{str(row.get('at') or '')[:16].replace('T', ' ')} · {who} · {what}")
    return lines
