"""Proposals: a question with buttons (confirm, approve, retry, pick, did you mean …), stored so that a press,
on any replica, runs exactly what was shown (bot/core/model/bound.py) and only once (the store's claim)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.core.model.events import Button, ButtonStyle
from bot.core.request.context import Services
from bot.core.request.request import Request, decision_row
from bot.store import AsyncStore


async def offer(services: Services, request: Request, action: str, payload: dict[str, Any],
          *choices: tuple[str, str, ButtonStyle], requester: str | Sequence[str] | None = None,
          ttl: timedelta | None = None, decision: tuple[str, str] | None = None) -> tuple[Button, ...]:
    """Store a proposal and return buttons pointing at it; only `requester` (default: the speaker) may press
    them, for `ttl` (default: the configured proposal TTL).

    `choices` are (action, label key, style); a positive action plans intent `action` again, bound to the
    plan in payload["plan"], with an Approval of the press (bot/core/request/request.py); "cancel" and
    "decline" close the proposal. With `decision` (what was decided, detail), its audit row is written in the
    same transaction as the proposal: a question is never stored without its row, nor the row without it.
    """
    msg = request.message
    payload = {"on_behalf_of": msg.user, **payload}
    pressers = [requester] if isinstance(requester, str) else list(requester or ())

    async def write(tx: AsyncStore) -> str:
        pid = await tx.create_proposal(
            platform=msg.platform, action=action,
            requester=" ".join(dict.fromkeys(pressers)) if pressers else msg.user,
            payload={**payload, "intent": request.intent.to_payload(), "lang": request.lang, "tz": msg.tz},
            channel=msg.channel, thread=msg.thread, ttl=ttl or services.proposal_ttl,
        )
        if decision is not None:
            await tx.audit(**decision_row(request, *decision))
        return pid

    pid = await services.store.atomic(write)
    return tuple(Button(request.t(label), choice, pid, style) for choice, label, style in choices)
