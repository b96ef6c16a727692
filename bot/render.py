"""Turning Outcomes into reply text: the why and the what-next of every vendor answer."""

from __future__ import annotations

from bot.i18n import t, vendor_name
from bot.outcome import Kind, Outcome


def explain(lang: str, outcome: Outcome, vendor_key: str, **values: object) -> str:
    """'<reason> What to do: <remedy>' for a failed Outcome, in `lang`."""
    fill = {"vendor": vendor_name(lang, vendor_key), "code": outcome.vendor_code or "?", **values}
    if outcome.kind is Kind.RATE_LIMITED:
        seconds = f"{outcome.retry_after:.0f}" if outcome.retry_after is not None else "?"
        return t(lang, "rate_limited", seconds=seconds, **fill)
    text = t(lang, outcome.reason or "vendor_error_unknown", **fill)
    sep = "" if lang == "zh" else " "  # Chinese sentences join without a space
    if outcome.remedy:
        text += sep + t(lang, "remedy_prefix", remedy=t(lang, outcome.remedy, **fill))
    if outcome.reason in ("vendor_error_unknown", "param_error") and outcome.detail:
        text += sep + t(lang, "detail_suffix", detail=outcome.detail)
    return text
