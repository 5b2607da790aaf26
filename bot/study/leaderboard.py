"""Per-server standings from study-channel answers: streaks, totals, leaderboards. No Discord.

A member's streak in a server counts the channel's local days with at least one answer;
boards rank by correct answers (this week or all time) or by streak, without members who
opted out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import queries
from bot.db.models import ChannelAnswer, GuildMember, Learner
from scheduler.timeutil import local_date, zone


async def count_answer(
    session: AsyncSession, guild_id: int, timezone: str, user_id: int, correct: bool, now: datetime
) -> None:
    """Count one answer toward the member's totals and streak in the server."""
    await queries.insert_ignore(
        session,
        GuildMember,
        [
            {
                "guild_id": guild_id,
                "user_id": user_id,
                "correct_total": 0,
                "answered_total": 0,
                "streak": 0,
                "best_streak": 0,
            }
        ],
    )
    member = await session.get(GuildMember, (guild_id, user_id))
    assert member is not None
    today = local_date(now, zone(timezone))
    if member.last_day != today:
        member.streak = member.streak + 1 if member.last_day == today - timedelta(days=1) else 1
        member.last_day = today
        member.best_streak = max(member.best_streak, member.streak)
    member.answered_total += 1
    member.correct_total += int(correct)


@dataclass(frozen=True)
class Standing:
    user_id: int
    value: int


async def leaderboard(
    session: AsyncSession, guild_id: int, *, period: str, by: str, now: datetime, limit: int = 10
) -> list[Standing]:
    """The server's top members: by correct answers (``period`` "week" or "all") or by streak
    (current, if answered within a day, or best), without anyone who opted out."""
    hidden = select(Learner.id).where(Learner.leaderboard_opt_out.is_(True)).scalar_subquery()
    if by == "streak":
        column = GuildMember.streak if period == "week" else GuildMember.best_streak
        query = (
            select(GuildMember.user_id, column)
            .where(GuildMember.guild_id == guild_id, column > 0, GuildMember.user_id.not_in(hidden))
            .order_by(column.desc(), GuildMember.user_id)
            .limit(limit)
        )
        if period == "week":
            query = query.where(GuildMember.last_day >= (now - timedelta(days=1)).date())
    elif period == "week":
        total = func.sum(case((ChannelAnswer.correct, 1), else_=0))
        query = (
            select(ChannelAnswer.user_id, total)
            .where(
                ChannelAnswer.guild_id == guild_id,
                ChannelAnswer.answered_at >= now - timedelta(days=7),
                ChannelAnswer.user_id.not_in(hidden),
            )
            .group_by(ChannelAnswer.user_id)
            .having(total > 0)
            .order_by(total.desc(), ChannelAnswer.user_id)
            .limit(limit)
        )
    else:
        query = (
            select(GuildMember.user_id, GuildMember.correct_total)
            .where(GuildMember.guild_id == guild_id, GuildMember.correct_total > 0, GuildMember.user_id.not_in(hidden))
            .order_by(GuildMember.correct_total.desc(), GuildMember.user_id)
            .limit(limit)
        )
    return [Standing(int(user), int(value)) for user, value in (await session.execute(query)).all()]


async def opt_out(session: AsyncSession, user_id: int, hidden: bool, now: datetime) -> None:
    """Hide (or show again) the learner on every server's leaderboard."""
    learner = await queries.ensure_learner(session, user_id, now)
    learner.leaderboard_opt_out = hidden
