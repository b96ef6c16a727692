"""Scheduled handovers and what each vendor can change (issue 17): Zoom and Webex change scheduled
meetings, so a handover that comes due on a meeting that has not started runs; Feishu needs it running."""

from __future__ import annotations

from bot.core.model.outcome import VendorUser
from bot.sandbox.demo_data import DEMO_ZOOM_ID
from tests.scheduling.test_handover import HW, hw, make_hw, utc

__all__ = ["hw", "make_hw"]  # the fixtures, shared with test_handover.py


async def test_a_due_handover_on_a_zoom_meeting_that_has_not_started_runs(hw: HW) -> None:
    """Zoom changes scheduled meetings (host_change_needs_running is False): a meeting still waiting is
    no reason to give up when the handover comes due (the planning side: see handlers/handover.py)."""
    zoom = hw.sandbox.zoom.meetings[DEMO_ZOOM_ID]
    assert zoom.status == "waiting"
    you, alice = hw.sandbox.zoom.user("you@example.com"), hw.sandbox.zoom.user("alice@example.com")
    assert you is not None and alice is not None
    await hw.bot.scheduler.book.add(
        platform="console", channel="console", thread="", requester="you", lang="en", tz="Europe/Berlin",
        vendor="zoom", meeting_id=str(DEMO_ZOOM_ID), meeting_display="850 1234 5678",
        host=VendorUser("you@example.com"), target="alice", target_user=VendorUser("alice@example.com"),
        authority="requester", due=utc(15), remind_at=None)
    posted = await hw.tick_to(utc(15, 1))
    assert "@alice is now host of Zoom meeting 850 1234 5678" in posted, posted
    assert zoom.host_id == alice.id
