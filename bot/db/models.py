"""The data model: learners, progress, FSRS cards, review logs, study channels, ledger.

Schema changes go through Alembic revisions in ``migrations/``; the models and the
migrations are checked against each other by the test suite.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, learner_fk
from bot.db.parameter_sets import ParameterSet
from bot.db.types import UTCDateTime

__all__ = ["Base", "BigId", "ParameterSet"]  # ParameterSet lives in its own module


class Learner(Base):
    """A Discord user who has used the bot. ``id`` is the Discord user id."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Local time of the daily digest, minutes after midnight.
    digest_minute: Mapped[int] = mapped_column(SmallInteger, default=18 * 60)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_size: Mapped[int] = mapped_column(SmallInteger, default=5)
    # The learner's day starts at this local hour (streaks and daily limits).
    day_cutoff_hour: Mapped[int] = mapped_column(SmallInteger, default=4)
    desired_retention: Mapped[float] = mapped_column(Float, default=0.9)
    new_per_day: Mapped[int] = mapped_column(SmallInteger, default=10)
    reviews_per_day: Mapped[int] = mapped_column(SmallInteger, default=100)
    # DM channel id, cached so a DM costs one REST request; status: unknown | open | closed.
    dm_channel_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    dm_status: Mapped[str] = mapped_column(String(16), default="unknown")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    vacation_until: Mapped[date | None] = mapped_column(Date, default=None)
    # Past and current vacations as [first day, last day] ISO dates: they do not break streaks.
    vacations: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    # When the next digest is due (UTC); NULL while digests are off. Indexed for the tick.
    next_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # "Snooze 1 h" on a digest: remind again at this time (UTC). Indexed for the tick.
    snooze_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    leaderboard_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # Mean answer time, for grading Hard/Good/Easy by speed (exponential moving average).
    avg_answer_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    # Schedule with the learner's own FSRS parameters once fitted and adopted; False after
    # "Back to community parameters" (no personal fits until they turn it on again).
    personal_parameters: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    __table_args__ = (
        Index("ix_learners_next_digest_at", "next_digest_at"),
        Index("ix_learners_snooze_until", "snooze_until"),
    )


class TopicProgress(Base):
    """A learner's own status for a roadmap topic (roadmap.sh-style) and enrolment."""

    __tablename__ = "topic_progress"

    learner_id: Mapped[int] = mapped_column(BigInteger, learner_fk(), primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    # pending | learning | done | skipped
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Why the status was set when not by the learner's own click: "placement" (the /start check).
    status_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The learner took the topic out of their reviews: its cards are not asked (history kept)
    # until they add it again themselves.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Card(Base):
    """One FSRS card per learner and question."""

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(BigInteger, learner_fk())
    question_id: Mapped[str] = mapped_column(String(80))
    topic_id: Mapped[str] = mapped_column(String(80))
    # fsrs.State: 1 learning, 2 review, 3 relearning.
    state: Mapped[int] = mapped_column(SmallInteger, default=1)
    step: Mapped[int | None] = mapped_column(SmallInteger, default=0)
    stability: Mapped[float | None] = mapped_column(Float, default=None)
    difficulty: Mapped[float | None] = mapped_column(Float, default=None)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    # Suspended when its question left the content; history is kept.
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("learner_id", "question_id"),
        Index("ix_cards_learner_due", "learner_id", "suspended", "due"),
        Index("ix_cards_learner_topic", "learner_id", "topic_id"),
        Index("ix_cards_question_id", "question_id"),
    )


class ReviewLog(Base):
    """Every scheduled review, with the card state before and after."""

    __tablename__ = "review_logs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    card_id: Mapped[int] = mapped_column(BigId, ForeignKey("cards.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(BigInteger, learner_fk())
    question_id: Mapped[str] = mapped_column(String(80))
    rating: Mapped[int] = mapped_column(SmallInteger)
    correct: Mapped[bool | None] = mapped_column(Boolean, default=None)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    # quiz | digest | channel | placement
    source: Mapped[str] = mapped_column(String(16))
    state_before: Mapped[int] = mapped_column(SmallInteger)
    state_after: Mapped[int] = mapped_column(SmallInteger)
    stability_before: Mapped[float | None] = mapped_column(Float, default=None)
    stability_after: Mapped[float | None] = mapped_column(Float, default=None)
    difficulty_before: Mapped[float | None] = mapped_column(Float, default=None)
    difficulty_after: Mapped[float | None] = mapped_column(Float, default=None)
    due_before: Mapped[datetime] = mapped_column(UTCDateTime)
    due_after: Mapped[datetime] = mapped_column(UTCDateTime)
    # Enough of the card before the review to revise the rating (optional self-rating).
    step_before: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    last_review_before: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The card's first review (counts against the daily new-card limit).
    was_new: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the learner picked: the option's index in the content's order (multiple choice),
    # 1/0 (true/false); none for self-rated cards. Item analysis counts distractor picks.
    choice: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    # The learner's desired retention when the card was reviewed (what its next due date aims
    # at); None for reviews logged before migration 0006.
    desired_retention: Mapped[float | None] = mapped_column(Float, default=None)

    __table_args__ = (
        Index("ix_review_logs_learner_time", "learner_id", "reviewed_at"),
        Index("ix_review_logs_card_id", "card_id"),
    )


