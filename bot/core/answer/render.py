"""Turning Outcomes into reply text: the why and the what-next of every vendor answer.

    explain(lang, outcome, vendor)        '<reason> What to do: <remedy>' for one failed Outcome,
                                          the admin's part of the remedy on a line of its own
    item_lines(lang, outcome, vendor, noun, names)
                                          a batch's failures and skipped items, one line each:
                                          '3 of 250 meetings failed:' + '• Weekly sync: <why>'
    join_names(lang, names)               '@a, @b and @c' / '@a、@b 和 @c'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.model.outcome import ItemResult, Kind, Outcome
from bot.i18n import MESSAGES, t, vendor_name
from bot.i18n.vendor import ADMIN_REMEDIES
from bot.telemetry.logs import scrub

# Reasons whose text is too general without the vendor's own words after it.
SHOW_DETAIL = ("vendor_error_unknown", "param_error", "dingtalk_params_error")
MAX_ITEM_LINES = 10


def _fill(lang: str, outcome: Outcome, vendor_key: str, values: Mapping[str, object]) -> dict[str, object]:
    seconds = f"{outcome.retry_after:.0f}" if outcome.retry_after is not None else "?"
    facts: dict[str, object] = {"meeting": outcome.meeting, "op": outcome.op, "organizer": outcome.organizer,
                                "authorize_url": outcome.authorize_url}
    if outcome.candidates:
        facts.update(candidates=", ".join(outcome.candidates), count=len(outcome.candidates))
    if outcome.searched:
        facts["vendors"] = join_names(lang, [vendor_name(lang, v) for v in outcome.searched])
    return {"vendor": vendor_name(lang, vendor_key), "code": outcome.vendor_code or "?", "seconds": seconds,
            "detail": scrub(outcome.detail) if outcome.detail else "?",
            **{k: v for k, v in facts.items() if v}, **values}


def explain(lang: str, outcome: Outcome, vendor_key: str, **values: object) -> str:
    """'<reason> <vendor> said: “…”. What to do: <remedy>' for a failed Outcome, in `lang`, and on a
    line of its own 'For an admin: …' when part of the remedy is an admin's."""
    fill = _fill(lang, outcome, vendor_key, values)
    if outcome.kind is Kind.RATE_LIMITED:
        return t(lang, "rate_limited", **fill)
    text = t(lang, outcome.reason or "vendor_error_unknown", **fill)
    sep = "" if lang == "zh" else " "  # Chinese sentences join without a space
    if outcome.reason in SHOW_DETAIL and outcome.detail:
        # The vendor's own words, quoted once in our sentence; a credential it echoes back is masked.
        text += sep + t(lang, "vendor_said", vendor=fill["vendor"], detail=quoted(outcome.detail))
    mine, admins = remedy_parts(lang, outcome.remedy, fill)
    if mine:
        text += sep + t(lang, "remedy_prefix", remedy=mine)
    if admins:
        text += "\n" + t(lang, "remedy_admin_prefix", remedy=admins)
    return text


def remedy_parts(lang: str, remedy: str, fill: Mapping[str, object]) -> tuple[str, str]:
    """(what the requester can do, what an admin must do) of a remedy key; either may be ''."""
    if not remedy:
        return "", ""
    if remedy in ADMIN_REMEDIES:
        return t(lang, "remedy_ask_admin"), t(lang, remedy, **fill)
    admin_key = f"{remedy}_admin"
    return t(lang, remedy, **fill), t(lang, admin_key, **fill) if admin_key in MESSAGES else ""


def quoted(words: str) -> str:
    """The vendor's own words, to quote in our sentence: secrets masked, its final full stop left to ours."""
    return scrub(words).strip().rstrip(".。")


def join_names(lang: str, names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    if lang == "zh":
        return "、".join(names[:-1]) + " 和 " + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _item_reason(lang: str, item: ItemResult, vendor_key: str, name: str) -> str:
    """An item's reason: one of our message keys rendered, or the vendor's own description (secrets masked)."""
    reason = item.reason or "vendor_error_unknown"
    words = t(lang, reason, vendor=vendor_name(lang, vendor_key), target=name,
              code=item.detail or "?", seconds=item.detail or "?", detail=scrub(item.detail) if item.detail else "?")
    return words if reason in MESSAGES else t(lang, "vendor_said", vendor=vendor_name(lang, vendor_key),
                                              detail=quoted(words))


def item_lines(lang: str, outcome: Outcome, vendor_key: str, noun: str, names: Mapping[str, str],
               limit: int = MAX_ITEM_LINES) -> str:
    """Each failed item with its reason, then each skipped item, under a counting head line.

    `noun` picks the head lines ("meetings" -> items_failed_meetings / items_skipped_meetings);
    `names` maps item ids to what people recognise (a meeting's title, @name).
    Skipped items come from outcome.skipped (ItemResults whose reason is a message key).
    """
    lines: list[str] = []
    failed = [i for i in outcome.items if not i.ok]
    if failed:
        lines.append(t(lang, f"items_failed_{noun}", failed=len(failed), total=len(outcome.items)))
        lines += [f"• {names.get(i.item, i.item)}: {_item_reason(lang, i, vendor_key, names.get(i.item, i.item))}"
                  for i in failed[:limit]]
        if len(failed) > limit:
            lines.append(t(lang, "items_more", count=len(failed) - limit))
    skipped = outcome.skipped
    if skipped:
        lines.append(t(lang, f"items_skipped_{noun}", count=len(skipped)))
        for s in skipped[:limit]:
            name = names.get(s.item, s.item)
            lines.append(f"• {name}: {_item_reason(lang, s, vendor_key, name)}")
        if len(skipped) > limit:
            lines.append(t(lang, "items_more", count=len(skipped) - limit))
    return "\n".join(lines)
