"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('app_state',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_state'))
    )
    op.create_table('deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.BigInteger(), nullable=False),
    sa.Column('slot', sa.String(length=40), nullable=False),
    sa.Column('slot_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('sent_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('channel_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('question_id', sa.String(length=80), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('correct_answers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('kind', 'target_id', 'slot', name=op.f('uq_deliveries_kind_target_id_slot'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_status_claimed_at', ['status', 'claimed_at'], unique=False)

    op.create_table('learners',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('digest_minute', sa.SmallInteger(), nullable=False),
    sa.Column('digest_enabled', sa.Boolean(), nullable=False),
    sa.Column('digest_size', sa.SmallInteger(), nullable=False),
    sa.Column('day_cutoff_hour', sa.SmallInteger(), nullable=False),
    sa.Column('desired_retention', sa.Float(), nullable=False),
    sa.Column('new_per_day', sa.SmallInteger(), nullable=False),
    sa.Column('reviews_per_day', sa.SmallInteger(), nullable=False),
    sa.Column('dm_channel_id', sa.BigInteger(), nullable=True),
    sa.Column('dm_status', sa.String(length=16), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('vacation_until', sa.Date(), nullable=True),
    sa.Column('vacations', sa.JSON(), nullable=False),
    sa.Column('next_digest_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('snooze_until', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('leaderboard_opt_out', sa.Boolean(), nullable=False),
    sa.Column('avg_answer_ms', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learners'))
    )
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.create_index('ix_learners_next_digest_at', ['next_digest_at'], unique=False)
        batch_op.create_index('ix_learners_snooze_until', ['snooze_until'], unique=False)

    op.create_table('study_channels',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('post_minute', sa.SmallInteger(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('days_mask', sa.SmallInteger(), nullable=False),
    sa.Column('questions_per_post', sa.SmallInteger(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('pause_reason', sa.Text(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_post_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_questions', sa.JSON(), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_channels')),
    sa.UniqueConstraint('channel_id', name=op.f('uq_study_channels_channel_id'))
    )
    with op.batch_alter_table('study_channels', schema=None) as batch_op:
        batch_op.create_index('ix_study_channels_guild_id', ['guild_id'], unique=False)
        batch_op.create_index('ix_study_channels_next_post_at', ['next_post_at'], unique=False)

    op.create_table('cards',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('learner_id', sa.BigInteger(), nullable=False),
    sa.Column('question_id', sa.String(length=80), nullable=False),
    sa.Column('topic_id', sa.String(length=80), nullable=False),
    sa.Column('state', sa.SmallInteger(), nullable=False),
    sa.Column('step', sa.SmallInteger(), nullable=True),
    sa.Column('stability', sa.Float(), nullable=True),
    sa.Column('difficulty', sa.Float(), nullable=True),
    sa.Column('due', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_review', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.Column('suspended', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_cards_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cards')),
    sa.UniqueConstraint('learner_id', 'question_id', name=op.f('uq_cards_learner_id_question_id'))
    )
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index('ix_cards_learner_due', ['learner_id', 'suspended', 'due'], unique=False)
        batch_op.create_index('ix_cards_learner_topic', ['learner_id', 'topic_id'], unique=False)
        batch_op.create_index('ix_cards_question_id', ['question_id'], unique=False)

    op.create_table('channel_answers',
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('answered_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_channel_answers_delivery_id_deliveries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['learners.id'], name=op.f('fk_channel_answers_user_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('delivery_id', 'user_id', name=op.f('pk_channel_answers'))
    )
    with op.batch_alter_table('channel_answers', schema=None) as batch_op:
        batch_op.create_index('ix_channel_answers_guild_time', ['guild_id', 'answered_at'], unique=False)
        batch_op.create_index('ix_channel_answers_user_id', ['user_id'], unique=False)

    op.create_table('guild_members',
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('correct_total', sa.Integer(), nullable=False),
    sa.Column('answered_total', sa.Integer(), nullable=False),
    sa.Column('streak', sa.Integer(), nullable=False),
    sa.Column('best_streak', sa.Integer(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['learners.id'], name=op.f('fk_guild_members_user_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('guild_id', 'user_id', name=op.f('pk_guild_members'))
    )
    op.create_table('practice_logs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('learner_id', sa.BigInteger(), nullable=False),
    sa.Column('question_id', sa.String(length=80), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('answered_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_practice_logs_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_logs'))
    )
    with op.batch_alter_table('practice_logs', schema=None) as batch_op:
        batch_op.create_index('ix_practice_logs_learner_time', ['learner_id', 'answered_at'], unique=False)

    op.create_table('quiz_sessions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('learner_id', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('queue', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('correct_count', sa.Integer(), nullable=False),
    sa.Column('answered_count', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('shown_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_quiz_sessions_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_sessions'))
    )
    with op.batch_alter_table('quiz_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_sessions_learner_id', ['learner_id'], unique=False)

    op.create_table('topic_progress',
    sa.Column('learner_id', sa.BigInteger(), nullable=False),
    sa.Column('topic_id', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('enrolled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_topic_progress_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('learner_id', 'topic_id', name=op.f('pk_topic_progress'))
    )
    op.create_table('review_logs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('card_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('learner_id', sa.BigInteger(), nullable=False),
    sa.Column('question_id', sa.String(length=80), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.Column('reviewed_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('state_before', sa.SmallInteger(), nullable=False),
    sa.Column('state_after', sa.SmallInteger(), nullable=False),
    sa.Column('stability_before', sa.Float(), nullable=True),
    sa.Column('stability_after', sa.Float(), nullable=True),
    sa.Column('difficulty_before', sa.Float(), nullable=True),
    sa.Column('difficulty_after', sa.Float(), nullable=True),
    sa.Column('due_before', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_after', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('step_before', sa.SmallInteger(), nullable=True),
    sa.Column('last_review_before', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('was_new', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_review_logs_card_id_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_review_logs_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_logs'))
    )
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.create_index('ix_review_logs_card_id', ['card_id'], unique=False)
        batch_op.create_index('ix_review_logs_learner_time', ['learner_id', 'reviewed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_review_logs_learner_time')
        batch_op.drop_index('ix_review_logs_card_id')

    op.drop_table('review_logs')
    op.drop_table('topic_progress')
    with op.batch_alter_table('quiz_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_sessions_learner_id')

    op.drop_table('quiz_sessions')
    with op.batch_alter_table('practice_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_logs_learner_time')

    op.drop_table('practice_logs')
    op.drop_table('guild_members')
    with op.batch_alter_table('channel_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_answers_user_id')
        batch_op.drop_index('ix_channel_answers_guild_time')

    op.drop_table('channel_answers')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_question_id')
        batch_op.drop_index('ix_cards_learner_topic')
        batch_op.drop_index('ix_cards_learner_due')

    op.drop_table('cards')
    with op.batch_alter_table('study_channels', schema=None) as batch_op:
        batch_op.drop_index('ix_study_channels_next_post_at')
        batch_op.drop_index('ix_study_channels_guild_id')

    op.drop_table('study_channels')
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.drop_index('ix_learners_snooze_until')
        batch_op.drop_index('ix_learners_next_digest_at')

    op.drop_table('learners')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_status_claimed_at')

    op.drop_table('deliveries')
    op.drop_table('app_state')
