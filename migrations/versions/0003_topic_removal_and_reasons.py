"""topics taken out of reviews, why a status was set, and placement checks

- topic_progress.removed_at: the learner took the topic out of their reviews (its cards are
  not asked until they add it again; history stays);
- topic_progress.status_reason: "placement" when /start's placement check set the status;
- placements: runs of /start's placement check.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("topic_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("removed_at", bot.db.types.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "placements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("passed", sa.JSON(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("shown_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_placements_learner_id_learners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placements_learner_id"), ["learner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placements_learner_id"))
    op.drop_table("placements")
    with op.batch_alter_table("topic_progress", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("status_reason")
