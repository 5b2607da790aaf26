"""Rate limits as Discord applies them: a global bucket and per-route buckets."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds."""

    limit: int
    window: float
    events: deque[float] = field(default_factory=deque)

    def _trim(self, now: float) -> None:
        while self.events and now - self.events[0] >= self.window:
            self.events.popleft()

    def try_take(self, now: float | None = None) -> float:
        """Take one slot; return 0, or the seconds to wait when the window is full."""
        now = time.monotonic() if now is None else now
        self._trim(now)
        if len(self.events) >= self.limit:
            return max(0.001, self.window - (now - self.events[0]))
        self.events.append(now)
        return 0.0

    def remaining(self, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        self._trim(now)
        return self.limit - len(self.events)

    def reset_after(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        self._trim(now)
        return self.window - (now - self.events[0]) if self.events else self.window


@dataclass
class RateLimiter:
    global_per_second: int = 50
    channel_messages: int = 5
    channel_window: float = 5.0
    global_window: SlidingWindow = field(init=False)
    buckets: dict[str, SlidingWindow] = field(default_factory=dict)
    count_429: int = 0
    count_429_global: int = 0

    def __post_init__(self) -> None:
        self.global_window = SlidingWindow(self.global_per_second, 1.0)

    def bucket(self, key: str) -> SlidingWindow:
        if key not in self.buckets:
            self.buckets[key] = SlidingWindow(self.channel_messages, self.channel_window)
        return self.buckets[key]
