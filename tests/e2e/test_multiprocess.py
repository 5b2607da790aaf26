"""Two bot processes, one PostgreSQL, one local Discord: every digest and post goes out once,
even when one process is killed mid-dispatch and restarted; SIGTERM shuts down cleanly."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.content import load_content
from bot.db.migrate import upgrade
from bot.db.models import Learner, StudyChannel
from bot.db.session import create_engine, session_factory
from localdiscord import LocalDiscord
from tests.e2e.processes import seed_channels, seed_learners, start_bot_process, wait_for
from tests.helpers import CONTENT

pytestmark = pytest.mark.postgres

LEARNERS, CHANNELS = 120, 8


def start_process(ld: LocalDiscord, url: str, shard: int, tmp: Path) -> subprocess.Popen[str]:
    return start_bot_process(
        ld,
        url,
        tmp,
        CLAIM_TIMEOUT_SECONDS="3",
        SHUTDOWN_GRACE_SECONDS="5",
        PROCESS_COUNT="2",
        PROCESS_NAME=f"p{shard}",
        SHARD_COUNT="2",
        SHARD_IDS=f"[{shard}]",
        LOG_LEVEL="WARNING",
    )


async def test_two_processes_share_the_work_and_survive_a_kill(pg_database: str, tmp_path: Path) -> None:
    ld = await LocalDiscord().start()
    procs: list[subprocess.Popen[str]] = []
    engine = create_engine(pg_database)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        content = load_content(CONTENT)
        users = [ld.create_user(f"u{i}") for i in range(LEARNERS)]
        guilds = {}
        while len(guilds) < 2:  # one server on each shard
            g = await ld.create_guild(f"g{len(guilds)}")
            guilds.setdefault((g.id >> 22) % 2, g)
        chans = [await ld.create_channel(guilds[i % 2], f"c{i}") for i in range(CHANNELS)]
        now = datetime.now(UTC)
        later = now + timedelta(days=1)
        await seed_learners(sessions, ld, content, users, next_digest_at=later, digest_size=3)
        await seed_channels(sessions, chans, next_post_at=later)

        procs = [start_process(ld, pg_database, 0, tmp_path), start_process(ld, pg_database, 1, tmp_path)]
        await wait_for(lambda: sum(s.connected for s in ld.gateway.sessions.values()) == 2, 60, "both shards")
        await asyncio.sleep(1.0)
        due = datetime.now(UTC) - timedelta(seconds=1)
        async with sessions() as s, s.begin():
            await s.execute(update(Learner).values(next_digest_at=due))
            await s.execute(update(StudyChannel).values(next_post_at=due))

        def digests() -> Counter[int]:
            return Counter({u.id: len(ld.dms_to(u)) for u in users})

        await wait_for(lambda: sum(digests().values()) >= 25, 60, "the first digests")
        procs[1].send_signal(signal.SIGKILL)  # mid-dispatch, without a chance to release its claims
        procs[1].wait(10)
        # Its shard comes back (as an orchestrator would restart it): the other process takes
        # over its digest claims, the restarted one its servers' posts; nothing is sent twice.
        procs.append(start_process(ld, pg_database, 1, tmp_path))
        try:
            await wait_for(
                lambda: (
                    all(digests().values())
                    and all(len([m for m in ld.messages_in(c) if m.interaction_user is None]) for c in chans)
                ),
                40,
                "every digest and post",
            )
        except AssertionError:
            from sqlalchemy import text

            async with sessions() as s:
                rows = (
                    await s.execute(
                        text("select kind, status, claimed_by, error, count(*) from deliveries group by 1,2,3,4")
                    )
                ).all()
            procs[0].terminate()
            out, _ = procs[0].communicate(timeout=30)
            raise AssertionError(f"{Counter(digests().values())} {rows} {out[-4000:]}") from None
        await asyncio.sleep(4)  # past the claim timeout: anything left would be re-sent now
        counts = digests()
        assert set(counts.values()) == {1}, Counter(counts.values())
        assert all(len([m for m in ld.messages_in(c) if m.interaction_user is None]) == 1 for c in chans)
        claimed_by = Counter(m.author.id for u in users for m in ld.dms_to(u))
        assert sum(claimed_by.values()) == LEARNERS
        assert ld.ratelimits.count_429 <= 2

        for p in (procs[0], procs[2]):
            p.send_signal(signal.SIGTERM)
            out, _ = p.communicate(timeout=30)
            assert p.returncode == 0, out[-3000:]
            assert "Traceback" not in out, out[-3000:]
            assert ld.token not in out
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        await engine.dispose()
        await ld.stop()
    ld.assert_clean()
