"""fitted FSRS parameter sets, and the learner's choice to use personal ones

- parameter_sets: every fitted FSRS-6 set (community per question kind, or one learner's),
  with its held-out figures against the set in use then, and whether it was adopted;
- learners.personal_parameters: schedule with personal parameters once adopted (default on).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parameter_sets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("log_loss", sa.Float(), nullable=True),
        sa.Column("rmse_bins", sa.Float(), nullable=True),
        sa.Column("previous", sa.String(length=16), nullable=False),
        sa.Column("previous_log_loss", sa.Float(), nullable=True),
        sa.Column("previous_rmse_bins", sa.Float(), nullable=True),
        sa.Column("fitted_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("adopted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_parameter_sets_learner_id_learners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parameter_sets")),
    )
    with op.batch_alter_table("parameter_sets", schema=None) as batch_op:
        batch_op.create_index("ix_parameter_sets_learner_id", ["learner_id"], unique=False)
        batch_op.create_index("ix_parameter_sets_scope_kind_fitted_at", ["scope", "kind", "fitted_at"], unique=False)
    # A plain ADD COLUMN: a batch table rebuild of learners would cascade-delete their rows.
    op.add_column("learners", sa.Column("personal_parameters", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    op.drop_column("learners", "personal_parameters")  # SQLite ≥ 3.35 drops in place (no rebuild)
    with op.batch_alter_table("parameter_sets", schema=None) as batch_op:
        batch_op.drop_index("ix_parameter_sets_scope_kind_fitted_at")
        batch_op.drop_index("ix_parameter_sets_learner_id")
    op.drop_table("parameter_sets")
