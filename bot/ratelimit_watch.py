"""Notice discord.py's 429 handling: count it and hold the shared limiter while it lasts."""

from __future__ import annotations

import logging
import re

from bot.metrics import Metrics
from scheduler.ratelimit import RateLimiter

_RETRY = re.compile(r"Retrying in ([0-9.]+) seconds")


class RateLimitWatcher(logging.Handler):
    """discord.py retries a 429 itself and logs it; this handler turns those log records
    into a metric and, for the global limit, a pause of every send the bot makes."""

    def __init__(self, metrics: Metrics, limiter: RateLimiter) -> None:
        super().__init__(level=logging.WARNING)
        self.metrics, self.limiter = metrics, limiter

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if "rate limited" not in msg.lower() and "Global rate limit" not in msg:
            return
        if msg.startswith("We are being rate limited"):
            self.metrics.rate_limited.labels(scope="route").inc()
        if msg.startswith("Global rate limit"):
            self.metrics.rate_limited.labels(scope="global").inc()
            found = _RETRY.search(msg)
            if found:
                self.limiter.pause(float(found.group(1)))


def install(metrics: Metrics, limiter: RateLimiter) -> RateLimitWatcher:
    handler = RateLimitWatcher(metrics, limiter)
    logging.getLogger("discord.http").addHandler(handler)
    return handler


def uninstall(handler: RateLimitWatcher) -> None:
    logging.getLogger("discord.http").removeHandler(handler)
