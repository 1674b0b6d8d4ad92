"""Numbers for the staff, computed in SQL: the funnels, solves per hour, per challenge."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Attempt, Challenge, Solve
from kit.time import as_utc
from quest.accounts.models import Account
from quest.jobseekers.models import Jobseeker
from quest.quests.models import Quest
from quest.quests.schemas import FunnelOut
from quest.quests.service import get_quest, live_challenges


@dataclass(frozen=True)
class QuestFunnel:
    """One quest's players, step by step, from sign-up to jobseeker."""

    registered: int
    active: int
    completed_track: int
    completed_quest: int
    converted: int
    conversion_rate: float

    def steps(self) -> list[tuple[str, int]]:
        """Each step's name and head count, in funnel order."""
        return [
            ("registered", self.registered),
            ("active", self.active),
            ("completed_track", self.completed_track),
            ("completed_quest", self.completed_quest),
            ("converted", self.converted),
        ]


@dataclass(frozen=True)
class ChallengeStats:
    slug: str
    title: str
    track: str
    kind: str
    attempts: int
    attempters: int
    solvers: int
    solve_rate: float | None
    median_s: float | None


async def admin_funnel(*, session: AsyncSession, quest_slug: str | None = None) -> FunnelOut:
    """Registered players, active ones (an attempt), track completers, and jobseekers."""
    players = int(
        (
            await session.exec(
                select(func.count()).select_from(Account).where(Account.role == "player")
            )
        ).one()
    )
    attempts = select(Attempt.account_id)
    sizes_query = (
        select(Challenge.quest_id, Challenge.track, func.count())
        .where(col(Challenge.retired).is_(False))
        .group_by(col(Challenge.quest_id), col(Challenge.track))
    )
    if quest_slug is not None:
        found = await get_quest(session=session, slug=quest_slug, include_draft=True)
        ids = select(Challenge.id).where(Challenge.quest_id == found.id)
        attempts = attempts.where(col(Attempt.challenge_id).in_(ids))
        sizes_query = sizes_query.where(Challenge.quest_id == found.id)
    active = (
        await session.exec(select(func.count(func.distinct(attempts.subquery().c.account_id))))
    ).one()
    sizes = {(q, t): n for q, t, n in (await session.exec(sizes_query)).all()}
    solved = (
        await session.exec(
            select(Solve.account_id, Solve.quest_id, Solve.track, func.count()).group_by(
                col(Solve.account_id), col(Solve.quest_id), col(Solve.track)
            )
        )
    ).all()
    completed = len({a for a, q, t, n in solved if (q, t) in sizes and n >= sizes[(q, t)]})
    jobseekers = int((await session.exec(select(func.count()).select_from(Jobseeker))).one())
    return FunnelOut(
        players=players,
        active=int(active),
        completed=completed,
        jobseekers=jobseekers,
        conversion_rate=round(jobseekers / players, 4) if players else 0.0,
    )


async def funnel(*, session: AsyncSession, quest: Quest) -> QuestFunnel:
    """Registered players -> active in this quest -> completed a track -> the quest -> converted."""
    assert quest.id is not None
    registered = (
        await session.exec(
            select(func.count())
            .select_from(Account)
            .where(Account.role == "player", col(Account.erased_at).is_(None))
        )
    ).one()
    live = select(Challenge.id).where(
        Challenge.quest_id == quest.id, col(Challenge.retired).is_(False)
    )
    active = (
        await session.exec(
            select(func.count(func.distinct(Attempt.account_id))).where(
                col(Attempt.challenge_id).in_(live)
            )
        )
    ).one()
    sizes = dict(
        (
            await session.exec(
                select(Challenge.track, func.count())
                .where(Challenge.quest_id == quest.id, col(Challenge.retired).is_(False))
                .group_by(col(Challenge.track))
            )
        ).all()
    )
    per_track = (
        await session.exec(
            select(Solve.account_id, Solve.track, func.count())
            .where(Solve.quest_id == quest.id, col(Solve.challenge_id).in_(live))
            .group_by(col(Solve.account_id), col(Solve.track))
        )
    ).all()
    solved: dict[int, int] = {}
    track_done: set[int] = set()
    for account_id, track, n in per_track:
        solved[account_id] = solved.get(account_id, 0) + int(n)
        if track in sizes and n >= sizes[track]:
            track_done.add(account_id)
    total = sum(sizes.values())
    quest_done = {a for a, n in solved.items() if total and n >= total}
    converted = await _converted(session, set(solved) | await _attempters(session, live))
    registered, active = int(registered), int(active)
    return QuestFunnel(
        registered=registered,
        active=active,
        completed_track=len(track_done),
        completed_quest=len(quest_done),
        converted=converted,
        conversion_rate=round(converted / registered, 4) if registered else 0.0,
    )


