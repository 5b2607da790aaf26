"""Everything at once, on the embedded default: 500 study-channel posts and a 1,500-digest
dispatch while 200 learners start `/quiz`, answer it, and 20 open `/stats`.

The local Discord runs in its own process (Discord's limits enforced, spec validation off:
the e2e suite covers it); the bot runs here on SQLite with its send rate raised, so the
scenario is bound by the bot's own work. Pass: 0 errors, 0 lost, 0 duplicates, every
review recorded. `make soak` repeats it (``--runs``) and, with ``--postgres URL``, runs
the same on PostgreSQL with two bot processes; the test suite runs it once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.remote import bot_settings, remote_discord
from bot.db.models import Card, Delivery, Learner, ReviewLog, StudyChannel, TopicProgress
from bot.db.queries import new_card
from bot.endpoint import reset_endpoints
from bot.runner import build_services, start_bot, stop_bot
from localdiscord.remote import RemoteDiscord
from scheduler.ratelimit import RateLimiter
from tests.e2e.processes import start_bot_process, stop

SERVER_RATE = 1000  # requests/s the local Discord allows (Discord: 50): the bot is the bottleneck
BOT_RATE = 500.0
GUILDS = 5


@dataclass
class Result:
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.problems

    def check(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)


class ErrorLog(logging.Handler):
    """Collects the bot's ERROR records (a clean run has none)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}"[:300])


@contextlib.contextmanager
def errors_logged() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def seed(sessions: Any, digest_users: list[int], dms: dict[int, int], channels: list[tuple[int, int]]) -> None:
    """Digest learners due now (one enrolled topic, DM channel known) and study channels due now."""
    now = datetime.now(UTC)
    due = now - timedelta(seconds=30)
    questions = ["numpy-array-shape"]
    async with sessions() as s, s.begin():
        for i in range(0, len(digest_users), 500):
            chunk = digest_users[i : i + 500]
            await s.execute(
                insert(Learner),
                [
                    {
                        "id": u,
                        "created_at": now,
                        "digest_enabled": True,
                        "digest_size": 1,
                        "dm_channel_id": dms[u],
                        "dm_status": "open",
                        "next_digest_at": due,
                    }
                    for u in chunk
                ],
            )
            await s.execute(
                insert(TopicProgress),
                [
                    {"learner_id": u, "topic_id": "numpy", "status": "learning", "enrolled": True, "updated_at": now}
                    for u in chunk
                ],
            )
            await s.execute(insert(Card), [new_card(u, q, "numpy", now) for u in chunk for q in questions])
        await s.execute(
            insert(StudyChannel),
            [
                {
                    "guild_id": g,
                    "channel_id": c,
                    "created_by": 1,
                    "levels": [],
                    "topics": [],
                    "created_at": now,
                    "used_questions": [],
                    "next_post_at": due,
                }
                for g, c in channels
            ],
        )


async def _world(rd: RemoteDiscord, digests: int, posts: int, quizzes: int) -> dict[str, Any]:
    digest_users = await rd.users(digests, prefix="d")
    quiz_users = await rd.users(quizzes, prefix="q")
    dms = await rd.dm_channels(digest_users)
    _, quiz_channel = await rd.guild(quiz_users)  # /quiz and /stats in a server: DMs are digests only
    channels: list[tuple[int, int]] = []
    for g in range(GUILDS):
        guild, _ = await rd.guild([])
        n = posts // GUILDS + (1 if g < posts % GUILDS else 0)
        channels += [(guild, c) for c in await rd.channels(guild, n)]
    return {
        "digest_users": digest_users,
        "quiz_users": quiz_users,
        "quiz_channel": quiz_channel,
        "dms": dms,
        "channels": channels,
    }


