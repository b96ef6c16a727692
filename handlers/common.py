"""What the meeting handlers (co-hosts, invite, reassign, who is host) share: people, the meeting, replies."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.answer.render import explain, join_names
from bot.core.identity.resolver import Person
from bot.core.model.events import Reply
from bot.core.model.outcome import Outcome
from bot.core.model.vendor import Meeting, MeetingReader, unsupported
from bot.core.request.context import Context
from bot.core.request.request import Recorded
from bot.core.world.meetings import locate


async def resolve_all(ctx: Context, refs: Sequence[str]) -> list[Person]:
    """Every ref said (in order, each once) as a Person; IdentityError for the first unknown one."""
    people: list[Person] = []
    for ref in refs:
        person = await ctx.people.resolve(ref, ctx.message.platform, ctx.message.user)
        if all(p.chat_user != person.chat_user for p in people):
            people.append(person)
    return people


def names(ctx: Context, people: Sequence[Person]) -> str:
    return join_names(ctx.lang, [p.display for p in people])


async def locate_meeting(ctx: Context, failed_key: str,
                         **words: str) -> tuple[Meeting, MeetingReader] | list[Reply]:
    """The meeting of the request with its vendor, or the reply saying why it could not be found."""
    located = await locate(ctx, ctx.intent.meeting)
    if isinstance(located, Outcome):
        return [not_found(ctx, failed_key, located, **words)]
    return located


def not_found(ctx: Context, failed_key: str, located: Outcome, **words: object) -> Reply:
    """The meeting the user named could not be read: say which, and why (never another meeting)."""
    vendor_key = located.vendor
    ctx.read.append(Recorded(located, vendor_key, located.meeting, ""))
    fill = {**words, "vendor": ctx.vendor_name(vendor_key), "meeting": located.meeting or "?"}
    text = ctx.t(failed_key, reason=explain(ctx.lang, located, vendor_key, **fill), **fill)
    return Reply(text.replace("  ", " ") if not vendor_key else text)  # no vendor: "of meeting 12 345 678"


def meeting_words(ctx: Context, meeting: Meeting, vendor: MeetingReader,
                  people: Sequence[Person] = ()) -> dict[str, str]:
    """Placeholders every reply about `meeting` uses; `target(s)` name the people acted on."""
    who = names(ctx, people)
    return {"targets": who, "target": who, "vendor": ctx.vendor_name(vendor.key), "meeting": meeting.display}


def failed(ctx: Context, key: str, outcome: Outcome, vendor: MeetingReader, words: dict[str, str]) -> Reply:
    return Reply(ctx.t(key, reason=explain(ctx.lang, outcome, vendor.key, **words), **words))


def not_supported(ctx: Context, key: str, op: str, vendor: MeetingReader, words: dict[str, str]) -> Reply:
    """'<vendor> has no API for <op>' in the operation's failure sentence."""
    return failed(ctx, key, unsupported(op), vendor, {**words, "op": ctx.t(f"op_{op}")})


def lost_answer_note(ctx: Context, outcome: Outcome, vendor: MeetingReader) -> str:
    """When the vendor's first answer was not an answer and the state was read back: say what happened.
    A 5xx is the vendor's own error, not a lost answer (http_status holds it then); a timeout or a
    dropped connection lost the answer. Either way the reply says whether the change was sent again."""
    if not outcome.answer_lost:
        return ""
    name = ctx.vendor_name(vendor.key)
    status = outcome.http_status
    first = ctx.t("first_answer_error", vendor=name, status=status) if status >= 500 else \
        ctx.t("first_answer_lost", vendor=name)
    if not outcome.resent:
        return "\n" + ctx.t("answer_lost_verified", first=first)
    if len(outcome.resent) == 1:
        return "\n" + ctx.t("answer_lost_resent_one", first=first)
    return "\n" + ctx.t("answer_lost_resent", first=first, count=len(outcome.resent))
