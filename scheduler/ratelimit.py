"""A shared send-rate limiter: the bot stays under Discord's global limit by construction."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class RateLimiter:
    """At most ``rate`` acquisitions in any sliding one-second window, counted at the moment
    each caller is let through (so a stalled event loop cannot release a burst), and spaced
    by at least half the nominal interval. Waiters are served in arrival order."""

    def __init__(self, rate: float, window: float = 1.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.window = window
        self.cap = max(1, int(rate * window))
        self.spacing = window / rate / 2
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()
        self.paused_until = 0.0

    async def acquire(self) -> None:
        """Wait until one more send fits in the window (callers are served in arrival order)."""
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._times and now - self._times[0] >= self.window:
                    self._times.popleft()
                waits = [self.paused_until - now]
                if len(self._times) >= self.cap:
                    waits.append(self.window - (now - self._times[0]))
                if self._times:
                    waits.append(self._times[-1] + self.spacing - now)
                delay = max(waits)
                if delay <= 0:
                    break
                await asyncio.sleep(delay)
            self._times.append(time.monotonic())

    def pause(self, seconds: float) -> None:
        """Honour a 429: nobody is let through for ``seconds``."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
