"""The dispatcher against a real database, with a recording deliver (no Discord)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db import queries
from bot.db.models import Delivery, Learner
from bot.services import Services
from bot.study import learners
from scheduler.claims import claim_digests
from scheduler.dispatch import Dispatcher
from scheduler.ledger import Claim, Outcome

GRACE = timedelta(hours=6)


class Recorder:
    def __init__(self, outcome: str = "sent", delay: float = 0.0) -> None:
        self.claims: list[Claim] = []
        self.outcome, self.delay = outcome, delay

    async def __call__(self, claim: Claim) -> Outcome:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.claims.append(claim)
        return Outcome(self.outcome)

    def per_learner(self) -> Counter[int]:
        return Counter(c.target_id for c in self.claims)


def dispatcher(svc: Services, deliver: Recorder, pid: str = "p1") -> Dispatcher:
    return Dispatcher(svc.unit, svc.clock.now, deliver, process_id=pid, grace=GRACE)


async def add_learner(svc: Services, uid: int, tz: str = "UTC", at: str = "09:00") -> None:
    now = svc.clock.now()
    async with svc.unit() as s:
        await learners.set_timezone(s, uid, tz, now)
        await learners.set_digest_time(s, uid, at, now)
        await learners.set_reminders(s, uid, True, now)


async def walk(svc: Services, d: Dispatcher, until: datetime, step: timedelta = timedelta(minutes=15)) -> None:
    while svc.clock.now() < until:
        svc.clock.advance(step)
        await d.tick()


@pytest.mark.parametrize(
    "tz,day",
    [
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
        ("Europe/Berlin", date(2026, 3, 29)),
        ("Europe/Berlin", date(2026, 10, 25)),
        ("Asia/Kolkata", date(2026, 3, 29)),
    ],
)
async def test_dst_days_get_exactly_one_digest(services: Services, tz: str, day: date) -> None:
    services.clock.set(datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=UTC))
    await add_learner(services, 1, tz, "02:30")
    await add_learner(services, 2, tz, "01:30")
    rec = Recorder()
    await walk(services, dispatcher(services, rec), services.clock.now() + timedelta(days=4))
    per_day = Counter((c.target_id, c.slot) for c in rec.claims)
    assert all(n == 1 for n in per_day.values()), per_day
    for uid in (1, 2):
        days = sorted(slot for (u, slot) in per_day if u == uid)
        assert day.isoformat() in days and len(days) == len(set(days)) >= 3


async def test_downtime_of_three_hours_sends_one(services: Services) -> None:
    services.clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    await add_learner(services, 1, "UTC", "09:00")
    services.clock.set(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))  # down 08:00–12:00
    rec = Recorder()
    d = dispatcher(services, rec)
    await d.tick()
    await d.tick()
    assert [c.slot for c in rec.claims] == ["2026-06-01"]


async def test_downtime_of_three_days_never_replays(services: Services) -> None:
    services.clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    await add_learner(services, 1, "UTC", "09:00")
    await add_learner(services, 2, "UTC", "03:00")
    services.clock.set(datetime(2026, 6, 4, 10, 0, tzinfo=UTC))  # back on day 4 at 10:00
    rec = Recorder()
    await dispatcher(services, rec).tick()
    # learner 1: today's 09:00 is within the 6 h grace → one digest; learner 2: 03:00 is 7 h ago → none.
    assert [(c.target_id, c.slot) for c in rec.claims] == [(1, "2026-06-04")]
    async with services.unit() as s:
        l2 = await s.get(Learner, 2)
        assert l2 is not None and l2.next_digest_at == datetime(2026, 6, 5, 3, 0, tzinfo=UTC)


async def test_crash_between_claim_and_send_is_sent_once_later(services: Services) -> None:
    services.clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    for uid in range(1, 6):
        await add_learner(services, uid, "UTC", "09:00")
    services.clock.set(datetime(2026, 6, 1, 9, 1, tzinfo=UTC))
    slow = Recorder(delay=5)
    d1 = dispatcher(services, slow, "crashing")
    task = asyncio.create_task(d1.tick())
    await asyncio.sleep(0.3)  # claimed and committed, sends in progress
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert slow.claims == []
    rec = Recorder()
    d2 = dispatcher(services, rec, "restarted")
    await d2.tick()
    assert rec.claims == []  # the claims are fresh: another process may still be sending them
    services.clock.advance(timedelta(minutes=11))
    await d2.tick()
    assert sorted(rec.per_learner()) == [1, 2, 3, 4, 5] and max(rec.per_learner().values()) == 1
    await d2.tick()
    assert len(rec.claims) == 5


async def test_graceful_drain_releases_claims_for_immediate_reclaim(services: Services) -> None:
    services.clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    for uid in range(1, 4):
        await add_learner(services, uid, "UTC", "09:00")
    services.clock.set(datetime(2026, 6, 1, 9, 2, tzinfo=UTC))
    slow = Recorder(delay=5)
    d1 = dispatcher(services, slow, "stopping")
    task = asyncio.create_task(d1.tick())
    await asyncio.sleep(0.3)
    result = await d1.drain(timeout=0.1)
    assert (result.finished, result.cancelled, result.released) == (0, 3, 3)
    assert await task == 3  # the drain ends the tick: no cancellation needed
    rec = Recorder()
    await dispatcher(services, rec, "next").tick()
    assert sorted(rec.per_learner()) == [1, 2, 3]


async def test_closed_dms_stop_digests(services: Services) -> None:
    services.clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    await add_learner(services, 1)
    services.clock.set(datetime(2026, 6, 1, 9, 5, tzinfo=UTC))
    closed = Recorder("closed")
    await dispatcher(services, closed).tick()
    async with services.unit() as s:
        learner = await s.get(Learner, 1)
        assert learner is not None and learner.dm_status == "closed" and learner.next_digest_at is None
        status = await s.scalar(select(Delivery.status))
        assert status == "closed"
    services.clock.advance(timedelta(days=1))
    rec = Recorder()
    await dispatcher(services, rec).tick()
    assert rec.claims == []


async def test_two_dispatchers_at_once_send_each_digest_once(services: Services) -> None:
    services.clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    async with services.unit() as s:
        now = services.clock.now()
        for uid in range(1, 301):
            learner = await queries.ensure_learner(s, uid, now)
            learner.digest_enabled = True
            learner.next_digest_at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    services.clock.set(datetime(2026, 6, 1, 9, 1, tzinfo=UTC))
    a, b = Recorder(delay=0.001), Recorder(delay=0.001)
    await asyncio.gather(dispatcher(services, a, "a").tick(), dispatcher(services, b, "b").tick())
    total = a.per_learner() + b.per_learner()
    assert sorted(total) == list(range(1, 301)) and max(total.values()) == 1
    if services.engine.dialect.name == "postgresql":
        assert a.claims and b.claims, "both processes should have shared the work"


async def test_claim_is_an_index_range_scan_on_next_digest_at(services: Services) -> None:
    if services.engine.dialect.name != "sqlite":
        pytest.skip("plan check written for SQLite's EXPLAIN QUERY PLAN")
    from sqlalchemy import text

    async with services.unit() as s:
        plan = (
            await s.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT * FROM learners WHERE next_digest_at <= :now "
                    "ORDER BY next_digest_at LIMIT 200"
                ),
                {"now": "2026-06-01 00:00:00"},
            )
        ).all()
    assert any("ix_learners_next_digest_at" in str(row) for row in plan), plan


async def test_claim_advances_without_sending_twice(services: Services) -> None:
    services.clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    await add_learner(services, 1)
    services.clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    async with services.unit() as s:
        first = await claim_digests(s, services.clock.now(), grace=GRACE, by="x")
    async with services.unit() as s:
        learner = await s.get(Learner, 1)
        assert learner is not None
        learner.next_digest_at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # as if another process lagged behind
    async with services.unit() as s:
        second = await claim_digests(s, services.clock.now(), grace=GRACE, by="y")
    assert len(first) == 1 and second == []


async def test_channel_claims_respect_shards(services: Services) -> None:
    """A process claims (and takes over) posts only for guilds on its own shards."""
    from bot.db.models import StudyChannel
    from scheduler.claims import claim_channel_posts
    from scheduler.ledger import reclaim_stale

    now = datetime(2026, 6, 1, 12, 1, tzinfo=UTC)
    guilds = {0: (1 << 22) * 4, 1: (1 << 22) * 5}  # (id >> 22) % 2 == 0 and 1
    async with services.unit() as s:
        for shard, gid in guilds.items():
            s.add(
                StudyChannel(
                    guild_id=gid,
                    channel_id=100 + shard,
                    created_by=1,
                    levels=[],
                    topics=[],
                    post_minute=720,
                    timezone="UTC",
                    days_mask=127,
                    questions_per_post=1,
                    paused=False,
                    used_questions=[],
                    created_at=now,
                    next_post_at=now - timedelta(minutes=1),
                )
            )
    async with services.unit() as s:
        mine = await claim_channel_posts(s, now, grace=GRACE, by="p1", shards=(2, [1]))
    assert len(mine) == 1
    async with services.unit() as s:
        sc = await s.get(StudyChannel, mine[0].target_id)
        assert sc is not None and sc.guild_id == guilds[1]
        others = await claim_channel_posts(s, now, grace=GRACE, by="p0", shards=(2, [0]))
    assert len(others) == 1 and others[0].target_id != mine[0].target_id
    later = now + timedelta(minutes=20)
    async with services.unit() as s:
        assert await reclaim_stale(s, later, grace=GRACE, by="p0", shards=(2, [0])) != []
    async with services.unit() as s:
        taken = await reclaim_stale(s, later + timedelta(minutes=20), grace=GRACE, by="p1", shards=(2, [1]))
    assert [c.target_id for c in taken] == [mine[0].target_id]
