"""The digest's few-statement path (``bot.db.digest_reads``) builds the same digest as the
general one: the same queue, due count and new count, under the same daily limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.db import queries
from bot.db.models import Card, Learner
from bot.services import Services
from bot.study import digest as digests
from bot.study import progress
from scheduler.ledger import insert_claims, ledger_row


class Rollback(Exception):
    """Leaves the unit without committing, so both paths see the same rows."""


async def _both(services: Services, uid: int) -> list[tuple[list[str], int, int]]:
    now = services.clock.now()
    async with services.unit() as s:
        [claim] = await insert_claims(s, [ledger_row("digest", uid, "2026-06-01", now, now, "p")])
    found = []
    for path in ("fast", "general"):
        try:
            async with services.unit() as s:
                if path == "fast":
                    got = await digests.for_delivery(s, services.content, claim.delivery_id, "digest", uid, now)
                else:
                    got = await digests._general(s, services.content, claim.delivery_id, "digest", uid, now)
                assert not isinstance(got, str), got
                found.append((list(got.step.session.queue), got.due, got.new))
                raise Rollback
        except Rollback:
            pass
    return found


@pytest.mark.parametrize("limits", [{}, {"reviews_per_day": 3}, {"new_per_day": 1}, {"digest_size": 2}])
async def test_the_fast_digest_is_the_general_one(services: Services, limits: dict[str, int]) -> None:
    now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    services.clock.set(now)
    uid = 11
    async with services.unit() as s:
        for topic in ("numpy", "pandas", "linear-algebra"):
            await progress.enroll(s, services.content, uid, topic, now - timedelta(days=3))
        await progress.remove_from_reviews(s, uid, "pandas", now)
        cards = list(await s.scalars(select(Card.id).where(Card.learner_id == uid).order_by(Card.id)))
        # Some cards reviewed and due at different times, the rest new.
        for n, card_id in enumerate(cards[:12]):
            await s.execute(
                update(Card)
                .where(Card.id == card_id)
                .values(last_review=now - timedelta(days=2), due=now - timedelta(hours=n - 4), state=2)
            )
        await s.execute(
            update(Learner).where(Learner.id == uid).values({"digest_size": 6, "digest_enabled": True, **limits})
        )
        await queries.ensure_learner(s, uid, now)
    fast, general = await _both(services, uid)
    assert fast == general
    assert fast[1] > 0 and fast[0]
