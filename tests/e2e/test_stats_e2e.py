"""/stats, /progress and /mydata end to end."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.db.models import Base
from tests.helpers import Harness, work_through


async def test_stats_chart_and_progress(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    ivy = ld.create_user("ivy")
    it = await ld.slash(ivy, "stats", {})
    assert it.reply is not None and it.reply.embeds[0]["title"] == "📊 Nothing to chart yet"
    assert not it.reply.attachments

    it = await ld.slash(ivy, "quiz", {"topic": "perceptron", "count": 7})
    await work_through(ld, ivy, it.original)  # type: ignore[arg-type]
    it = await ld.slash(ivy, "stats", {})
    reply = it.reply
    assert reply is not None and reply.embeds[0]["title"] == "📊 Your study stats"
    assert reply.embeds[0]["image"]["url"] == "attachment://stats.png"
    png = reply.files["stats.png"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    import matplotlib.image

    img = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert img.shape[0] > 300 and img.shape[1] > 500
    fields = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    async with h.services.unit() as s:
        n = (await s.execute(text("SELECT COUNT(*) FROM review_logs"))).scalar()
    assert fields["Streak"].startswith("🔥 **1 day**") and fields["Reviews"].endswith(f"{n} in all") and n >= 7

    it = await ld.slash(ivy, "progress", {})
    embed = it.reply.embeds[0]  # type: ignore[union-attr]
    assert embed["title"] == "🗺️ Your roadmap progress" and len(embed["fields"]) == 8
    assert "Next up: Linear algebra" in embed["description"]


async def _rows_referencing(h: Harness, uid: int) -> dict[str, int]:
    """Count rows in every table with a column that can hold a user id equal to ``uid``."""
    found = {}
    async with h.services.unit() as s:
        for table in Base.metadata.sorted_tables:
            cols = [
                c.name for c in table.columns if c.name in ("id", "learner_id", "user_id", "target_id", "created_by")
            ]
            if table.name != "learners":
                cols = [c for c in cols if c != "id"]
            for col in cols:
                n = (await s.execute(text(f"SELECT COUNT(*) FROM {table.name} WHERE {col} = :u"), {"u": uid})).scalar()
                if n:
                    found[f"{table.name}.{col}"] = int(n)
    return found


async def test_export_has_everything_and_delete_leaves_nothing(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    jon = ld.create_user("jon")
    guild = await ld.create_guild("g", ld.owner)
    await ld.add_member(guild, jon)
    ch = next(iter(guild.channels.values()))
    it = await ld.slash(jon, "quiz", {"topic": "gru", "count": 3})
    await work_through(ld, jon, it.original)  # type: ignore[arg-type]
    await ld.slash(jon, "quiz", {"topic": "gru", "count": 2, "mode": "cram"})
    await ld.slash(jon, "reminders", {"state": "on"})
    await ld.slash(ld.owner, "studychannel add", {"channel": ch, "time": "07:00", "topics": "gru"}, channel=ch)
    h.clock.set(datetime(2026, 6, 1, 7, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()
    post = [m for m in ld.messages_in(ch) if m.interaction_user is None][-1]
    await ld.click(jon, post, ld.components_of(post)[0]["custom_id"])
    async with h.services.unit() as s:  # a personal FSRS set of his, and a community set (no one's)
        for scope, learner_id in (("personal", jon.id), ("community", None)):
            await s.execute(
                text(
                    "INSERT INTO parameter_sets (scope, kind, learner_id, parameters, reviews, items, previous,"
                    " fitted_at, adopted) VALUES (:scope, 'recall', :lid, :params, 2100, 900, 'default', :at, :yes)"
                ),
                {"scope": scope, "lid": learner_id, "params": json.dumps([0.5] * 21), "at": h.clock.now(), "yes": True},
            )
    before = await _rows_referencing(h, jon.id)
    assert {
        "parameter_sets.learner_id",
        "learners.id",
        "cards.learner_id",
        "review_logs.learner_id",
        "channel_answers.user_id",
        "guild_members.user_id",
        "quiz_sessions.learner_id",
        "topic_progress.learner_id",
    } <= set(before)

    it = await ld.slash(jon, "mydata export", {}, channel=ch)
    reply = it.reply
    assert reply is not None and reply.ephemeral
    data = json.loads(reply.files["mydata.json"])
    assert data["settings"]["id"] == str(jon.id)

    def big_ints(value: object) -> list[int]:
        if isinstance(value, dict):
            return [n for v in value.values() for n in big_ints(v)]
        if isinstance(value, list):
            return [n for v in value for n in big_ints(v)]
        return [value] if isinstance(value, int) and not isinstance(value, bool) and value > 2**53 else []

    assert big_ints(data) == []  # snowflakes are strings: JavaScript readers would round them
    for key, n in before.items():
        table = key.split(".")[0]
        if table in ("learners", "deliveries"):
            continue
        assert len(data[table]) == n, key
    csv_text = reply.files["reviews.csv"].decode()
    assert csv_text.count("\n") == len(data["review_logs"]) + 1

    it = await ld.slash(jon, "mydata delete", {}, channel=ch)
    confirm = it.original
    assert confirm is not None and "erases" in confirm.content
    other = await ld.click(ld.owner, confirm, "Yes, delete everything")
    assert "Only the person" in other.reply.embeds[0]["description"]  # type: ignore[union-attr]
    await ld.click(jon, confirm, "Yes, delete everything")
    assert confirm.content.startswith("🗑️ **Deleted.**") and "review history entries" in confirm.content
    assert await _rows_referencing(h, jon.id) == {}
    async with h.services.unit() as s:  # the community set stays, naming no one
        kept = (await s.execute(text("SELECT scope, learner_id FROM parameter_sets"))).all()
    assert [tuple(row) for row in kept] == [("community", None)]


async def test_mydata_in_dms(harness: Harness) -> None:
    ld = harness.ld
    kim = ld.create_user("kim")
    await ld.slash(kim, "quiz", {"topic": "svm", "count": 1})
    it = await ld.slash(kim, "mydata export", {})
    assert it.reply is not None and it.reply.channel.type == 1
    assert json.loads(it.reply.files["mydata.json"])["cards"]
    it = await ld.slash(kim, "mydata delete", {})
    confirm = it.original
    assert confirm is not None
    await ld.click(kim, confirm, "Yes, delete everything")
    assert confirm.content.startswith("🗑️ **Deleted.**")


async def test_charts_are_drawn_outside_the_bot_and_survive_a_killed_worker(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h, ld = harness, harness.ld
    # Another test in this process may have loaded matplotlib: forget it for this one, so
    # any import of it during /stats shows here.
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith(("matplotlib.", "mpl_toolkits"))]:
        monkeypatch.delitem(sys.modules, name)
    h.clock.set(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    ivy = ld.create_user("ivy")
    it = await ld.slash(ivy, "quiz", {"topic": "perceptron", "count": 3})
    await work_through(ld, ivy, it.original)  # type: ignore[arg-type]
    first = (await ld.slash(ivy, "stats", {})).reply
    assert first is not None and first.files["stats.png"].startswith(b"\x89PNG")
    worker = h.bot.charts.pid
    assert worker is not None and worker != os.getpid()
    os.kill(worker, signal.SIGKILL)
    second = (await ld.slash(ivy, "stats", {})).reply
    assert second is not None and second.files["stats.png"].startswith(b"\x89PNG")
    assert h.bot.charts.pid not in (None, worker)
    assert not [m for m in sys.modules if m.startswith("matplotlib")]
