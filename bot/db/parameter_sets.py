"""Fitted FSRS parameter sets (community per question kind, or one learner's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, learner_fk
from bot.db.types import UTCDateTime


class ParameterSet(Base):
    """A fitted FSRS-6 parameter set, kept whether adopted or not (the history of fits).

    ``scope`` "community" (``learner_id`` NULL: fitted from every learner's reviews of the
    kind, nothing in the row names one) or "personal" (one learner's reviews of the kind).
    The set in use for a scope, kind (and learner) is its latest adopted row. The held-out
    figures compare this set with ``previous`` (the set in use then: default, community or
    personal) on the same later reviews.
    """

    __tablename__ = "parameter_sets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # community | personal
    kind: Mapped[str] = mapped_column(String(16))  # recognition | recall
    learner_id: Mapped[int | None] = mapped_column(BigInteger, learner_fk(), default=None)
    parameters: Mapped[list[float]] = mapped_column(JSON)
    reviews: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    log_loss: Mapped[float | None] = mapped_column(Float, default=None)
    rmse_bins: Mapped[float | None] = mapped_column(Float, default=None)
    previous: Mapped[str] = mapped_column(String(16))  # default | community | personal
    previous_log_loss: Mapped[float | None] = mapped_column(Float, default=None)
    previous_rmse_bins: Mapped[float | None] = mapped_column(Float, default=None)
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    adopted: Mapped[bool] = mapped_column(Boolean)
    # Why it was not adopted (NULL when adopted).
    reason: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (
        Index("ix_parameter_sets_scope_kind_fitted_at", "scope", "kind", "fitted_at"),
        Index("ix_parameter_sets_learner_id", "learner_id"),
    )