async def _interactions(rd: RemoteDiscord, world: dict[str, Any], stats: int, result: Result) -> None:
    """200 `/quiz` and 20 `/stats` at once; then 200 answer clicks at once."""
    quiz_users, where = world["quiz_users"], world["quiz_channel"]
    quiz = {"topic": "numpy", "count": 1}
    started = await rd.interact(
        [{"user": u, "kind": "slash", "command": "quiz", "options": quiz, "channel": where} for u in quiz_users]
        + [{"user": u, "kind": "slash", "command": "stats", "channel": where} for u in quiz_users[:stats]]
    )
    replies = started["results"]
    bad = [r for r in replies if r["message"] is None or "Something went wrong" in r["titles"]]
    result.check(not bad, f"{len(bad)} of {len(replies)} /quiz and /stats got no answer or an error")
    clicks = []
    for user, reply in zip(quiz_users, replies[: len(quiz_users)], strict=True):
        answers = [c for c in reply.get("custom_ids", []) if c.startswith("quiz:ans:")]
        if answers:
            clicks.append(
                {
                    "user": user,
                    "kind": "click",
                    "channel": reply["channel"],
                    "message": reply["message"],
                    "custom_id": answers[0],
                }
            )
    result.check(len(clicks) == len(quiz_users), f"only {len(clicks)} quiz messages had answer buttons")
    answered = await rd.interact(clicks)
    bad = [r for r in answered["results"] if "Something went wrong" in r["titles"] or not r["titles"]]
    result.check(not bad, f"{len(bad)} of {len(clicks)} answer clicks failed")
    expired = started["expired"] + answered["expired"]
    result.check(expired == 0, f"{expired} interactions missed Discord's 3 s deadline")
    result.figures["interaction_ack_p99_ms"] = _p99([r["ack_ms"] for r in started["results"] + answered["results"]])


def _p99(values: list[float | None]) -> float:
    xs = sorted(v for v in values if v is not None)
    return round(xs[min(len(xs) - 1, int(0.99 * (len(xs) - 1)))], 1) if xs else 0.0


async def _verify(services: Any, rd: RemoteDiscord, world: dict[str, Any], quizzes: int, result: Result) -> None:
    stats = await rd.stats()
    n_digests, n_posts = len(world["digest_users"]), len(world["channels"])
    result.check(stats["dm_users_with_duplicates"] == 0, f"{stats['dm_users_with_duplicates']} learners got two DMs")
    got = stats["dm_users_with_messages"]
    result.check(got == n_digests, f"{got} of {n_digests} digests arrived")
    per_channel = stats["channel_posts"]
    posted = [per_channel.get(str(c), 0) for _, c in world["channels"]]
    result.check(all(n == 1 for n in posted), f"posts per channel: {sorted(set(posted))} (want exactly 1 each)")
    result.check(not stats["violations"], f"local Discord violations: {stats['violations'][:3]}")
    result.check(stats["count_429"] == 0, f"{stats['count_429']} × 429")
    async with services.read() as s:
        by_status = dict((await s.execute(select(Delivery.status, func.count()).group_by(Delivery.status))).all())
        reviews = await s.scalar(select(func.count()).select_from(ReviewLog))
    result.check(by_status == {"sent": n_digests + n_posts}, f"ledger: {by_status}")
    result.check(reviews == quizzes, f"{reviews} reviews recorded for {quizzes} answers")
    result.figures.update(ledger=by_status, reviews=reviews, requests=stats["requests"])


async def sqlite_scenario(
    tmp: Path, *, digests: int = 1500, posts: int = 500, quizzes: int = 200, stats: int = 20
) -> Result:
    """The whole scenario once, on a fresh SQLite database."""
    result = Result()
    async with remote_discord(rate=SERVER_RATE) as rd:
        settings = bot_settings(rd, f"sqlite+aiosqlite:///{tmp / 'soak.sqlite3'}", dispatch_interval_seconds=0)
        services = await build_services(settings)
        services.limiter = RateLimiter(BOT_RATE)
        bot, task = await start_bot(services, rd.token, guild_ready_timeout=0.05)
        try:
            world = await _world(rd, digests, posts, quizzes)
            await seed(services.db.sessions, world["digest_users"], world["dms"], world["channels"])
            await asyncio.sleep(0.5)  # the channels' CHANNEL_CREATE events reach the bot
            with errors_logged() as errors:
                t0 = time.perf_counter()
                tick = asyncio.ensure_future(bot.scheduler.tick())
                await _interactions(rd, world, stats, result)
                handled = await tick
                while await bot.scheduler.tick():  # anything handed back for a retry
                    pass
                result.seconds = time.perf_counter() - t0
            result.check(handled == digests + posts, f"the tick handled {handled} of {digests + posts}")
            result.check(not errors.records, f"{len(errors.records)} ERROR log lines, e.g. {errors.records[:2]}")
            await _verify(services, rd, world, quizzes, result)
            result.figures["write_wait_p99_ms"] = round(1000 * services.metrics.db_write_wait.percentile(99), 1)
        finally:
            await stop_bot(bot, task)
            await services.db.dispose()
            reset_endpoints()
    return result


