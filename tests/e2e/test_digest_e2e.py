"""Daily digests end to end: opt-in, closed DMs, the digest DM and its buttons, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Delivery, Learner
from localdiscord import User
from tests.helpers import Harness, work_through


async def tick(h: Harness) -> int:
    return await h.bot.scheduler.tick()


async def learner(h: Harness, uid: int) -> Learner:
    async with h.services.unit() as s:
        row = await s.get(Learner, uid)
        assert row is not None
        return row


async def opt_in(h: Harness, user: User, *, at: str = "09:00", tz: str = "Europe/Berlin") -> None:
    ld = h.ld
    it = await ld.slash(user, "settings timezone", {"name": tz})
    assert "Saved." in (it.reply.content if it.reply else "")
    await ld.slash(user, "settings digest-time", {"time": at})
    it = await ld.slash(user, "reminders", {"state": "on"})
    assert it.reply is not None and "Daily reviews are on" in it.reply.content


async def test_opt_in_sends_welcome_dm_and_stores_channel(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    amy = ld.create_user("amy")
    await opt_in(h, amy)
    dms = ld.dms_to(amy)
    assert len(dms) == 1 and dms[0].embeds[0]["title"] == "👋 Daily reviews are on"
    row = await learner(h, amy.id)
    assert row.dm_status == "open" and row.dm_channel_id == ld.dm_channels[amy.id].id
    assert row.next_digest_at == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 Berlin (CEST)


async def test_closed_dms_are_explained_and_not_retried(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    bob = ld.create_user("bob", dms_open=False)
    guild = await ld.create_guild("g")
    await ld.add_member(guild, bob)
    ch = next(iter(guild.channels.values()))
    await ld.slash(bob, "quiz", {"topic": "numpy", "count": 1}, channel=ch)
    it = await ld.slash(bob, "reminders", {"state": "on"}, channel=ch)
    reply = it.reply
    assert reply is not None and reply.ephemeral and "DMs are closed" in reply.content
    row = await learner(h, bob.id)
    assert row.dm_status == "closed" and row.next_digest_at is None
    sends = ld.count_requests("POST", "/messages")
    h.clock.advance(timedelta(days=2))
    await tick(h)
    assert ld.count_requests("POST", "/messages") == sends  # no DM attempted again
    bob.dms_open = True
    await ld.slash(bob, "reminders", {"state": "on"}, channel=ch)
    assert (await learner(h, bob.id)).dm_status == "open" and len(ld.dms_to(bob)) == 1


async def test_digest_dm_once_with_buttons_snooze_and_next_day(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    cat = ld.create_user("cat")
    await ld.slash(cat, "quiz", {"topic": "pandas", "count": 1})  # enrolls: new cards available
    await opt_in(h, cat)
    h.clock.set(datetime(2026, 6, 1, 7, 1, tzinfo=UTC))
    await tick(h)
    await tick(h)
    dms = ld.dms_to(cat)
    assert len(dms) == 2, [m.content for m in dms]  # welcome + exactly one digest
    digest = dms[-1]
    assert digest.content.startswith("📬 **Your daily review**")
    labels = [c.get("label") for c in ld.components_of(digest)]
    assert "Snooze 1 h" in labels and "Skip today" in labels and "Stop" in labels
    requests_before = ld.count_requests()

    await ld.click(cat, digest, "Snooze 1 h")
    assert "Snoozed" in digest.content and digest.components == []
    h.clock.advance(timedelta(minutes=61))
    await tick(h)
    again = ld.dms_to(cat)[-1]
    assert again.content.startswith("⏰ Here's your review again") and len(ld.dms_to(cat)) == 3
    assert ld.count_requests() - requests_before <= 4  # defer + edit + one DM (+ nothing else)

    # The digest continues as a quiz session: answer from the DM.
    await ld.click(cat, again, ld.components_of(again)[0]["custom_id"])
    assert again.embeds[0]["title"] in ("✅ Correct!", "❌ Not quite") or again.embeds[0]["title"].startswith("Quiz")

    h.clock.set(datetime(2026, 6, 2, 7, 5, tzinfo=UTC))
    await tick(h)
    assert len(ld.dms_to(cat)) == 4


async def test_skip_today_and_nothing_due_means_no_dm(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    dan, eve = ld.create_user("dan"), ld.create_user("eve")
    await ld.slash(dan, "quiz", {"topic": "svm", "count": 1})
    await opt_in(h, dan)
    await opt_in(h, eve)  # nothing enrolled: nothing due
    h.clock.set(datetime(2026, 6, 1, 7, 1, tzinfo=UTC))
    await tick(h)
    assert len(ld.dms_to(eve)) == 1  # only the welcome
    digest = ld.dms_to(dan)[-1]
    await ld.click(dan, digest, "Skip today")
    assert "Skipped for today" in digest.content
    async with h.services.unit() as s:
        statuses = dict((await s.execute(select(Delivery.target_id, Delivery.status))).all())
    assert statuses == {dan.id: "sent", eve.id: "skipped"}


async def test_vacation_pauses_and_backlog_is_spread(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    fay = ld.create_user("fay")
    await ld.slash(fay, "settings limits", {"new": 100})
    # Review four topics' worth of cards so they fall due together.
    for topic in ("linear-algebra", "calculus", "numpy", "pandas"):
        it = await ld.slash(fay, "quiz", {"topic": topic, "count": 7})
        msg = it.original
        assert msg is not None
        await work_through(ld, fay, msg)
    await opt_in(h, fay, tz="UTC")
    it = await ld.slash(fay, "settings vacation", {"until": "2026-07-10"})
    assert it.reply is not None and "2026-07-10" in "".join(f["value"] for f in it.reply.embeds[0]["fields"])
    for day in range(2, 40):  # June 2 – July 9: on vacation
        h.clock.set(datetime(2026, 6, 1, 9, 1, tzinfo=UTC) + timedelta(days=day - 1))
        await tick(h)
    assert len(ld.dms_to(fay)) == 1  # the welcome only
    h.clock.set(datetime(2026, 7, 11, 9, 1, tzinfo=UTC))
    await tick(h)
    assert len(ld.dms_to(fay)) == 2
    async with h.services.unit() as s:
        from bot.db import queries

        due_now = await queries.count_due(s, fay.id, h.clock.now())
        due_week = await queries.count_due(s, fay.id, h.clock.now() + timedelta(days=6))
        row = await s.get(Learner, fay.id)
    assert row is not None and row.vacation_until is None
    assert due_now < due_week and due_now <= max(5, -(-due_week // 5)) + 1


async def test_settings_validation_errors(harness: Harness) -> None:
    ld = harness.ld
    gus = ld.create_user("gus")
    cases = [
        ("settings timezone", {"name": "Mars/Base"}, "not a time zone I know"),
        ("settings digest-time", {"time": "25:00"}, "not a valid time of day"),
        ("settings digest-time", {"time": "after lunch"}, "use e.g. 19:30, 7:30pm or 7pm"),
        ("settings digest-size", {"count": 40}, "from 1 to 25"),
        ("settings retention", {"value": 0.99}, "must be from 0.70 to 0.97; you gave 0.99."),
        ("settings retention", {"value": 90}, "did you mean 0.90?"),
        ("settings retention", {"value": 97.3}, "did you mean 0.97?"),
        ("settings day-start", {"hour": 13}, "from 0 to 12"),
        ("settings vacation", {"until": "next week"}, "YYYY-MM-DD"),
        ("settings vacation", {"until": "2000-01-01"}, "in the past"),
        ("settings limits", {"new": -1}, "from 0 to 100"),
    ]
    for command, options, expected in cases:
        it = await ld.slash(gus, command, options)
        reply = it.reply
        assert reply is not None and reply.embeds and expected in reply.embeds[0]["description"], (command, reply)
    choices = await ld.autocomplete(gus, "settings timezone", {"name": "europe/be"}, "name")
    assert choices[0]["value"] == "Europe/Belgrade" or "Europe/Berlin" in [c["value"] for c in choices]
    it = await ld.slash(gus, "settings show", {})
    assert it.reply is not None and it.reply.embeds[0]["title"] == "⚙️ Your study settings"


async def test_digest_survives_restart(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    hal = ld.create_user("hal")
    await ld.slash(hal, "quiz", {"topic": "knn", "count": 1})
    await opt_in(h, hal)
    h.clock.set(datetime(2026, 6, 1, 7, 1, tzinfo=UTC))
    await tick(h)
    await h.restart()
    await tick(h)
    assert len(ld.dms_to(hal)) == 2
    digest = ld.dms_to(hal)[-1]
    await ld.click(hal, digest, "Snooze 1 h")  # buttons still work after the restart
    assert "Snoozed" in digest.content


async def test_reminders_off_means_no_digest(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    ida = ld.create_user("ida")
    await ld.slash(ida, "quiz", {"topic": "pandas", "count": 1})
    await opt_in(h, ida)
    it = await ld.slash(ida, "reminders", {"state": "off"})
    assert it.reply is not None and "Daily reviews are off" in it.reply.content
    assert (await learner(h, ida.id)).next_digest_at is None
    h.clock.set(datetime(2026, 6, 1, 7, 1, tzinfo=UTC))
    await tick(h)
    assert len(ld.dms_to(ida)) == 1  # the welcome only
