"""The one place that builds objects: settings in, a ready HostBot out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.context import Services
from bot.dispatch import Dispatcher
from bot.identity import IdentityResolver
from bot.policy import Policy, PolicyConfig, parse_confirm_modes
from bot.registry import Registry
from bot.store import Store
from bot.vendors.base import MeetingVendor

log = logging.getLogger(__name__)


@dataclass
class HostBot:
    services: Services
    dispatcher: Dispatcher

    async def aclose(self) -> None:
        for vendor in self.services.vendors.values():
            await vendor.aclose()
        self.services.store.close()


def build_vendors(settings: Settings) -> dict[str, MeetingVendor]:
    """A MeetingVendor for every vendor whose credentials are configured."""
    vendors: dict[str, MeetingVendor] = {}
    if settings.feishu_configured:
        from bot.vendors.feishu import FeishuVendor  # lark-oapi takes ~1 s to import: only when used

        vendors["feishu"] = FeishuVendor(settings.feishu_app_id, settings.feishu_app_secret, settings.feishu_domain)
    return vendors


def build(settings: Settings, *, clock: Callable[[], datetime] | None = None,
          vendors: dict[str, MeetingVendor] | None = None) -> HostBot:
    from handlers import HANDLERS

    now = clock or (lambda: datetime.now(UTC))
    store = Store(settings.db_path, clock=now)
    services = Services(
        settings=settings,
        registry=Registry(HANDLERS),
        store=store,
        people=IdentityResolver(store),
        vendors=build_vendors(settings) if vendors is None else vendors,
        clock=now,
        policy=Policy(PolicyConfig(admins=settings.admins, confirm=parse_confirm_modes(settings.confirm))),
        proposal_ttl=timedelta(seconds=settings.confirm_ttl),
    )
    return HostBot(services=services, dispatcher=Dispatcher(services))
