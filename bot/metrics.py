"""In-process metrics: counters, gauges and histograms, rendered in Prometheus text format.

No third-party client: the bot needs a handful of series and one text endpoint.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Iterable

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in sorted(labels.items())
    )
    return "{" + inner + "}"


class Counter:
    def __init__(self, name: str, help_: str) -> None:
        self.name, self.help = name, help_
        self.values: dict[tuple[tuple[str, str], ...], float] = {}
        self._lock = threading.Lock()

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            self.values[key] = self.values.get(key, 0.0) + amount

    def get(self, **labels: str) -> float:
        return self.values.get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} counter"
        for key, v in sorted(self.values.items()):
            yield f"{self.name}{_labels(dict(key))} {v}"


class Gauge(Counter):
    def set(self, value: float, **labels: str) -> None:
        with self._lock:
            self.values[tuple(sorted(labels.items()))] = value

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} gauge"
        for key, v in sorted(self.values.items()):
            yield f"{self.name}{_labels(dict(key))} {v}"


class Histogram:
    """Cumulative buckets for Prometheus, plus a bounded sample for exact percentiles."""

    def __init__(self, name: str, help_: str, buckets: tuple[float, ...] = DEFAULT_BUCKETS, keep: int = 10_000) -> None:
        self.name, self.help, self.buckets = name, help_, buckets
        self.counts: dict[tuple[tuple[str, str], ...], list[int]] = {}
        self.sums: dict[tuple[tuple[str, str], ...], float] = {}
        self.samples: list[float] = []
        self.keep = keep

    def observe(self, value: float, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        counts = self.counts.setdefault(key, [0] * (len(self.buckets) + 1))
        counts[bisect.bisect_left(self.buckets, value)] += 1
        self.sums[key] = self.sums.get(key, 0.0) + value
        if len(self.samples) < self.keep:
            self.samples.append(value)
        else:
            self.samples[hash(value) % self.keep] = value

    def percentile(self, p: float) -> float:
        if not self.samples:
            return math.nan
        s = sorted(self.samples)
        return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} histogram"
        for key, counts in sorted(self.counts.items()):
            labels, running = dict(key), 0
            for bound, c in zip((*self.buckets, math.inf), counts, strict=True):
                running += c
                le = "+Inf" if bound == math.inf else repr(bound)
                yield f"{self.name}_bucket{_labels(labels | {'le': le})} {running}"
            yield f"{self.name}_sum{_labels(labels)} {self.sums[key]}"
            yield f"{self.name}_count{_labels(labels)} {running}"


class Metrics:
    """The bot's metrics. One instance per bot, passed explicitly."""

    def __init__(self) -> None:
        self.interaction_ack = Histogram(
            "studybot_interaction_ack_seconds", "Time from receiving an interaction to sending its acknowledgement"
        )
        self.interaction_ack_roundtrip = Histogram(
            "studybot_interaction_ack_roundtrip_seconds",
            "Time from receiving an interaction to Discord confirming the acknowledgement",
        )
        self.command_latency = Histogram("studybot_command_seconds", "Time to answer a command or component")
        self.commands = Counter("studybot_commands_total", "Commands and component clicks handled")
        self.dms = Counter("studybot_dms_total", "Direct messages attempted, by result")
        self.channel_posts = Counter("studybot_channel_posts_total", "Study-channel posts attempted, by result")
        self.rate_limited = Counter("studybot_http_429_total", "429 answers received from Discord")
        self.due_backlog = Gauge("studybot_due_backlog", "Learners whose digest is due but not yet sent")
        self.loop_lag = Histogram(
            "studybot_event_loop_lag_seconds",
            "Event-loop scheduling delay",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
        )
        self.gateway_latency = Gauge("studybot_gateway_latency_seconds", "Gateway heartbeat latency")
        self.db_write_wait = Histogram(
            "studybot_db_write_wait_seconds",
            "Time a write unit waited for the process's other writers (SQLite)",
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )
        self.deliveries = Counter(
            "studybot_delivery_attempts_total", "Digest, snooze and channel-post delivery attempts, by kind and result"
        )

    def render(self) -> str:
        out: list[str] = []
        for m in (
            self.interaction_ack,
            self.interaction_ack_roundtrip,
            self.command_latency,
            self.commands,
            self.dms,
            self.channel_posts,
            self.rate_limited,
            self.due_backlog,
            self.loop_lag,
            self.gateway_latency,
            self.db_write_wait,
            self.deliveries,
        ):
            out.extend(m.render())
        return "\n".join(out) + "\n"
