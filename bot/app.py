"""The one place that builds objects: settings in, a ready HostBot out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings
from bot.core.decide.policy import Policy, parse_confirm_modes
from bot.core.flow.dispatch import Dispatcher
from bot.core.identity.admins import AdminGroups, GroupSource, group_ref
from bot.core.identity.profiles import ProfileSource
from bot.core.identity.resolver import IdentityResolver
from bot.core.model.vendor import MeetingVendor
from bot.core.request.admission import outside
from bot.core.request.context import Services
from bot.core.request.registry import Registry
from bot.intents import parse, ready
from bot.scheduling.book import PENDING
from bot.scheduling.scheduler import HandoverScheduler
from bot.scheduling.scheduler import of as scheduler_of
from bot.store import AsyncStore, Store, url_password
from bot.store.retention import Retention, RetentionPolicy
from bot.store.store import on_loop
from bot.store.vault import build_vault, check_vault
from bot.telemetry.logs import protect
from bot.telemetry.metrics import Metrics

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.adapters.feishu.people.oauth import FeishuOAuth
    from bot.vendors.feishu.auth import FeishuAuth

log = logging.getLogger(__name__)


@dataclass
class Clients:
    """One client per chat platform, shared by everything that talks to it (identity, adapters,
    the Feishu vendor, OAuth): one connection pool and one tenant-token cache each; and people's own
    Feishu tokens (feishu_oauth), which the vendor acts with and the Feishu adapter's OAuth callback
    completes (built once by build_vendors, handed to both)."""

    slack: AsyncWebClient | None = None
    feishu: FeishuAuth | None = None
    feishu_oauth: FeishuOAuth | None = None


@dataclass
class HostBot:
    services: Services
    dispatcher: Dispatcher
    clients: Clients = field(default_factory=Clients)
    retention: Retention | None = None
    store: Store | None = None  # the synchronous Store services.store was opened beside (closed last)

    @property
    def scheduler(self) -> HandoverScheduler:
        scheduler = scheduler_of(self.services)
        assert scheduler is not None  # build() always sets it
        return scheduler

    async def start(self) -> None:
        """Start what runs by itself (the handover timer, retention); needs the running event loop."""
        await self.scheduler.start()
        if self.retention is not None:
            self.retention.start()

    async def aclose(self) -> None:
        if self.retention is not None:
            await self.retention.stop()
        await self.scheduler.stop()
        for vendor in self.services.vendors.values():
            if isinstance(vendor, MeetingVendor):  # each is; the Services show them as readers
                await vendor.aclose()
        if self.clients.feishu is not None:
            from bot.vendors.feishu.auth import close_shared_client

            await close_shared_client()  # lark-oapi's calls share one client (bot/vendors/feishu/auth.py)
        aclose = getattr(self.clients.slack, "aclose", None)  # its kept-open session (bot/adapters/slack/adapter.py)
        if aclose is not None:
            await aclose()
        await self.services.store.aclose()  # the writes already asked for are finished first
        if self.store is not None:
            await asyncio.to_thread(self.store.close)


def build_clients(settings: Settings) -> Clients:
    clients = Clients()
    if settings.slack_bot_token:
        from bot.adapters.slack.adapter import build_web_client

        clients.slack = build_web_client(settings)
    if settings.feishu_configured:
        from bot.vendors.feishu.auth import FeishuAuth, build_client  # lark-oapi is slow to import: only when used

        client = build_client(settings.feishu_app_id, settings.feishu_app_secret, settings.feishu_domain)
        clients.feishu = FeishuAuth(client, settings.feishu_app_id, settings.feishu_app_secret)
    return clients


def build_identity(store: AsyncStore, clients: Clients) -> IdentityResolver:
    """The resolver with a profile source for each configured chat platform."""
    sources: dict[str, ProfileSource] = {}
    directory = None
    if clients.slack is not None:
        from bot.adapters.slack.profiles import SlackProfiles

        sources["slack"] = SlackProfiles(clients.slack)
    if clients.feishu is not None:
        from bot.adapters.feishu.people.directory import FeishuDirectory

        directory = FeishuDirectory(clients.feishu)
        sources["feishu"] = directory
    return IdentityResolver(store, sources=sources, feishu_directory=directory, aside=outside)


def build_admin_groups(settings: Settings, clients: Clients, clock: Callable[[], datetime]) -> AdminGroups | None:
    """The groups among HOSTBOT_ADMINS (bot/core/identity/admins.py), read through the configured platforms."""
    refs = [ref for ref in map(group_ref, settings.admins) if ref is not None]
    if not refs:
        return None
    sources: dict[str, GroupSource] = {}
    if clients.slack is not None:
        from bot.adapters.slack.groups import SlackGroups

        sources["slack"] = SlackGroups(clients.slack)
    if clients.feishu is not None:
        from bot.adapters.feishu.people.groups import FeishuGroups

        sources["feishu"] = FeishuGroups(clients.feishu)
    return AdminGroups(refs, sources, clock)


def build_vendors(settings: Settings, store: AsyncStore | None = None,
                  clients: Clients | None = None) -> dict[str, MeetingVendor]:
    """A MeetingVendor for every vendor whose credentials are configured (`store` holds user tokens)."""
    from bot.vendors.dingtalk import DingTalkVendor
    from bot.vendors.webex.vendor import WebexVendor
    from bot.vendors.zoom import ZoomVendor

    vendors: dict[str, MeetingVendor] = {}
    if settings.feishu_configured:
        from bot.vendors.feishu.vendor import FeishuVendor  # lark-oapi takes ~1 s to import: only when used

        auth = clients.feishu if clients is not None else None
        tokens = build_feishu_oauth(settings, store, clients)
        vendors["feishu"] = FeishuVendor(settings.feishu_app_id, settings.feishu_app_secret, settings.feishu_domain,
                                         user_tokens=tokens, auth=auth)
    if settings.dingtalk_app_key and settings.dingtalk_app_secret:
        vendors["dingtalk"] = DingTalkVendor(settings.dingtalk_app_key, settings.dingtalk_app_secret,
                                             settings.dingtalk_api_base)
    if settings.webex_token:
        vendors["webex"] = WebexVendor(settings.webex_token, settings.webex_api_base, settings.webex_site_url)
    if settings.zoom_account_id and settings.zoom_client_id and settings.zoom_client_secret:
        vendors["zoom"] = ZoomVendor(settings.zoom_account_id, settings.zoom_client_id, settings.zoom_client_secret,
                                     settings.zoom_api_base, settings.zoom_oauth_url)
    return vendors


def build_feishu_oauth(settings: Settings, store: AsyncStore | None, clients: Clients | None) -> FeishuOAuth | None:
    """People's own Feishu tokens (invite needs one): stored encrypted in `store`, refreshed, and asked for
    with an authorization link (bot/adapters/feishu/people/oauth.py); kept in `clients` for the adapter."""
    from bot.adapters.feishu.people.oauth import FeishuOAuth

    if store is None:
        return None
    auth = clients.feishu if clients is not None else None
    tokens = FeishuOAuth(settings.feishu_app_id, settings.feishu_app_secret, settings.feishu_domain, store,
                         public_url=settings.public_url, client=auth.client if auth else None)
    if clients is not None:
        clients.feishu_oauth = tokens
    return tokens


def watch_rate_limits(metrics: Metrics, vendors: dict[str, MeetingVendor]) -> None:
    """Count the waits of each vendor's client-side rate limiter (bot/vendors/http.RateLimiter).

    Vendors keep their limiter either directly (Feishu: `limiter`) or in their VendorHTTP
    (`http.limiter`); both are looked up, so no vendor needs to know about metrics.
    """
    from bot.vendors.http import RateLimiter

    for key, vendor in vendors.items():
        found = (getattr(vendor, "limiter", None), getattr(getattr(vendor, "http", None), "limiter", None))
        for limiter in {id(x): x for x in found if isinstance(x, RateLimiter)}.values():
            limiter.observers.append(metrics.waited_for(key))


def share_rate_budgets(vendors: dict[str, MeetingVendor], store: Store) -> None:
    """On PostgreSQL, every vendor's rate limiter books its calls in the budget all replicas share
    (vendor limits are per app); vendors keep it as `limiter` (Feishu) or `http.limiter`."""
    from bot.vendors.http import RateLimiter

    budget = store.rate_budget()
    if budget is None:
        return
    for vendor in vendors.values():
        for found in (getattr(vendor, "limiter", None), getattr(getattr(vendor, "http", None), "limiter", None)):
            if isinstance(found, RateLimiter) and found.windows:  # no documented limit: nothing to share
                found.share(budget)


def build(settings: Settings, *, clock: Callable[[], datetime] | None = None,
          vendors: dict[str, MeetingVendor] | None = None) -> HostBot:
    from handlers import HANDLERS

    now = clock or (lambda: datetime.now(UTC))
    # ConfigError: no usable key, or a PostgreSQL that cannot be reached
    store = open_store(settings, now)
    aio = store.aio()
    clients = build_clients(settings)
    built = build_vendors(settings, aio, clients) if vendors is None else vendors
    services = Services(
        settings=settings,
        registry=Registry(HANDLERS),
        store=aio,
        people=build_identity(aio, clients),
        vendors=built,
        clock=now,
        policy=Policy(admins=settings.admins, confirm=parse_confirm_modes(settings.confirm),
                      groups=build_admin_groups(settings, clients, now)),
        parse=parse,
        parse_ready=ready,
        proposal_ttl=timedelta(seconds=settings.confirm_ttl),
        metrics=Metrics(),
    )
    watch_rate_limits(services.metrics, built)
    share_rate_budgets(built, store)
    services.metrics.watch_store(lambda: aio.count_handovers(PENDING))
    # The configured secrets never reach a log line, whoever would print them (bot/telemetry/logs.py).
    protect(settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token,
            settings.feishu_app_secret, settings.feishu_verification_token, settings.feishu_encrypt_key,
            settings.dingtalk_app_secret, settings.webex_token, settings.zoom_client_secret, settings.secret_key,
            url_password(settings.db_path))
    services.scheduler = HandoverScheduler(services, lead=timedelta(minutes=settings.handover_lead_min),
                                           grace=timedelta(minutes=settings.handover_grace_min),
                                           lease=timedelta(seconds=settings.handover_lease_s))
    retention = Retention(settings.db_path, RetentionPolicy(settings.retention_days, settings.delivery_retention_hours),
                          clock=now, observe=lambda table, n: services.metrics.pruned.labels(table).inc(n),
                          store=store if store.kind == "postgresql" else None)  # replicas: one prunes (a lease)
    return HostBot(services=services, dispatcher=Dispatcher(services), clients=clients, retention=retention,
                   store=store)


def open_store(settings: Settings, clock: Callable[[], datetime]) -> Store:
    """The synchronous Store, migrated, its vault checked (ConfigError: no usable key, or a PostgreSQL that cannot
    be reached). Start-up work: `hostbot run` builds in a worker thread; a test or the demo that builds on its
    event loop's thread has this done in a thread of its own, waited for, before anything is served."""
    if on_loop():
        with ThreadPoolExecutor(1, thread_name_prefix="hostbot-open-store") as pool:
            return pool.submit(open_store, settings, clock).result()
    store = Store(settings.db_path, clock=clock, vault=build_vault(settings), pool_size=settings.db_pool)
    try:
        check_vault(store)
    except ConfigError:
        store.close()
        raise
    return store