class ProblemReport(Base):
    """A learner's report that a question is wrong, unclear or has a typo (one per question)."""

    __tablename__ = "problem_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(BigInteger, learner_fk())
    question_id: Mapped[str] = mapped_column(String(96))
    # The content's version when reported: the question may have been fixed since.
    content_version: Mapped[str] = mapped_column(String(32))
    # wrong_answer | unclear | typo | other
    reason: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("learner_id", "question_id"),
        Index("ix_problem_reports_question_id", "question_id"),
    )


class PracticeLog(Base):
    """Cram-mode answers: practice that does not touch the schedule."""

    __tablename__ = "practice_logs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(BigInteger, learner_fk())
    question_id: Mapped[str] = mapped_column(String(80))
    correct: Mapped[bool | None] = mapped_column(Boolean, default=None)
    rating: Mapped[int] = mapped_column(SmallInteger)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)

    __table_args__ = (Index("ix_practice_logs_learner_time", "learner_id", "answered_at"),)


class QuizSession(Base):
    """A run of questions for one learner: /quiz, a digest, or cram practice.

    The queue of question ids lives here, so buttons keep working after a restart;
    ``position`` is advanced with a compare-and-set so a double click records once.
    """

    __tablename__ = "quiz_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(BigInteger, learner_fk())
    # quiz | digest | cram
    source: Mapped[str] = mapped_column(String(16))
    queue: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Is the question at ``position`` answered (feedback shown, waiting for Next)?
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    answered_count: Mapped[int] = mapped_column(Integer, default=0)
    # Shuffle seed for answer order, so a re-render after restart shows the same order.
    seed: Mapped[int] = mapped_column(Integer)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (Index("ix_quiz_sessions_learner_id", "learner_id"),)


class Placement(Base):
    """A run of /start's placement check: levels in order, a few objective questions each.

    ``answers`` holds every answer of the run ({"q", "level", "ok", "at", "ms"}); ``position``
    counts them and is advanced with a compare-and-set, so a double click records once.
    A passed level is applied as soon as it is decided (its topics marked done, its answers
    recorded as reviews), so stopping at any point leaves a consistent state.
    """

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(BigInteger, learner_fk())
    # The level being checked now, and its questions.
    level: Mapped[int] = mapped_column(SmallInteger)
    questions: Mapped[list[str]] = mapped_column(JSON)
    answers: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[list[int]] = mapped_column(JSON, default=list)
    seed: Mapped[int] = mapped_column(Integer)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # How it ended: completed (a level was failed, or every level passed) | stopped | skipped.
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)

    __table_args__ = (Index("ix_placements_learner_id", "learner_id"),)


class StudyChannel(Base):
    """A guild channel where the bot posts questions on a schedule."""

    __tablename__ = "study_channels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    levels: Mapped[list[int]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    post_minute: Mapped[int] = mapped_column(SmallInteger, default=12 * 60)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Bit 0 = Monday … bit 6 = Sunday.
    days_mask: Mapped[int] = mapped_column(SmallInteger, default=0b1111111)
    questions_per_post: Mapped[int] = mapped_column(SmallInteger, default=1)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_reason: Mapped[str | None] = mapped_column(Text, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    next_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Questions already posted in the current cycle through the pool.
    used_questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_study_channels_guild_id", "guild_id"),
        Index("ix_study_channels_next_post_at", "next_post_at"),
    )


class Delivery(Base):
    """The ledger: every send that must happen once is claimed here first.

    ``(kind, target_id, slot)`` is UNIQUE: a digest is keyed by learner and local date,
    a channel post by study channel and slot time, so a second sender's claim fails.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # digest | snooze | channel; refit: the daily FSRS refit's once-a-day lease (scheduler.refit)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(BigInteger)
    slot: Mapped[str] = mapped_column(String(40))
    # When it was due; a claim not sent within the grace window after this expires.
    slot_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # claimed | sent | skipped | closed (DMs refused) | failed (a permanent refusal) | expired
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    # The claim's lease: renewed by the working process's heartbeat; once past, another
    # process takes the claim over (or retries it, after a transient failure).
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A digest's quiz session, made once, so a retry or takeover re-sends the same one.
    session_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    channel_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    question_id: Mapped[str | None] = mapped_column(String(80), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    correct_answers: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("kind", "target_id", "slot"),
        Index("ix_deliveries_status_lease_until", "status", "lease_until"),
    )


class ChannelAnswer(Base):
    """One member's answer to one study-channel post (at most one each)."""

    __tablename__ = "channel_answers"

    delivery_id: Mapped[int] = mapped_column(BigId, ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, learner_fk(), primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_channel_answers_guild_time", "guild_id", "answered_at"),
        Index("ix_channel_answers_user_id", "user_id"),
    )


class GuildMember(Base):
    """Per-guild streak and totals for the leaderboard."""

    __tablename__ = "guild_members"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, learner_fk(), primary_key=True)
    correct_total: Mapped[int] = mapped_column(Integer, default=0)
    answered_total: Mapped[int] = mapped_column(Integer, default=0)
    streak: Mapped[int] = mapped_column(Integer, default=0)
    best_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_day: Mapped[date | None] = mapped_column(Date, default=None)


class AppState(Base):
    """Small key/value facts about the deployment (e.g. the synced command hash)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
