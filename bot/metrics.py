"""The bot's metrics, kept with prometheus-client in a registry of the bot's own.

Names are the ones dashboards already use. Two histograms also keep a bounded sample of
their observations, for the benchmarks' exact percentiles (Prometheus only has buckets).
"""

from __future__ import annotations

import math
from collections import deque

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Sampled:
    """A Prometheus histogram that also keeps the last ``keep`` observations."""

    def __init__(self, histogram: Histogram, keep: int = 10_000) -> None:
        self.histogram = histogram
        self.samples: deque[float] = deque(maxlen=keep)

    def observe(self, value: float) -> None:
        self.histogram.observe(value)
        self.samples.append(value)

    def percentile(self, pct: float) -> float:
        """The ``p``-th percentile of the kept observations (NaN when there are none)."""
        if not self.samples:
            return math.nan
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Metrics:
    """The bot's metrics. One instance (and registry) per bot, passed explicitly."""

    def __init__(self) -> None:
        # Counters and histograms would also export a `_created` series each: new names that
        # the dashboards do not use.
        disable_created_metrics()
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.interaction_ack = Sampled(
            Histogram(
                "studybot_interaction_ack_seconds",
                "Time from receiving an interaction to sending its acknowledgement",
                buckets=DEFAULT_BUCKETS,
                registry=registry,
            )
        )
        self.interaction_ack_roundtrip = Sampled(
            Histogram(
                "studybot_interaction_ack_roundtrip_seconds",
                "Time from receiving an interaction to Discord confirming the acknowledgement",
                buckets=DEFAULT_BUCKETS,
                registry=registry,
            )
        )
        self.command_latency = Histogram(
            "studybot_command_seconds", "Time to answer a command or component", ["name"], registry=registry
        )
        self.commands = Counter(
            "studybot_commands_total", "Commands and component clicks handled", ["name", "result"], registry=registry
        )
        self.dms = Counter("studybot_dms_total", "Direct messages attempted, by result", ["result"], registry=registry)
        self.channel_posts = Counter(
            "studybot_channel_posts_total", "Study-channel posts attempted, by result", ["result"], registry=registry
        )
        self.rate_limited = Counter(
            "studybot_http_429_total", "429 answers received from Discord", ["scope"], registry=registry
        )
        self.due_backlog = Gauge(
            "studybot_due_backlog", "Learners whose digest is due but not yet sent", registry=registry
        )
        self.loop_lag = Histogram(
            "studybot_event_loop_lag_seconds",
            "Event-loop scheduling delay",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=registry,
        )
        self.gateway_latency = Gauge("studybot_gateway_latency_seconds", "Gateway heartbeat latency", registry=registry)
        self.db_write_wait = Sampled(
            Histogram(
                "studybot_db_write_wait_seconds",
                "Time a write unit waited for the process's other writers (SQLite)",
                buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
                registry=registry,
            )
        )
        self.deliveries = Counter(
            "studybot_delivery_attempts_total",
            "Digest, snooze and channel-post delivery attempts, by kind and result",
            ["kind", "result"],
            registry=registry,
        )

    def render(self) -> bytes:
        """Everything, in Prometheus's text exposition format."""
        return generate_latest(self.registry)
