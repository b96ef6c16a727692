"""The App Home tab's Block Kit view, rendered from the person's overview (bot/overview/home.py).

Slack refuses a Home view of more than 100 blocks or with a text object over 3,000 characters,
so every list is capped (handovers 40 blocks, approvals 20 × 2 blocks, links and audit rows one
section each, cut by lines) and ends with "…and N more" instead of breaking the tab. All texts go
out through `slack_text` (hostbot's own `<@U…>` mentions kept, foreign text escaped); a linked
channel is shown as Slack's `<#C…>` channel link, added after the escaping.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.markup import slack_text
from bot.i18n import t
from bot.overview.home import Overview

HOME_PREFIX = "hostbot.home."  # action_ids of the tab's buttons (not "hostbot_": see modal.WHAT_ACTION)
CANCEL, APPROVE, DECLINE = f"{HOME_PREFIX}cancel", f"{HOME_PREFIX}approve", f"{HOME_PREFIX}decline"
MAX_HANDOVERS = 40  # one section (with its Cancel button) each
MAX_APPROVALS = 20  # a section and an actions row each
MAX_TEXT = 3000


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _section(text: str, **more: Any) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text), **more}


def _button(lang: str, label: str, action_id: str, value: str, style: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "button", "action_id": action_id, "value": value,
                           "text": {"type": "plain_text", "text": t(lang, label), "emoji": True}}
    return {**out, "style": style} if style else out


def _more(lang: str, n: int) -> dict[str, Any]:
    return {"type": "context", "elements": [_mrkdwn(t(lang, "home_more", n=n))]}


def fit_lines(lines: list[str], lang: str, limit: int = MAX_TEXT) -> str:
    """As many whole lines as fit in one text object, then "…and N more" (a line longer than the
    limit on its own is cut)."""
    out: list[str] = []
    for i, line in enumerate(lines):
        tail = t(lang, "home_more", n=len(lines) - i - 1) if i < len(lines) - 1 else ""
        candidate = "\n".join([*out, line])
        if len(candidate) + len(tail) + 1 > limit:
            rest = len(lines) - len(out)
            if not out:
                return line[: limit - 1] + "…"
            return "\n".join([*out, t(lang, "home_more", n=rest)])
        out.append(line)
    return "\n".join(out)


def _handover_blocks(content: Overview) -> list[dict[str, Any]]:
    lang = content.lang
    shown = content.handovers[:MAX_HANDOVERS]
    blocks = [_section(fit_lines([slack_text(line)], lang), block_id=f"handover_{hid}",
                       accessory=_button(lang, "button_cancel", CANCEL, str(hid), "danger"))
              for hid, line in shown]
    if len(content.handovers) > len(shown):
        blocks.append(_more(lang, len(content.handovers) - len(shown)))
    return blocks or [_section(t(lang, "home_handovers_none"))]


def _approval_blocks(content: Overview) -> list[dict[str, Any]]:
    lang = content.lang
    shown = content.approvals[:MAX_APPROVALS]
    blocks: list[dict[str, Any]] = []
    for pid, line in shown:
        blocks.append(_section(fit_lines([slack_text(line)], lang)))
        blocks.append({"type": "actions", "block_id": f"approval_{pid}", "elements": [
            _button(lang, "button_approve", APPROVE, pid, "primary"),
            _button(lang, "button_decline", DECLINE, pid, "danger")]})
    if len(content.approvals) > len(shown):
        blocks.append(_more(lang, len(content.approvals) - len(shown)))
    return blocks or [_section(t(lang, "home_approvals_none"))]


def home_view(content: Overview) -> dict[str, Any]:
    """The Home tab (type "home") for views.publish."""
    lang = content.lang
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": t(lang, "home_header"), "emoji": True}},
        {"type": "context", "elements": [_mrkdwn(t(lang, "home_intro"))]},
        {"type": "divider"}, _section(t(lang, "home_handovers")), *_handover_blocks(content),
        {"type": "divider"}, _section(t(lang, "home_approvals")), *_approval_blocks(content),
        {"type": "divider"}, _section(t(lang, "home_links")),
    ]
    links = [slack_text(line).replace("{channel}", f"<#{channel}>") for channel, line in content.links]
    blocks.append(_section(fit_lines(links, lang) if links else t(lang, "home_links_none")))
    if content.audit is not None:
        rows = [slack_text(line) for line in content.audit]
        blocks += [{"type": "divider"}, _section(t(lang, "home_audit")),
                   _section(fit_lines(rows, lang) if rows else t(lang, "home_audit_none"))]
    return {"type": "home", "blocks": blocks}
