"""`python -m bot run` stopped mid-dispatch and killed mid-send, on SQLite and PostgreSQL:

- SIGTERM (or SIGINT) while digests go out: exit 0, no ERROR line and no traceback, one INFO
  line for the drain, and nothing lost: the next start sends the rest, each once.
- killed between a send and its finish: the claim is taken over once its lease ends and
  re-sent with the same nonce; inside Discord's nonce window that is still one DM. Outside
  it (a server that forgets nonces sooner than the lease), it would be two: the reason the
  lease is short.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.content import Content
from bot.db.migrate import upgrade
from bot.db.models import Delivery
from bot.db.session import create_engine, session_factory
from localdiscord import LocalDiscord
from tests.e2e.processes import errors_in, seed_channels, seed_learners, start_bot_process, stop, wait_for

LEARNERS, POSTS = 150, 20


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_mid_dispatch_stops_cleanly_and_loses_nothing(
    db_url: str, tmp_path: Path, content: Content, sig: signal.Signals
) -> None:
    ld = await LocalDiscord().start()
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        users = [ld.create_user(f"u{i}") for i in range(LEARNERS)]
        due = datetime.now(UTC) - timedelta(minutes=1)
        await seed_learners(session_factory(engine), ld, content, users, next_digest_at=due)
        guild = await ld.create_guild("posts")
        channels = [await ld.create_channel(guild, f"c{i}") for i in range(POSTS)]
        await seed_channels(session_factory(engine), channels, next_post_at=due)

        def sent() -> Counter[int]:
            return Counter({u.id: len(ld.dms_to(u)) for u in users} | {c.id: len(ld.messages_in(c)) for c in channels})

        first = start_bot_process(ld, db_url, tmp_path, SHUTDOWN_GRACE_SECONDS="2")
        await wait_for(lambda: sum(sent().values()) >= 20, 60, "the first digests")
        out = stop(first, sig)
        assert first.returncode == 0, out[-3000:]
        assert errors_in(out) == [], out[-3000:]
        drained = [line for line in out.splitlines() if "scheduler stopped:" in line]
        assert len(drained) == 1 and " INFO " in drained[0], out[-3000:]
        assert sum(sent().values()) < LEARNERS + POSTS, "the dispatch finished before the signal: nothing was tested"

        second = start_bot_process(ld, db_url, tmp_path)
        try:
            await wait_for(lambda: all(sent().values()), 60, "every digest")
            await asyncio.sleep(1.5)  # a duplicate would arrive now
        finally:
            out = stop(second, signal.SIGTERM)
        assert second.returncode == 0 and errors_in(out) == [], out[-3000:]
        assert set(sent().values()) == {1}, Counter(sent().values())
    finally:
        await engine.dispose()
        await ld.stop()
    ld.assert_clean()


@pytest.mark.parametrize(("window", "dms"), [(60.0, 1), (0.5, 2)])
async def test_a_send_whose_process_died_is_taken_over_once_inside_the_nonce_window(
    sqlite_url: str, tmp_path: Path, content: Content, window: float, dms: int
) -> None:
    ld = await LocalDiscord(nonce_window=window).start()
    engine = create_engine(sqlite_url)
    try:
        await upgrade(engine)
        ann = ld.create_user("ann")
        await seed_learners(session_factory(engine), ld, content, [ann], next_digest_at=datetime.now(UTC))
        dm = ld.dm_channel(ann)
        stall = asyncio.Event()
        fault = ld.inject("POST", f"/channels/{dm.id}/messages", stall=stall)
        env = {"CLAIM_TIMEOUT_SECONDS": "2", "SHUTDOWN_GRACE_SECONDS": "1"}
        dying = start_bot_process(ld, sqlite_url, tmp_path, PROCESS_NAME="dying", **env)
        await wait_for(lambda: len(ld.dms_to(ann)) == 1, 60, "the digest to reach Discord")
        out = stop(dying, signal.SIGKILL)  # sent, but its answer never came back: no finish
        stall.set()
        assert fault.hits == 1, out[-2000:]
        async with session_factory(engine)() as s:
            [row] = list(await s.scalars(select(Delivery)))
            assert (row.status, row.claimed_by) == ("claimed", "dying")

        taking_over = start_bot_process(ld, sqlite_url, tmp_path, PROCESS_NAME="next", **env)
        try:

            async def delivered() -> Delivery:
                async with session_factory(engine)() as s:
                    [row] = list(await s.scalars(select(Delivery)))
                    return row

            for _ in range(400):
                row = await delivered()
                if row.status == "sent":
                    break
                await asyncio.sleep(0.05)
            assert (row.status, row.claimed_by, row.attempts) == ("sent", "next", 1)
        finally:
            out = stop(taking_over, signal.SIGTERM)
        assert errors_in(out) == [], out[-3000:]
        assert len(ld.dms_to(ann)) == dms
    finally:
        await engine.dispose()
        await ld.stop()
