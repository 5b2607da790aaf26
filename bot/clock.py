"""Time source. Everything asks the clock, so tests and the console can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Aware-UTC wall clock with an adjustable offset (zero in production)."""

    def __init__(self, offset: timedelta | None = None) -> None:
        self.offset = offset or timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("Clock.set needs an aware datetime")
        self.offset = when - datetime.now(UTC)
