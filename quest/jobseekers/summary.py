"""The game summary employers see: score and percentile in the player's main quest, badges,
completed tracks."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from redis.exceptions import RedisError
from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Challenge, Solve
from kit.time import as_utc
from leaderboard.board import Boards, percentile
from quest.accounts.models import Account
from quest.jobseekers.schemas import Assessment
from quest.quests.models import Quest, Track

log = logging.getLogger("talentquest.jobseekers")
STREAK_MIN = 3


async def _main_quest(session: AsyncSession, account_id: int) -> Quest | None:
    """The quest in which the player has the most points (the latest one on a tie)."""
    total = func.sum(Solve.points)
    row = (
        await session.exec(
            select(Solve.quest_id, total)
            .where(Solve.account_id == account_id)
            .group_by(col(Solve.quest_id))
            .order_by(total.desc(), col(Solve.quest_id).desc())
            .limit(1)
        )
    ).first()
    return None if row is None else await session.get(Quest, row[0])


async def _standing(
    session: AsyncSession, boards: Boards, quest: Quest, account_id: int
) -> tuple[int, float]:
    """Score and percentile from the live board; from SQL if Redis is away."""
    assert quest.id is not None
    try:
        mine = await boards.me(
            quest_id=quest.id,
            scope="all",
            epoch=as_utc(quest.starts_at),
            player_id=account_id,
            around=0,
            frozen=False,
        )
        if mine is not None:
            return mine.score, mine.percentile
    except RedisError:
        log.warning("boards unavailable; game summary of account %d from SQL", account_id)
    totals = (
        select(Solve.account_id, func.sum(Solve.points).label("score"))
        .join(Account, col(Account.id) == col(Solve.account_id))
        .where(
            Solve.quest_id == quest.id,
            col(Account.banned_at).is_(None),
            col(Account.erased_at).is_(None),
        )
        .group_by(col(Solve.account_id))
        .subquery()
    )
    rows = await session.exec(select(totals.c.account_id, totals.c.score))
    scores = {int(a): int(s) for a, s in rows.all()}
    score = scores.get(account_id, 0)
    if account_id not in scores:
        return score, 0.0
    rank = 1 + sum(1 for s in scores.values() if s > score)
    return score, percentile(rank, len(scores))


async def _tracks_completed(session: AsyncSession, quest_id: int, account_id: int) -> list[str]:
    live = col(Challenge.retired).is_(False)
    sizes = dict(
        (
            await session.exec(
                select(Challenge.track, func.count())
                .where(Challenge.quest_id == quest_id, live)
                .group_by(col(Challenge.track))
            )
        ).all()
    )
    solved = dict(
        (
            await session.exec(
                select(Challenge.track, func.count())
                .join(Solve, col(Solve.challenge_id) == col(Challenge.id))
                .where(Challenge.quest_id == quest_id, live, Solve.account_id == account_id)
                .group_by(col(Challenge.track))
            )
        ).all()
    )
    order = (
        await session.exec(
            select(Track.slug).where(Track.quest_id == quest_id).order_by(col(Track.position))
        )
    ).all()
    return [t for t in order if sizes.get(t, 0) > 0 and solved.get(t, 0) >= sizes[t]]


async def _first_solver(session: AsyncSession, quest_id: int, account_id: int) -> bool:
    """Whether any of the player's solves is the first solve (ordinal 1) of its challenge."""
    other = aliased(Solve)
    earlier = (
        select(other.id)
        .where(
            other.challenge_id == Solve.challenge_id,
            or_(
                col(other.solved_at) < col(Solve.solved_at),
                and_(col(other.solved_at) == col(Solve.solved_at), col(other.id) < col(Solve.id)),
            ),
        )
        .exists()
    )
    query = select(Solve.id).where(
        Solve.account_id == account_id, Solve.quest_id == quest_id, ~earlier
    )
    return (await session.exec(query.limit(1))).first() is not None


def longest_streak(days: set[date]) -> int:
    """The longest run of consecutive calendar days in `days`."""
    best = 0
    for day in days:
        if day - timedelta(days=1) in days:
            continue  # not the start of a run
        length = 1
        while day + timedelta(days=length) in days:
            length += 1
        best = max(best, length)
    return best


async def _streak(session: AsyncSession, quest: Quest, account_id: int) -> int:
    zone = ZoneInfo(quest.timezone)
    stamps = await session.exec(
        select(Solve.solved_at).where(Solve.account_id == account_id, Solve.quest_id == quest.id)
    )
    return longest_streak({as_utc(at).astimezone(zone).date() for at in stamps.all()})


async def game_summary(*, session: AsyncSession, boards: Boards, account_id: int) -> Assessment:
    """What the quest says about a player: score, percentile, badges, tracks completed.

    Taken from the quest where the player has the most points. Badges: `first-solve` (first
    to solve some challenge), `streak:<n>` (n >= 3 consecutive days with a solve, in the
    quest's time zone) and `track:<slug>` (every challenge of a track solved).
    """
    quest = await _main_quest(session, account_id)
    if quest is None or quest.id is None:
        return Assessment(quest="", score=0, percentile=0.0, badges=[], tracks_completed=[])
    score, pct = await _standing(session, boards, quest, account_id)
    tracks = await _tracks_completed(session, quest.id, account_id)
    badges = ["first-solve"] if await _first_solver(session, quest.id, account_id) else []
    streak = await _streak(session, quest, account_id)
    if streak >= STREAK_MIN:
        badges.append(f"streak:{streak}")
    badges += [f"track:{t}" for t in tracks]
    return Assessment(
        quest=quest.slug, score=score, percentile=pct, badges=badges, tracks_completed=tracks
    )
