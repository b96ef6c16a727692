"""What a person's home view shows, gathered for them: their scheduled handovers, the requests waiting
for their approval, the meetings linked to channels they are in, and for admins the latest audit rows —
each line in their language and time zone. A plain value (Overview); the Slack adapter renders it to
Block Kit (bot/adapters/slack/home.py) and asks here where a Home button's request belongs. Every
function is a coroutine, as reads of the store are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.model.errors import IdentityError
from bot.core.model.intent import Intent
from bot.core.model.vendor import MeetingRef
from bot.i18n import t, vendor_name
from bot.scheduling.scheduler import of as scheduler_of
from bot.scheduling.wording import hkey, words

if TYPE_CHECKING:
    from bot.core.request.context import Services

AUDIT_ROWS = 20


@dataclass(frozen=True)
class Overview:
    """What one person's home view shows; every line already in their language."""

    lang: str
    handovers: list[tuple[int, str]] = field(default_factory=list)  # (handover id, line)
    approvals: list[tuple[str, str]] = field(default_factory=list)  # (proposal id, line)
    links: list[tuple[str, str]] = field(default_factory=list)  # (channel id, line with {channel})
    audit: list[str] | None = None  # None: not an admin, no section


@dataclass(frozen=True)
class Where:
    """The thread a home button's request belongs in (a handover's, a request's)."""

    id: str
    channel: str
    thread: str


async def overview(services: Services, platform: str, user: str, lang: str, tz: str,
                   channels: Callable[[], Awaitable[list[str]]]) -> Overview:
    """`user`'s overview on `platform`; `channels`: the channels they are in (asked only when some
    channel of that platform is linked to a meeting)."""
    audit = await audit_lines(services) if await is_admin(services, platform, user) else None
    return Overview(lang=lang, handovers=await handover_lines(services, platform, user, lang, tz),
                    approvals=await approval_lines(services, platform, user, lang),
                    links=await link_lines(services, platform, lang, channels), audit=audit)


async def is_admin(services: Services, platform: str, user: str) -> bool:
    try:
        person = await services.people.resolve(user, platform, user)
    except IdentityError:
        person = None
    return await services.policy.is_admin(person, user, platform)


async def handover_lines(services: Services, platform: str, user: str, lang: str, tz: str) -> list[tuple[int, str]]:
    """Pending handovers `user` asked for, receives, or loses the host role in; soonest first."""
    scheduler, people = scheduler_of(services), services.people
    if scheduler is None:
        return []
    now = services.clock()
    mine = [h for h in await scheduler.book.pending(platform)
            if user in (h.requester, h.target, await people.chat_user_for(h.platform, h.vendor, h.host))]
    return [(h.id, t(lang, hkey(h, "handover_list_line"), **await words(h, people, lang, now, tz)))
            for h in sorted(mine, key=lambda h: h.due)]


async def approval_lines(services: Services, platform: str, user: str, lang: str) -> list[tuple[str, str]]:
    lines = []
    for p in await services.store.open_approvals(platform, user):
        requester = await services.people.describe_chat_user(platform, str(p.payload.get("on_behalf_of") or ""))
        intent = Intent.from_json(p.payload["intent"]) if isinstance(p.payload.get("intent"), dict) else None
        summary = str(p.payload.get("summary") or (intent.name if intent else p.action))
        lines.append((p.id, t(lang, "home_approval_line", requester=requester, summary=summary)))
    return lines


def meeting_shown(services: Services, lang: str, vendor: str, meeting: str) -> str:
    """"Feishu 123 456 789": the vendor's name and the meeting as that vendor shows its ids."""
    api = services.vendors.get(vendor)
    return f"{vendor_name(lang, vendor)} {api.display_ref(meeting) if api else meeting}"


async def link_lines(services: Services, platform: str, lang: str,
                     channels: Callable[[], Awaitable[list[str]]]) -> list[tuple[str, str]]:
    """Channel links of the channels `user` is in, as "{channel} → meeting"."""
    links = {str(r["scope"]): r for r in await services.store.links_of(platform)}
    if not links:
        return []
    out = []
    for channel in await channels():
        row = links.get(channel)
        if row is None:
            continue
        vendor, meeting = str(row["vendor"]), str(row["meeting_id"])
        api = services.vendors.get(vendor)
        out.append((channel, t(lang, "home_link_line", channel="{channel}", vendor=vendor_name(lang, vendor),
                               meeting=api.display_ref(meeting) if api else meeting)))
    return out


async def audit_lines(services: Services) -> list[str]:
    """The latest audit rows, newest first, one line each (what `hostbot audit` shows, shortened)."""
    lines = []
    for row in await services.store.latest_audit(AUDIT_ROWS):
        who = await services.people.describe_chat_user(str(row.get("platform") or ""), str(row.get("chat_user") or ""))
        what = " ".join(str(row[k]) for k in ("intent", "event", "outcome", "vendor", "meeting") if row.get(k))
        lines.append(f"{str(row.get('at') or '')[:16].replace('T', ' ')} · {who} · {what}")
    return lines


async def linked_meeting(services: Services, platform: str, channel: str, lang: str) -> tuple[MeetingRef | None, str]:
    """The meeting `channel` is linked to and how it is shown ("Feishu 123 456 789"); (None, "") if none."""
    row = await services.store.link(platform, channel) if channel else None
    if row is None:
        return None, ""
    vendor, meeting = str(row["vendor"]), str(row["meeting_id"])
    return MeetingRef(vendor, meeting), meeting_shown(services, lang, vendor, meeting)


async def handover_thread(services: Services, platform: str, handover_id: str) -> Where | None:
    """Where a pending handover of `platform` was asked for (its Cancel runs there)."""
    scheduler = scheduler_of(services)
    handover = await scheduler.book.get(int(handover_id)) if scheduler is not None and handover_id.isdigit() else None
    if handover is None or handover.platform != platform:
        return None
    return Where(str(handover.id), handover.channel, handover.thread)


async def approval_thread(services: Services, platform: str, proposal_id: str) -> Where | None:
    """Where a request waiting for approval on `platform` was made (its Approve / Decline answer there)."""
    proposal = await services.store.get_proposal(proposal_id)
    if proposal is None or proposal.platform != platform:
        return None
    return Where(proposal.id, proposal.channel, proposal.thread)
