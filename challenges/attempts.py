"""Recording an attempt and awarding a solve, atomically, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges import kinds, scoring
from challenges.clock import utcnow
from challenges.errors import AlreadySolved, AttemptsExhausted
from challenges.models import Attempt, Challenge, HintUnlock, Progress, Solve


@dataclass(frozen=True)
class Outcome:
    correct: bool
    points_awarded: int
    attempts_left: int | None
    solve: Solve | None


def _insert_ignore(session: AsyncSession, table: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return ins(table)


async def record_attempt(
    *,
    session: AsyncSession,
    account_id: int,
    challenge: Challenge,
    answer: Any,
    now: datetime,
    opened_at: datetime,
) -> Outcome:
    """Count the attempt, check it, and award the solve at most once.

    The attempt counter is a conditional UPDATE (no read-then-write), and the solve's
    unique (account, challenge) constraint is the last word under any concurrency.
    """
    assert challenge.id is not None
    pk = (Progress.account_id == account_id) & (Progress.challenge_id == challenge.id)  # type: ignore[arg-type]
    await session.exec(
        _insert_ignore(session, Progress)
        .values(account_id=account_id, challenge_id=challenge.id, attempts=0)
        .on_conflict_do_nothing()
    )
    cap = challenge.max_attempts
    bump = (
        update(Progress)
        .where(pk, col(Progress.solved_at).is_(None))
        .values(attempts=Progress.attempts + 1)
        .returning(col(Progress.attempts))
    )
    if cap is not None:
        bump = bump.where(or_(col(Progress.attempts) < cap))
    used = (await session.exec(bump)).scalar_one_or_none()  # type: ignore[call-overload]
    if used is None:
        solved = (
            await session.exec(select(Progress.solved_at).where(pk))  # type: ignore[call-overload]
        ).first()
        if solved is not None:
            raise AlreadySolved()
        raise AttemptsExhausted()
    correct = kinds.check(challenge.kind, challenge.spec, answer, now=now.timestamp())
    session.add(
        Attempt(
            account_id=account_id,
            challenge_id=challenge.id,
            correct=correct,
            answer=_stored(answer),
            submitted_at=now,
        )
    )
    attempts_left = None if cap is None else max(0, cap - used)
    if not correct:
        await session.flush()
        return Outcome(False, 0, attempts_left, None)

    ordinal = (
        await session.exec(
            update(Challenge)  # type: ignore[call-overload]
            .where(col(Challenge.id) == challenge.id)
            .values(solve_count=Challenge.solve_count + 1)
            .returning(col(Challenge.solve_count))
        )
    ).scalar_one()
    hint_cost = (
        await session.exec(
            select(func.coalesce(func.sum(HintUnlock.cost), 0)).where(
                HintUnlock.account_id == account_id, HintUnlock.challenge_id == challenge.id
            )
        )
    ).one()
    points = scoring.award(
        base=challenge.points,
        scoring=challenge.scoring,
        opened_at=opened_at,
        solved_at=now,
        ordinal=int(ordinal),
        hint_cost=int(hint_cost),
    )
    solve = Solve(
        account_id=account_id,
        challenge_id=challenge.id,
        quest_id=challenge.quest_id,
        track=challenge.track,
        points=points.points,
        base=points.base,
        speed_bonus=points.speed_bonus,
        first_bonus=points.first_bonus,
        hint_cost=points.hint_cost,
        solved_at=now,
    )
    session.add(solve)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise AlreadySolved() from None
    await session.exec(update(Progress).where(pk).values(solved_at=now))  # type: ignore[call-overload]
    return Outcome(True, points.points, attempts_left, solve)


def _stored(answer: Any) -> str:
    text = answer if isinstance(answer, str) else repr(answer)
    return text[:500]


async def unlock_hint(
    *, session: AsyncSession, account_id: int, challenge: Challenge, n: int
) -> tuple[dict[str, Any], bool]:
    """Unlock hint `n` (0-based); returns (hint, newly_unlocked). Costs apply at solve time."""
    assert challenge.id is not None
    hint = challenge.hints[n]
    result = await session.exec(
        _insert_ignore(session, HintUnlock)
        .values(account_id=account_id, challenge_id=challenge.id, n=n, cost=int(hint["cost"]), unlocked_at=utcnow())
        .on_conflict_do_nothing()
    )
    return hint, bool(result.rowcount)  # type: ignore[attr-defined]


async def unlocked_hints(*, session: AsyncSession, account_id: int, challenge_id: int) -> set[int]:
    rows = await session.exec(
        select(HintUnlock.n).where(
            HintUnlock.account_id == account_id, HintUnlock.challenge_id == challenge_id
        )
    )
    return set(rows.all())
