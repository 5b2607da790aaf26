"""A shared send-rate limiter: the bot stays under Discord's global limit by construction.

Discord counts a request when it receives it, some time between the moment the bot lets
it go and the moment the bot sees the answer; a stall on either side (this event loop, or
the server) can move that moment anywhere in between. So a send holds its slot from the
moment it is let through until one full window after its answer arrived: any requests
Discord counts in one window were then all holding slots at one instant, and there are
never more than ``rate × window`` slots. No clock on the server's side is assumed.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class SendWindow:
    """The bookkeeping of the limiter, without waiting (so a fake clock can drive it):
    slots in flight, slots ended less than a window ago, spacing and pauses."""

    def __init__(self, rate: float, window: float = 1.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.window = window
        self.cap = max(1, int(rate * window))
        self.spacing = window / rate / 2
        self.in_flight = 0
        self._ended: deque[float] = deque()  # answer times, in order
        self._last_start = float("-inf")
        self.paused_until = float("-inf")

    def delay(self, now: float) -> float | None:
        """Seconds until one more send may start (0: now); None: only when a send in
        flight gets its answer."""
        while self._ended and now - self._ended[0] >= self.window:
            self._ended.popleft()
        waits = [0.0, self.paused_until - now, self._last_start + self.spacing - now]
        if self.in_flight + len(self._ended) >= self.cap:
            if not self._ended:
                return None
            waits.append(self.window - (now - self._ended[0]))
        return max(waits)

    def start(self, now: float) -> None:
        """A send is let through at ``now``."""
        self.in_flight += 1
        self._last_start = now

    def end(self, now: float) -> None:
        """A send's answer (or its failure) arrived at ``now``: its slot frees a window later."""
        self.in_flight -= 1
        self._ended.append(now)

    def pause(self, until: float) -> None:
        """Nobody is let through before ``until`` (a 429's retry time)."""
        self.paused_until = max(self.paused_until, until)


class RateLimiter:
    """At most ``rate`` sends counted by Discord in any one-second window, whatever stalls
    (see the module's note), spaced by at least half the nominal interval. Waiters are
    served in arrival order. Use ``async with limiter.slot(): await send(...)``."""

    def __init__(self, rate: float, window: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.state = SendWindow(rate, window)
        self.clock = clock
        self._lock = asyncio.Lock()
        self._freed = asyncio.Event()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait until one more send fits, hold its slot while the body sends, and for a
        window after the answer."""
        await self._acquire()
        try:
            yield
        finally:
            self.state.end(self.clock())
            self._freed.set()

    async def _acquire(self) -> None:
        async with self._lock:
            while True:
                delay = self.state.delay(self.clock())
                if delay is None:
                    self._freed.clear()
                    await self._freed.wait()
                elif delay > 0:
                    await asyncio.sleep(delay)
                else:
                    break
            self.state.start(self.clock())

    def pause(self, seconds: float) -> None:
        """Honour a 429: nobody is let through for ``seconds``."""
        self.state.pause(self.clock() + seconds)