async def postgres_scenario(
    url: str, tmp: Path, *, digests: int = 1500, posts: int = 500, quizzes: int = 200
) -> Result:
    """The same with two `python -m bot run` processes sharing PostgreSQL (two shards)."""
    from bot.db.migrate import upgrade
    from bot.db.session import Database, create_engine

    result = Result()
    db = Database(create_engine(url))
    await upgrade(db.engine)
    async with remote_discord(rate=SERVER_RATE) as rd:
        world = await _world(rd, digests, posts, quizzes)
        shared = {"RATE_LIMIT_PER_SECOND": "50", "SHARD_COUNT": "2", "PROCESS_COUNT": "2", "LOG_LEVEL": "WARNING"}
        procs = [start_bot_process(rd, url, tmp, SHARD_IDS=f"[{i}]", PROCESS_NAME=f"p{i}", **shared) for i in range(2)]
        try:
            await asyncio.sleep(4)  # both connected, guilds received
            t0 = time.perf_counter()
            await seed(db.sessions, world["digest_users"], world["dms"], world["channels"])
            await _interactions(rd, world, 20, result)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                async with db.read() as s:
                    open_ = await s.scalar(
                        select(func.count()).select_from(Delivery).where(Delivery.status == "claimed")
                    )
                    total = await s.scalar(select(func.count()).select_from(Delivery))
                if total == digests + posts and not open_:
                    break
                await asyncio.sleep(0.5)
            result.seconds = time.perf_counter() - t0
            await _verify(db, rd, world, quizzes, result)
        finally:
            outs = [stop(p, signal.SIGTERM) for p in procs]
            for i, (p, out) in enumerate(zip(procs, outs, strict=True)):
                result.check(p.returncode == 0, f"process {i} exited {p.returncode}")
                bad = [x for x in out.splitlines() if " ERROR " in x or "Traceback" in x]
                result.check(not bad, f"process {i} logged {len(bad)} errors, e.g. {bad[:2]}")
            await db.dispose()
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("SOAK_RUNS", "10")))
    ap.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"), help="also run on this database")
    a = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    failures = 0
    for kind in ("sqlite", "postgres") if a.postgres else ("sqlite",):
        passes = 0
        for i in range(1, a.runs + 1):
            with tempfile.TemporaryDirectory() as tmp:
                if kind == "sqlite":
                    r = asyncio.run(sqlite_scenario(Path(tmp)))
                else:
                    r = asyncio.run(_on_fresh_postgres(a.postgres, Path(tmp)))
            passes += r.passed
            verdict = "pass" if r.passed else "FAIL: " + "; ".join(r.problems)
            print(
                f"{kind} run {i}: {r.seconds:.1f} s, load {os.getloadavg()[0]:.2f}, {r.figures} — {verdict}", flush=True
            )
        failures += a.runs - passes
        print(f"{kind}: {passes} of {a.runs} passed")
    return 1 if failures else 0


async def _on_fresh_postgres(base: str, tmp: Path) -> Result:
    """The PostgreSQL scenario on a new, empty database next to ``base``, dropped afterwards."""
    import uuid

    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"soak_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(
        user=url.username, password=url.password, host=url.host, port=url.port, database=url.database
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        return await postgres_scenario(url.set(database=name).render_as_string(hide_password=False), tmp)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    sys.exit(main())
