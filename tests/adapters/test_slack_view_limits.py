"""Slack's block limits for the form and the Home tab: at most 100 blocks, no text object over 3,000
characters (and Slack's tighter limits for headers, buttons, labels), however much there is to show;
and a form's field errors name only fields the view has (else Slack refuses the answer)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.slack.home import HomeContent, fit_lines, home_view
from bot.adapters.slack.modal import WHATS, FormOrigin, form_view
from bot.core.model.vendor import MeetingRef
from bot.sandbox.slack.views import view_problems
from tests.support.slack_views import text_objects


def _limits_broken(view: dict[str, Any], surface: str) -> list[str]:
    """Our own count (not only the fake's word): blocks and text object lengths."""
    broken = view_problems(view, surface)
    if len(view["blocks"]) > 100:
        broken.append(f"{len(view['blocks'])} blocks")
    broken += [f"text of {len(t)} characters" for t in text_objects(view) if len(t) > 3000]
    return broken


def test_the_checks_catch_a_view_past_the_limits() -> None:
    """The checks below can fail: 101 blocks, or one text of 3,001 characters, are caught."""
    too_many = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    too_long = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]}
    assert _limits_broken(too_many, "home") and _limits_broken(too_long, "home")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_crowded_home_tab_stays_within_the_limits(lang: str) -> None:
    content = HomeContent(
        lang=lang,
        handovers=[(i, f"#{i} · 15:00 CET · <@U0ALICE> becomes host of meeting {'9' * 300}") for i in range(500)],
        approvals=[(f"p{i}", f"<@U0BOB> asks: {'y' * 3500}") for i in range(200)],
        links=[(f"C{i:05d}", "{channel} → Feishu meeting " + "1" * 60) for i in range(1000)],
        audit=[f"2026-11-30 01:00 · <@U0CAROL> · set_host request {'z' * 400}" for _ in range(20)],
    )
    view = home_view(content)
    assert _limits_broken(view, "home") == []
    shown = "\n".join(text_objects(view))
    more = "…and" if lang == "en" else "……还有"
    assert shown.count(more) >= 4  # handovers, approvals, links and audit rows each say what was left out
    assert "…and 460 more" in shown or "……还有 460 项" in shown  # 500 handovers, 40 shown


def test_an_empty_home_tab_says_what_to_do() -> None:
    view = home_view(HomeContent(lang="en", audit=[]))
    assert _limits_broken(view, "home") == []
    shown = "\n".join(text_objects(view))
    assert "Nothing scheduled" in shown and "Nothing is waiting for you." in shown and "No audit rows yet." in shown


@pytest.mark.parametrize("what", WHATS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_form_stays_within_the_limits(what: str, lang: str) -> None:
    origin = FormOrigin(channel="C1", user="U1", lang=lang, tz="Asia/Shanghai",
                        linked=MeetingRef("webex", "a" * 140), linked_text="Webex " + "a" * 140)
    view = form_view(origin, what)
    assert _limits_broken(view, "modal") == []
    assert len(view["private_metadata"]) <= 3000


def test_lines_are_cut_whole_with_a_count_of_the_rest() -> None:
    lines = [f"line {i} " + "x" * 90 for i in range(100)]
    text = fit_lines(lines, "en", limit=1000)
    assert len(text) <= 1000 and text.endswith("more")
    kept = text.count("line ")
    assert text.endswith(f"…and {100 - kept} more")
    assert fit_lines(["y" * 5000], "en").endswith("…") and len(fit_lines(["y" * 5000], "en")) == 3000


def test_a_form_read_before_its_picker_was_swapped_names_the_field_it_has() -> None:
    """Co-hosts chosen but the view still has the one-person picker (the swap lost a race), and the
    reverse: errors name a block the view has (else Slack refuses the answer), and a valid pick works."""
    from datetime import UTC, datetime

    from bot.adapters.slack.modal import read_form

    origin = FormOrigin(channel="C1", user="U1")
    now = datetime.now(UTC)

    def state(what: str, **who: Any) -> dict[str, Any]:
        values = {"what": {"hostbot.form.what": {"selected_option": {"value": what}}}, **who,
                  "meeting": {"meeting": {"value": "123456789"}}}
        return {"state": {"values": values}}

    def meeting(_: str) -> MeetingRef:
        return MeetingRef(None, "123456789")

    cohosts = read_form(state("add_cohost", who_one={"who": {"selected_user": "U2"}}), origin, now, meeting)
    assert not isinstance(cohosts, dict) and cohosts.targets == ("U2",) and cohosts.name == "add_cohost"
    empty = read_form(state("add_cohost", who_one={"who": {"selected_user": None}}), origin, now, meeting)
    assert empty == {"who_one": "Pick at least one person."}
    two = read_form(state("set_host", who_many={"who": {"selected_users": ["U2", "U3"]}}), origin, now, meeting)
    assert two == {"who_many": "Pick one person for this."}
