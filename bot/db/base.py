"""The declarative base every table shares: naming convention, 64-bit ids, the learner key."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# 64-bit ids on PostgreSQL; SQLite needs INTEGER for its rowid autoincrement.
BigId = BigInteger().with_variant(Integer, "sqlite")


def learner_fk() -> ForeignKey:
    """A column naming a learner: their rows go when they delete their data."""
    return ForeignKey("learners.id", ondelete="CASCADE")
