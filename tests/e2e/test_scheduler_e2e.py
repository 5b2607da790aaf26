"""FSRS parameters end to end: /settings scheduler and its button, /settings retention's
workload advice, /stats calibration."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import select

from bot.db import queries
from bot.db.models import Card, ParameterSet
from bot.study import parameters as store
from bot.study.workload import HIGH_WARNING, LOW_WARNING
from scheduler import fitting, srs
from tests.helpers import Harness, work_through
from tests.scheduler import refit_seed

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def fitted(scale: float) -> list[float]:
    """The defaults with the initial stabilities scaled (a plausible fitted set)."""
    return [value * scale if index < 4 else value for index, value in enumerate(DEFAULT_PARAMETERS)]


def parameter_set(scope: str, kind: str, learner_id: int | None, values: list[float], reviews: int) -> ParameterSet:
    return ParameterSet(
        scope=scope,
        kind=kind,
        learner_id=learner_id,
        parameters=values,
        reviews=reviews,
        items=reviews // 2,
        log_loss=0.30,
        rmse_bins=0.03,
        previous="community" if scope == "personal" else "default",
        previous_log_loss=0.33,
        previous_rmse_bins=0.05,
        fitted_at=NOW - timedelta(days=2),
        adopted=True,
        reason=None,
    )


async def test_settings_scheduler_shows_the_sets_in_use_and_goes_back_to_community(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(NOW)
    ada = ld.create_user("ada")
    it = await ld.slash(ada, "settings scheduler", {})
    reply = it.reply
    assert reply is not None and reply.ephemeral and reply.embeds[0]["title"] == "🧠 Your scheduler"
    fields = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    assert list(fields) == ["Recognition (multiple choice, true/false)", "Recall (flashcards, cloze)"]
    assert all(value.startswith("**FSRS defaults**") for value in fields.values())
    assert "after 2,000 reviews of this kind (you have 0)" in fields["Recall (flashcards, cloze)"]
    assert ld.components_of(reply) == []  # nothing of her own to go back from: no button

    # Ada has learned cards and her own recognition set; recall follows the community set.
    await ld.slash(ada, "quiz", {"topic": "perceptron", "count": 1})
    logs = refit_seed.population(seed=4, learners=1, cards=20)
    last = max(review.reviewed_at for review in logs[1000])
    h.clock.set(last + timedelta(hours=1))
    logs = {ada.id: logs[1000]}
    async with h.services.unit() as session:
        await session.execute(Card.__table__.delete().where(Card.learner_id == ada.id))
    await _seed_cards(h, logs)
    own, community = fitted(0.5), fitted(1.5)
    async with h.services.unit() as session:
        session.add(parameter_set("community", srs.RECOGNITION, None, community, 9_000))
        session.add(parameter_set("community", srs.RECALL, None, fitted(0.8), 5_000))
        session.add(parameter_set("personal", srs.RECOGNITION, ada.id, own, 2_400))
    it = await ld.slash(ada, "settings scheduler", {})
    message = it.reply
    assert message is not None
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}
    recognition = fields["Recognition (multiple choice, true/false)"]
    assert recognition.startswith("**Your own parameters**, fitted <t:") and "from 2,400 of your reviews" in recognition
    assert "9.1% better than the community set (log loss 0.330 → 0.300)" in recognition
    assert fields["Recall (flashcards, cloze)"].startswith("**Community parameters**")
    assert "from 5,000 reviews by all learners" in fields["Recall (flashcards, cloze)"]

    await ld.click(ada, message, "Back to community parameters")
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}
    recognition = fields["Recognition (multiple choice, true/false)"]
    assert recognition.startswith("**Community parameters**") and "You chose community parameters" in recognition
    assert ld.find_component(message, "Use my own parameters again")
    # Her recognition cards were rescheduled from their logs under the community set.
    now = h.clock.now()
    cards = await refit_seed.cards_of(h.services, ada.id)
    for card, history in zip(cards, fitting.histories(logs[ada.id]).values(), strict=True):
        expected = fitting.recompute(community, history, 0.9, now)
        assert card.stability is not None and abs(card.stability - expected.stability) < 1e-6 * expected.stability
    async with h.services.read() as session:
        learner = await queries.learner_or_default(session, ada.id, now)
        assert (await store.in_use(session, learner, srs.RECOGNITION)).source == "community"

    await ld.click(ada, message, "Use my own parameters again")
    assert message.embeds[0]["fields"][0]["value"].startswith("**Your own parameters**")


async def _seed_cards(h: Harness, logs: dict[int, list[fitting.Review]]) -> None:
    qids = refit_seed.questions_of(h.services.content, srs.RECOGNITION)
    now = h.clock.now()
    async with h.services.unit() as session:
        for learner_id, log in logs.items():
            for position, history in enumerate(fitting.histories(log).values()):
                await refit_seed.add_history(session, learner_id, qids[position], history, now)


async def test_settings_retention_without_a_value_shows_the_workload_with_warnings(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(NOW)
    cy = ld.create_user("cy")
    it = await ld.slash(cy, "settings retention", {})
    reply = it.reply
    assert reply is not None and reply.ephemeral
    embed = reply.embeds[0]
    assert embed["title"] == "🎯 Desired retention: what it costs" and "a 100-card deck" in embed["description"]
    table = embed["description"].split("```")[1].strip().splitlines()
    assert table[0].split() == ["retention", "reviews/day", "remembered"]
    rows = {float(line.lstrip("▶ ").split()[0]): line for line in table[1:]}
    assert sorted(rows) == [0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97]
    assert rows[0.90].startswith("▶") and sum(line.startswith("▶") for line in table) == 1
    assert rows[0.75].endswith("⚠") and rows[0.97].endswith("⚠") and not rows[0.90].endswith("⚠")
    reviews = [float(rows[value].lstrip("▶ ").split()[1]) for value in sorted(rows)]
    assert reviews == sorted(reviews) and reviews[-1] > 2 * reviews[0]  # higher retention, more reviews
    warnings = {f["name"]: f["value"] for f in embed["fields"]}["⚠ Warnings"]
    assert warnings.index(LOW_WARNING) < warnings.index(HIGH_WARNING)  # in the table's order
    assert embed["footer"]["text"].endswith("remembered: how many of the 100 cards you'd recall on day 365")
    assert embed["image"]["url"] == "attachment://workload.png"
    png = reply.files["workload.png"]
    import matplotlib.image

    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[0] >= 300 and image.shape[1] >= 500

    await ld.slash(cy, "quiz", {"topic": "perceptron", "count": 3})
    saved = (await ld.slash(cy, "settings retention", {"value": 0.856})).reply
    assert saved is not None and saved.content == "Saved."  # no warning inside 0.80-0.95
    assert {f["name"]: f["value"] for f in saved.embeds[0]["fields"]}["Desired retention"] == "0.86"
    async with h.services.read() as session:
        stored = await queries.learner_or_default(session, cy.id, h.clock.now())
    assert stored.desired_retention == 0.86  # kept to two decimals, as the scheduler uses it
    low = (await ld.slash(cy, "settings retention", {"value": 0.78})).reply
    assert low is not None and low.content.startswith("Saved. ⚠ 0.78 is below 0.80: intervals get very long")
    high = (await ld.slash(cy, "settings retention", {"value": 0.97})).reply
    assert high is not None and high.content.startswith("Saved. ⚠ 0.97 is above 0.95: the workload rises steeply")
    assert not saved.embeds[0]["title"].lower().startswith(("error", "⚠"))
    it = await ld.slash(cy, "settings retention", {})
    embed = it.reply.embeds[0]  # type: ignore[union-attr]
    assert "your " in embed["description"] and "cards and the parameters scheduling them" in embed["description"]
    marked = [line for line in embed["description"].split("```")[1].splitlines() if line.startswith("▶")]
    assert len(marked) == 1 and marked[0].split()[1] == "0.97"


async def test_stats_shows_calibration_at_due_reviews_per_kind(harness: Harness) -> None:
    h, ld = harness, harness.ld
    h.clock.set(NOW)
    dee = ld.create_user("dee")
    it = await ld.slash(dee, "quiz", {"topic": "perceptron", "count": 3})
    await work_through(ld, dee, it.original)  # type: ignore[arg-type]
    async with h.services.read() as session:
        card = await session.scalar(select(Card).where(Card.learner_id == dee.id).limit(1))
        assert card is not None
    kind = store.kind_of_question(h.services.content, card.question_id)
    # Ten due reviews of that card's kind over the last weeks, eight recalled; one early review.
    # Each is judged against the retention its due date was set for, at the card's previous
    # review: 0.80 for the first five, 0.90 after; the first has none recorded.
    async with h.services.unit() as session:
        previous = None
        for day in range(10):
            at = NOW - timedelta(days=25 - 2 * day)
            await _due_review(
                session,
                dee.id,
                card,
                at,
                rating=1 if day < 2 else 3,
                due=at - timedelta(hours=1),
                last=previous,
                desired=0.80 if day < 5 else 0.90,
            )
            previous = at
        await _due_review(session, dee.id, card, NOW - timedelta(hours=2), rating=1, due=NOW + timedelta(days=3))
        await _due_review(session, dee.id, card, NOW - timedelta(days=40), rating=1, due=NOW - timedelta(days=41))
    await ld.slash(dee, "settings retention", {"value": 0.97})  # today's setting: only for the first
    it = await ld.slash(dee, "stats", {})
    fields = {f["name"]: f["value"] for f in it.reply.embeds[0]["fields"]}  # type: ignore[union-attr]
    lines = dict(line.split(": ", 1) for line in fields["Calibration (30 days)"].splitlines())
    # (0.97 + 5 × 0.80 + 4 × 0.90) / 10 = 0.857; luck: 2 × sqrt(0.857 × 0.143 / 10) = 22 points
    assert lines[kind.capitalize()] == (
        "desired 86%, recalled **80%** of 10 due reviews (few yet: luck alone moves this by about ±22 points, "
        "95% of the time)"
    )
    other = next(found for found in srs.KINDS if found != kind)
    assert lines[other.capitalize()] == "desired 97%, no due reviews yet"


async def _due_review(
    session: object,
    learner_id: int,
    card: Card,
    at: datetime,
    *,
    rating: int,
    due: datetime,
    last: datetime | None = None,
    desired: float | None = None,
) -> None:
    from bot.db.models import ReviewLog

    session.add(  # type: ignore[attr-defined]
        ReviewLog(
            card_id=card.id,
            learner_id=learner_id,
            question_id=card.question_id,
            rating=rating,
            reviewed_at=at,
            source="quiz",
            state_before=2,
            state_after=2,
            due_before=due,
            due_after=at + timedelta(days=3),
            last_review_before=last,
            desired_retention=desired,
        )
    )