async def _attempters(session: AsyncSession, live: Any) -> set[int]:
    rows = await session.exec(
        select(Attempt.account_id).where(col(Attempt.challenge_id).in_(live)).distinct()
    )
    return set(rows.all())


async def _converted(session: AsyncSession, players: set[int]) -> int:
    """Jobseekers among this quest's players."""
    if not players:
        return 0
    rows = await session.exec(select(Jobseeker.account_id))
    return len(players & set(rows.all()))


def _hour_bucket(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:00:00", Solve.solved_at)
    return func.date_trunc("hour", Solve.solved_at)


async def solves_per_hour(
    *, session: AsyncSession, quest: Quest, now: datetime, hours: int = 24
) -> list[tuple[datetime, int]]:
    """Solves in each of the last `hours` hours (UTC hour starts, zeros filled in)."""
    assert quest.id is not None
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours - 1)
    bucket = _hour_bucket(session).label("hour")
    rows = (
        await session.exec(
            select(bucket, func.count())
            .where(Solve.quest_id == quest.id, col(Solve.solved_at) >= start)
            .group_by(bucket)
        )
    ).all()
    counts: dict[datetime, int] = {}
    for hour, n in rows:
        when = datetime.fromisoformat(hour) if isinstance(hour, str) else hour
        counts[as_utc(when)] = int(n)
    return [
        (start + timedelta(hours=i), counts.get(start + timedelta(hours=i), 0))
        for i in range(hours)
    ]


async def per_challenge(*, session: AsyncSession, quest: Quest) -> list[ChallengeStats]:
    """Attempts, solvers, solve rate and median time to solve of each live challenge.

    Time to solve: from the player's previous solve in the quest (or their first attempt in
    it) to this solve: roughly the time they spent on this challenge.
    """
    assert quest.id is not None
    challenges = await live_challenges(session=session, quest=quest)
    ids = [c.id for c in challenges]
    tried = {
        cid: (int(n), int(people))
        for cid, n, people in (
            await session.exec(
                select(
                    Attempt.challenge_id,
                    func.count(),
                    func.count(func.distinct(Attempt.account_id)),
                )
                .where(col(Attempt.challenge_id).in_(ids))
                .group_by(col(Attempt.challenge_id))
            )
        ).all()
    }
    first_attempt = dict(
        (
            await session.exec(
                select(Attempt.account_id, func.min(Attempt.submitted_at))
                .where(col(Attempt.challenge_id).in_(ids))
                .group_by(col(Attempt.account_id))
            )
        ).all()
    )
    previous = func.lag(Solve.solved_at).over(
        partition_by=col(Solve.account_id), order_by=col(Solve.solved_at)
    )
    solves = (
        await session.exec(
            select(Solve.challenge_id, Solve.account_id, Solve.solved_at, previous).where(
                Solve.quest_id == quest.id
            )
        )
    ).all()
    durations: dict[int, list[float]] = {}
    for challenge_id, account_id, solved_at, before in solves:
        since = before if before is not None else first_attempt.get(account_id)
        if since is None:
            continue
        seconds = (as_utc(solved_at) - as_utc(_dt(since))).total_seconds()
        durations.setdefault(challenge_id, []).append(max(0.0, seconds))
    out = []
    for ch in challenges:
        attempts, people = tried.get(ch.id or 0, (0, 0))
        times = durations.get(ch.id or 0, [])
        out.append(
            ChallengeStats(
                slug=ch.slug,
                title=ch.title,
                track=ch.track,
                kind=ch.kind,
                attempts=attempts,
                attempters=people,
                solvers=len(times),
                solve_rate=round(len(times) / people, 4) if people else None,
                median_s=statistics.median(times) if times else None,
            )
        )
    return out


def _dt(value: Any) -> datetime:
    """SQLite hands raw window-function values back as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value
