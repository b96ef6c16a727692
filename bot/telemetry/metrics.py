"""Prometheus metrics: one registry per bot (built in bot/app.py, kept on Services), at GET /metrics.

    hostbot_requests_total{platform,intent,outcome}        chat requests and button clicks handled;
        outcome = the last vendor answer (ok, partial, conflict, denied, …) when a vendor was called,
        else what happened instead (confirmation_asked, approval_requested, denied, answered,
        not_understood, rejected, cancelled, declined, expired, already_used, foreign_click, error)
    hostbot_ack_seconds{platform}                          chat event received -> acknowledged
    hostbot_vendor_call_seconds{vendor,operation,outcome}  one vendor operation (all its HTTP calls)
    hostbot_duplicate_deliveries_total{platform}           redelivered events and clicks dropped
    hostbot_rate_limit_waits_total{vendor}                 waits before a vendor call (client-side
    hostbot_rate_limit_wait_seconds_total{vendor}          limits and the vendor's Retry-After)
    hostbot_scheduled_handovers_pending                    read from the store at each scrape
    hostbot_pruned_rows_total{table}                       rows retention removed (bot/store/retention.py)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

log = logging.getLogger(__name__)

# Slack and Feishu retry what is not acknowledged within ~3 s: the buckets are dense below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
VENDOR_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("hostbot_requests", "Chat requests and button clicks handled",
                                ["platform", "intent", "outcome"], registry=self.registry)
        self.ack_latency = Histogram("hostbot_ack_seconds", "Time from receiving a chat event to acknowledging it",
                                     ["platform"], buckets=ACK_BUCKETS, registry=self.registry)
        self.vendor_latency = Histogram("hostbot_vendor_call_seconds", "Vendor operation latency",
                                        ["vendor", "operation", "outcome"], buckets=VENDOR_BUCKETS,
                                        registry=self.registry)
        self.duplicates = Counter("hostbot_duplicate_deliveries", "Redelivered events and clicks dropped",
                                  ["platform"], registry=self.registry)
        self.rate_limit_waits = Counter("hostbot_rate_limit_waits", "Waits imposed by a vendor rate limit",
                                        ["vendor"], registry=self.registry)
        self.rate_limit_seconds = Counter("hostbot_rate_limit_wait_seconds", "Seconds waited for vendor rate limits",
                                          ["vendor"], registry=self.registry)
        self.pending_handovers = Gauge("hostbot_scheduled_handovers_pending", "Scheduled handovers not yet run",
                                       registry=self.registry)
        self.pending_handovers.set(float("nan"))  # until watch_store()
        self._count_pending: Callable[[], Awaitable[int]] | None = None
        self.pruned = Counter("hostbot_pruned_rows", "Rows removed by retention (audit, deliveries, proposals)",
                              ["table"], registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    # ---- wiring (bot/app.py) -----------------------------------------------------------------
    def watch_store(self, count_pending: Callable[[], Awaitable[int]]) -> None:
        """Read the number of pending handovers from the store at every scrape (the store is the truth)."""
        self._count_pending = count_pending

    async def refresh(self) -> None:
        """What is read at a scrape, awaited before `render` (GET /metrics)."""
        if self._count_pending is None:
            return
        try:
            self.pending_handovers.set(float(await self._count_pending()))
        except Exception as err:  # a closed or locked database must not break the scrape
            log.warning("metrics: pending handovers unreadable: %s", type(err).__name__)
            self.pending_handovers.set(float("nan"))

    def waited_for(self, vendor: str) -> Callable[[float], None]:
        def waited(seconds: float) -> None:
            self.rate_limit_waits.labels(vendor).inc()
            self.rate_limit_seconds.labels(vendor).inc(max(0.0, seconds))

        return waited
