"""claim leases, delivery attempts and sessions; honest answer times

- deliveries: ``lease_until`` (renewed by the working process; takeover only once it has
  passed), ``attempts`` and the digest's ``session_id``; the status index follows the lease.
  Open claims get the lease the old 600 s claim timeout gave them; claims given up at the
  end of the grace window are ``expired`` instead of ``failed``.
- review_logs: answers to a digest's first question and to study-channel posts were timed
  from when the DM or post was sent, not from when the learner saw it. Those durations are
  cleared, and each affected learner's usual answer time is recomputed from the rest.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

"""
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_CLAIM_TIMEOUT = timedelta(seconds=600)
CLAMP_MS = 10 * 60 * 1000


def _utc(value: object) -> datetime:
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _pushed_first_answers(conn: sa.Connection) -> list[int]:
    """Digest reviews timed from the moment the digest was sent: their duration equals the
    time since the session was created (or was clamped at 10 minutes)."""
    sessions: dict[int, list[datetime]] = {}
    for learner_id, created in conn.execute(
        sa.text("SELECT learner_id, created_at FROM quiz_sessions WHERE source = 'digest' ORDER BY created_at")
    ):
        sessions.setdefault(learner_id, []).append(_utc(created))
    pushed = []
    rows = conn.execute(
        sa.text(
            "SELECT id, learner_id, reviewed_at, duration_ms FROM review_logs "
            "WHERE source = 'digest' AND duration_ms IS NOT NULL"
        )
    )
    for log_id, learner_id, reviewed, duration in rows:
        at = _utc(reviewed)
        started = [c for c in sessions.get(learner_id, []) if c <= at]
        if not started:
            continue
        since_sent = (at - started[-1]).total_seconds() * 1000
        if abs(since_sent - duration) <= 1000 or (duration >= CLAMP_MS and since_sent >= CLAMP_MS):
            pushed.append(log_id)
    return pushed


def _recompute_usual_times(conn: sa.Connection, learners: set[int]) -> None:
    """The usual time is an exponential moving average (α = 0.2) of correct answers' times."""
    for learner_id in sorted(learners):
        usual = None
        for (duration,) in conn.execute(
            sa.text(
                "SELECT duration_ms FROM review_logs WHERE learner_id = :lid AND correct = :yes "
                "AND duration_ms IS NOT NULL ORDER BY reviewed_at, id"
            ),
            {"lid": learner_id, "yes": True},
        ):
            usual = duration if usual is None else round(usual * 0.8 + duration * 0.2)
        conn.execute(
            sa.text("UPDATE learners SET avg_answer_ms = :usual WHERE id = :lid"), {"usual": usual, "lid": learner_id}
        )


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", bot.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("session_id", sa.BigInteger(), nullable=True))
        batch_op.drop_index("ix_deliveries_status_claimed_at")
        batch_op.create_index("ix_deliveries_status_lease_until", ["status", "lease_until"], unique=False)
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("attempts", server_default=None)

    conn = op.get_bind()
    open_claims = conn.execute(sa.text("SELECT id, claimed_at FROM deliveries WHERE status = 'claimed'")).all()
    deliveries = sa.table(
        "deliveries", sa.column("id"), sa.column("lease_until", bot.db.types.UTCDateTime(timezone=True))
    )
    for did, claimed in open_claims:
        conn.execute(
            deliveries.update()
            .where(deliveries.c.id == did)
            .values(lease_until=_utc(claimed) + OLD_CLAIM_TIMEOUT)
        )
    conn.execute(
        sa.text(
            "UPDATE deliveries SET status = 'expired' "
            "WHERE status = 'failed' AND error = 'claimed but not sent before the grace window ended'"
        )
    )

    affected = {
        lid
        for (lid,) in conn.execute(
            sa.text(
                "SELECT DISTINCT learner_id FROM review_logs WHERE source IN ('digest', 'channel') "
                "AND duration_ms IS NOT NULL"
            )
        )
    }
    conn.execute(sa.text("UPDATE review_logs SET duration_ms = NULL WHERE source = 'channel'"))
    pushed = _pushed_first_answers(conn)
    for i in range(0, len(pushed), 500):
        conn.execute(
            sa.text("UPDATE review_logs SET duration_ms = NULL WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": pushed[i : i + 500]},
        )
    _recompute_usual_times(conn, affected)


def downgrade() -> None:
    # Cleared durations are not restored: they were wrong.
    op.get_bind().execute(sa.text("UPDATE deliveries SET status = 'failed' WHERE status = 'expired'"))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_status_lease_until")
        batch_op.create_index("ix_deliveries_status_claimed_at", ["status", "claimed_at"], unique=False)
        batch_op.drop_column("session_id")
        batch_op.drop_column("attempts")
        batch_op.drop_column("lease_until")
