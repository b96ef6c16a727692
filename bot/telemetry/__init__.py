"""Telemetry: request and vendor-call logs, and Prometheus metrics. Imports nothing else of hostbot."""
