"""Prometheus metrics: one registry per bot, rendered at GET /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("hostbot_requests", "Chat requests handled", ["platform", "intent"],
                                registry=self.registry)
        self.duplicates = Counter("hostbot_duplicate_deliveries", "Redelivered events and clicks dropped",
                                  ["platform"], registry=self.registry)
        self.vendor_latency = Histogram("hostbot_vendor_call_seconds", "Vendor call latency",
                                        ["vendor", "intent", "outcome"], registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
