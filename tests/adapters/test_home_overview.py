"""The Home tab's read model (bot/overview/home.py) is a plain value gathered below the adapters, on any
platform: driven here through the console, with no Slack at all."""

from __future__ import annotations

from bot.adapters.markup import console_text
from bot.overview.home import Overview, Where, approval_thread, overview
from tests.conftest import WorldFactory


async def test_the_overview_of_a_host_and_of_an_admin_as_plain_values(make_world: WorldFactory) -> None:
    world = await make_world(HOSTBOT_ADMINS="carol")
    services = world.bot.services
    world.console.user = "bob"
    asked = await world.say("make me host of meeting 123456789")
    assert asked.startswith("@you, @bob asks:")  # you host it: bob's request waits for your approval
    asked_channels: list[str] = []

    async def channels() -> list[str]:
        asked_channels.append("asked")
        return ["console"]

    mine = await overview(services, "console", "you", "en", "UTC", channels)
    assert isinstance(mine, Overview) and mine.handovers == [] and mine.links == [] and mine.audit is None
    [(pid, line)] = mine.approvals
    # lines carry neutral mentions, which each adapter renders in its own markup
    assert console_text(line) == ("@bob asks: @bob becomes host of Feishu meeting 123 456 789; "
                                  "@you stops being host.")
    assert asked_channels == []  # no channel of the console is linked: the platform is not asked
    assert await approval_thread(services, "console", pid) == Where(pid, "console", "console")
    assert await approval_thread(services, "slack", pid) is None  # another platform's buttons cannot answer it

    admin = await overview(services, "console", "carol", "en", "UTC", channels)
    assert admin.approvals == [] and admin.audit is not None
    assert any("bob" in console_text(row) and "set_host request" in row for row in admin.audit), admin.audit
