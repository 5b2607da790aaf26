"""problem reports and the option a learner picked

- problem_reports: a learner's report on a question (reason, text, content version), one per
  learner and question;
- review_logs.choice: the option picked (index in the content's order, or 1/0 for
  true/false), for item analysis.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "problem_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("question_id", sa.String(length=96), nullable=False),
        sa.Column("content_version", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_problem_reports_learner_id_learners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_reports")),
        sa.UniqueConstraint("learner_id", "question_id", name=op.f("uq_problem_reports_learner_id_question_id")),
    )
    with op.batch_alter_table("problem_reports", schema=None) as batch_op:
        batch_op.create_index("ix_problem_reports_question_id", ["question_id"], unique=False)
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choice", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_column("choice")
    with op.batch_alter_table("problem_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_problem_reports_question_id")
    op.drop_table("problem_reports")
