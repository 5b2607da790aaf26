"""A shared send-rate limiter: requests are spaced so the bot stays under Discord's limit."""

from __future__ import annotations

import asyncio
import time


class RateLimiter:
    """Generic cell rate algorithm: at most ``rate`` acquisitions per second on average,
    with bursts of up to ``burst``. Each caller reserves its slot under a lock, then sleeps
    outside it, so waiting callers are served in order and none is starved."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self.tolerance = self.interval * max(0, burst - 1)
        self._tat = 0.0  # theoretical arrival time of the next request
        self._lock = asyncio.Lock()
        self.paused_until = 0.0

    async def acquire(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._tat - self.tolerance, self.paused_until)
            self._tat = max(self._tat, start) + self.interval
        delay = start - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def pause(self, seconds: float) -> None:
        """Honour a 429: nobody sends for ``seconds``."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
