"""the desired retention each review was scheduled at

- review_logs.desired_retention: the learner's desired retention when the review was made, so
  /stats compares a due review's outcome with the retention it was scheduled for, not with
  today's setting (NULL for reviews logged before this migration: today's setting is used).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("desired_retention", sa.Float(), nullable=True))
    op.execute("UPDATE learners SET desired_retention = ROUND(CAST(desired_retention AS NUMERIC), 2)")


def downgrade() -> None:
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_column("desired_retention")
