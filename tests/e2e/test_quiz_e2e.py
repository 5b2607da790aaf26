"""/quiz end to end: the real client, real HTTP and gateway traffic, restarts."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.content import Flashcard, MultipleChoice
from bot.db.models import QuizSession, ReviewLog
from localdiscord import Message, User
from tests.helpers import Harness


async def review_count(h: Harness) -> int:
    async with h.services.unit() as s:
        return int(await s.scalar(select(func.count()).select_from(ReviewLog)) or 0)


async def current_question(h: Harness, msg: Message) -> tuple[object, str, str]:
    """(question, custom_id of the right answer, custom_id of a wrong one) for the shown question."""
    ids = [c["custom_id"] for c in h.ld.components_of(msg) if c.get("custom_id", "").startswith("quiz:")]
    sid, pos = (int(x) for x in ids[0].split(":")[2:4])
    async with h.services.unit() as s:
        qs = await s.get(QuizSession, sid)
        assert qs is not None
        q = h.services.content.questions[qs.queue[pos]]
    if isinstance(q, Flashcard):
        return q, f"quiz:show:{sid}:{pos}", ""
    right = q.correct_index if isinstance(q, MultipleChoice) else int(q.answer)
    wrong = (right + 1) % (len(q.options) if isinstance(q, MultipleChoice) else 2)
    return q, f"quiz:ans:{sid}:{pos}:{right}", f"quiz:ans:{sid}:{pos}:{wrong}"


async def answer(h: Harness, user: User, msg: Message, *, correct: bool) -> None:
    q, right, wrong = await current_question(h, msg)
    if isinstance(q, Flashcard):
        await h.ld.click(user, msg, right)
        await h.ld.click(user, msg, "Good" if correct else "Again")
    else:
        await h.ld.click(user, msg, right if correct else wrong)


async def test_quiz_session_end_to_end(harness: Harness) -> None:
    h, ld = harness, harness.ld
    alice = ld.create_user("alice")
    guild = await ld.create_guild("Study Hall")
    await ld.add_member(guild, alice)
    channel = next(iter(guild.channels.values()))

    it = await ld.slash(alice, "quiz", {"topic": "logistic-regression", "count": 2}, channel=channel)
    msg = it.original
    assert msg is not None and msg.ephemeral
    assert msg.embeds[0]["title"].startswith("Quiz · 1/2 · Logistic regression")

    await answer(h, alice, msg, correct=True)
    assert msg.embeds[0]["title"] in ("✅ Correct!", "Rated Good")
    assert "Answer:" in msg.embeds[0]["description"]
    await ld.click(alice, msg, "Next")

    await answer(h, alice, msg, correct=False)
    assert msg.embeds[0]["title"] in ("❌ Not quite", "Rated Again")
    assert "see this one again" in msg.embeds[0]["description"]
    await ld.click(alice, msg, "Next")
    assert msg.embeds[0]["title"].startswith("Quiz · 3/3")
    await answer(h, alice, msg, correct=True)
    await ld.click(alice, msg, "Finish")
    assert msg.embeds[0]["title"] == "🎓 Session complete"
    assert "answered **3 questions**" in msg.embeds[0]["description"]
    assert await review_count(h) == 3


async def test_buttons_survive_restart_and_refuse_double_and_foreign_clicks(harness: Harness) -> None:
    h, ld = harness, harness.ld
    bob, eve = ld.create_user("bob"), ld.create_user("eve")
    guild = await ld.create_guild("g")
    await ld.add_member(guild, bob)
    await ld.add_member(guild, eve)
    channel = next(iter(guild.channels.values()))
    it = await ld.slash(bob, "quiz", {"topic": "pca", "count": 3}, channel=channel)
    msg = it.original
    assert msg is not None
    old_buttons = [dict(c) for c in ld.components_of(msg)]

    await h.restart()
    assert len(ld.command_syncs) == 1  # no re-registration on restart

    # The message sent before the restart still works.
    q, right, _ = await current_question(h, msg)
    await answer(h, bob, msg, correct=True)
    assert await review_count(h) == 1

    # Clicking the stale (pre-answer) button again: explained, nothing recorded.
    stale = Message(
        id=msg.id, channel=msg.channel, author=msg.author, components=[{"type": 1, "components": old_buttons}]
    )
    target = right if not isinstance(q, Flashcard) else old_buttons[0]["custom_id"]
    click = await ld.click(bob, stale, target)
    reply = click.followups[-1] if click.followups else click.original
    assert reply is not None and reply.embeds and reply.embeds[0]["title"] == "Already answered"
    assert await review_count(h) == 1

    # Someone else's click is refused.
    click = await ld.click(eve, msg, "Next")
    reply = click.followups[-1]
    assert reply.ephemeral and "belongs to someone else" in reply.embeds[0]["description"]
    assert await review_count(h) == 1


async def test_quiz_in_dms_and_autocomplete(harness: Harness) -> None:
    ld = harness.ld
    carol = ld.create_user("carol")
    choices = await ld.autocomplete(carol, "quiz", {"topic": "backprop"}, "topic")
    assert 0 < len(choices) <= 25 and choices[0]["value"] == "backpropagation"
    choices = await ld.autocomplete(carol, "quiz", {"topic": "regresion"}, "topic")  # typo
    assert {c["value"] for c in choices} >= {"logistic-regression", "simple-linear-regression"}
    assert len(await ld.autocomplete(carol, "quiz", {"topic": ""}, "topic")) == 25
    it = await ld.slash(carol, "quiz", {"topic": "Transfer learning", "count": 1})
    assert it.original is not None and not it.original.ephemeral
    assert it.original.channel.type == 1  # a DM


async def test_a_newcomers_quiz_just_starts_on_the_suggested_topic(harness: Harness) -> None:
    ld = harness.ld
    dan = ld.create_user("dan")
    first = harness.services.content.levels[0].topics[0]
    it = await ld.slash(dan, "quiz", {})
    msg = it.original
    assert msg is not None and msg.embeds[0]["title"].startswith("Quiz · 1/")
    assert msg.embeds[0]["title"].endswith(first.name)
    assert f"I added **{first.name}** to your reviews" in msg.content and "/quiz topic:" in msg.content


async def test_mistakes_mode_with_and_without_mistakes(harness: Harness) -> None:
    h, ld = harness, harness.ld
    eli = ld.create_user("eli")
    it = await ld.slash(eli, "quiz", {"mode": "mistakes"})
    reply = it.reply
    assert reply is not None and reply.embeds[0]["title"] == "No mistakes to review"
    assert reply.embeds[0]["color"] != 15158332  # neutral, not an error

    it = await ld.slash(eli, "quiz", {"topic": "pandas", "count": 2})
    msg = it.original
    assert msg is not None
    q, _, _ = await current_question(h, msg)
    await answer(h, eli, msg, correct=False)
    it = await ld.slash(eli, "quiz", {"mode": "mistakes"})
    review = it.original
    assert review is not None and review.embeds[0]["title"].startswith("Quiz · 1/1 · ")
    assert (await current_question(h, review))[0] == q


async def test_an_unfinished_session_is_offered_again_after_a_restart(harness: Harness) -> None:
    h, ld = harness, harness.ld
    fay = ld.create_user("fay")
    it = await ld.slash(fay, "quiz", {"topic": "numpy", "count": 4})
    msg = it.original
    assert msg is not None
    await answer(h, fay, msg, correct=True)
    await ld.click(fay, msg, "Next")
    await h.restart()
    it = await ld.slash(fay, "quiz", {})
    offer = it.original
    assert offer is not None and offer.embeds[0]["title"] == "📚 Pick up where you left off?"
    labels = [c.get("label") for c in ld.components_of(offer)]
    assert labels == ["Continue your session (3 of 4 left)", "Start a new one"]
    await ld.click(fay, offer, "Continue your session (3 of 4 left)")
    assert offer.embeds[0]["title"].startswith("Quiz · 2/4 · Numpy")
    await answer(h, fay, offer, correct=True)
    assert await review_count(h) == 2
