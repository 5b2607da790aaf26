from __future__ import annotations

import asyncio
import heapq
import random
import time

from scheduler.ratelimit import RateLimiter, SendWindow


def _most_in_one_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    return max((sum(1 for u in times[i:] if u - t < window) for i, t in enumerate(times)), default=0)


def _simulate(rate: float, sends: int, seed: int, stall: float) -> tuple[list[float], float]:
    """A fake clock in 1 ms steps. Each send is let through by the window, then reaches the
    server after a random delay (sometimes a stall of the client before writing, or of the
    server before reading, up to ``stall`` seconds); its answer arrives a little later and
    is seen by the client after its own possible stall. Returns the server's receipt times
    and when the last answer was seen."""
    rng = random.Random(seed)
    limiter = SendWindow(rate)
    answers: list[float] = []  # when the client sees each answer (heap)
    received: list[float] = []
    now, started, step = 0.0, 0, 0.001
    while started < sends or answers:
        while answers and answers[0] <= now:
            limiter.end(heapq.heappop(answers))
        while started < sends:
            wait = limiter.delay(now)
            if wait is None or wait > 0:
                break
            limiter.start(now)
            started += 1
            client_stall = stall if rng.random() < 0.1 else rng.uniform(0, 0.003)
            server_stall = stall if rng.random() < 0.1 else rng.uniform(0, 0.003)
            at_server = now + client_stall + server_stall
            received.append(at_server)
            seen = at_server + rng.uniform(0.001, 0.004) + (stall if rng.random() < 0.1 else 0.0)
            heapq.heappush(answers, seen)
        now = round(now + step, 6)
    return received, now


def test_no_window_gets_more_than_the_rate_whatever_stalls() -> None:
    for seed in range(5):
        received, _ = _simulate(48, 600, seed, stall=0.3)
        assert len(received) == 600
        assert _most_in_one_window(received) <= 48


def test_without_stalls_the_rate_is_reached() -> None:
    received, end = _simulate(48, 480, 1, stall=0.0)
    # 480 sends at 48 per window of 1 s plus the answer's few ms: about ten windows.
    assert _most_in_one_window(received) <= 48
    assert end < 10.6


def test_a_send_that_never_answers_keeps_its_slot() -> None:
    limiter = SendWindow(2)
    limiter.start(0.0)
    limiter.start(0.5)
    assert limiter.delay(5.0) is None  # both in flight: only an answer frees a slot
    limiter.end(5.0)
    assert limiter.delay(5.5) == 0.5
    assert limiter.delay(6.0) == 0


def test_pause_holds_everyone() -> None:
    limiter = SendWindow(100)
    limiter.pause(0.3)
    assert limiter.delay(0.0) == 0.3


async def test_slots_are_held_until_a_window_after_the_answer() -> None:
    limiter = RateLimiter(40)
    stamps: list[float] = []

    async def one() -> None:
        async with limiter.slot():
            stamps.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(100)))
    assert _most_in_one_window(stamps) <= 40


async def test_a_stalled_loop_does_not_release_a_burst() -> None:
    limiter = RateLimiter(20)
    stamps: list[float] = []

    async def one() -> None:
        async with limiter.slot():
            stamps.append(time.monotonic())

    tasks = [asyncio.create_task(one()) for _ in range(30)]
    await asyncio.sleep(0.2)
    time.sleep(0.4)  # noqa: ASYNC251 - block the event loop, as a long synchronous step would
    await asyncio.gather(*tasks)
    assert _most_in_one_window(stamps) <= 20
