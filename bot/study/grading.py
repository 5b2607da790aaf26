"""How an answer becomes an FSRS rating.

- Multiple choice / true-false, wrong → Again.
- Correct → Good; Easy when answered in under half the learner's usual time; Hard when it
  took more than twice the usual time (and over 20 s). "Usual" is a running average of
  the learner's correct-answer times, used once it exists.
- After a correct answer the learner may re-rate it (Hard / Good / Easy) themselves.
- Flashcards are self-rated after "Show answer": Again / Hard / Good / Easy.
"""

from __future__ import annotations

from scheduler.srs import Rating

MAX_DURATION_MS = 10 * 60 * 1000
HARD_FLOOR_MS = 20_000


def clamp_duration(ms: int | None) -> int | None:
    """An answer time kept within 0 … 10 minutes (None stays None: not timed)."""
    if ms is None:
        return None
    return max(0, min(int(ms), MAX_DURATION_MS))


def rating_for(correct: bool, duration_ms: int | None, usual_ms: int | None) -> Rating:
    """The FSRS rating of an objective answer: Again if wrong, else Good, Easy or Hard by speed."""
    if not correct:
        return Rating.AGAIN
    if duration_ms is None or usual_ms is None or usual_ms <= 0:
        return Rating.GOOD
    if duration_ms < usual_ms / 2:
        return Rating.EASY
    if duration_ms > usual_ms * 2 and duration_ms > HARD_FLOOR_MS:
        return Rating.HARD
    return Rating.GOOD


def update_usual(usual_ms: int | None, duration_ms: int | None, correct: bool) -> int | None:
    """Exponential moving average (α = 0.2) of correct-answer times."""
    if not correct or duration_ms is None:
        return usual_ms
    if usual_ms is None:
        return duration_ms
    return round(usual_ms * 0.8 + duration_ms * 0.2)
