"""The play loop: gate a challenge, record the attempt, then put the solve on the boards."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Challenge, IdempotentResponse, Solve
from challenges.writer import AttemptJob, IdempotencyRace, Outcome
from kit.time import as_utc, utcnow
from leaderboard import keys
from leaderboard.board import Standing, tick
from leaderboard.windows import solve_scopes
from quest.accounts.service import Principal
from quest.core.errors import Conflict, Invalid, NotFound, QuestClosed, RateLimited
from quest.core.state import AppState
from quest.quests.models import Quest

log = logging.getLogger("talentquest.play")


@dataclass(frozen=True)
class Gate:
    """Why a challenge can or cannot be played by a player right now."""

    state: str  # open|locked|closed
    opened_at: datetime


def quest_window_open(quest: Quest, now: datetime) -> bool:
    return quest.status == "open" and as_utc(quest.starts_at) <= now < as_utc(quest.ends_at)


def window(quest: Quest, challenge: Challenge, now: datetime) -> Gate:
    """Open or closed by time and status alone (prerequisites aside)."""
    opened_at = as_utc(challenge.opens_at or quest.starts_at)
    if challenge.retired or not quest_window_open(quest, now):
        return Gate("closed", opened_at)
    if challenge.opens_at and now < as_utc(challenge.opens_at):
        return Gate("closed", opened_at)
    if challenge.closes_at and now >= as_utc(challenge.closes_at):
        return Gate("closed", opened_at)
    return Gate("open", opened_at)


def gate(quest: Quest, challenge: Challenge, solved_slugs: set[str], now: datetime) -> Gate:
    verdict = window(quest, challenge, now)
    if verdict.state == "open" and any(req not in solved_slugs for req in challenge.requires):
        return Gate("locked", verdict.opened_at)
    return verdict


async def solved_slugs(*, session: AsyncSession, account_id: int, quest_id: int) -> set[str]:
    rows = await session.exec(
        select(Challenge.slug)
        .join(Solve, col(Solve.challenge_id) == col(Challenge.id))
        .where(Solve.account_id == account_id, Solve.quest_id == quest_id)
    )
    return set(rows.all())


async def load_challenge(*, session: AsyncSession, challenge_id: int) -> tuple[Challenge, Quest]:
    challenge = await session.get(Challenge, challenge_id)
    if challenge is None or challenge.retired:
        raise NotFound("No such challenge.", code="challenge_not_found")
    quest = await session.get(Quest, challenge.quest_id)
    assert quest is not None
    if quest.status == "draft":
        raise NotFound("No such challenge.", code="challenge_not_found")
    return challenge, quest


async def check_rate(state: AppState, account_id: int) -> None:
    """Too many wrong answers in the window: refuse before touching the database."""
    key = keys.wrong_answers(account_id)
    try:
        count = await state.redis.get(key)
        if count is None or int(count) < state.settings.wrong_answer_limit:
            return
        ttl = await state.redis.ttl(key)
    except RedisError:
        return  # the limiter fails open; answers are still capped by max_attempts in SQL
    raise RateLimited("Too many wrong answers; wait a moment.", retry_after=max(1, int(ttl)))


async def submit(
    *,
    state: AppState,
    principal: Principal,
    challenge_id: int,
    answer: Any,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """The attempt endpoint's whole job; returns the response body.

    Must not be called while the caller holds a writer session (SQLite has one writer).
    """
    now = utcnow()
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        raise Invalid("Idempotency-Key must be 1-255 characters.", code="invalid_idempotency_key")
    if idempotency_key is not None:
        async with state.readmaker() as session:
            replay = await _replay(session, state, principal, challenge_id, idempotency_key)
        if replay is not None:
            return replay
    challenge, quest, snapshot = await state.caches.content.get(state, challenge_id)
    verdict = window(quest, challenge, now)  # prerequisites are checked by the writer, in SQL
    if verdict.state == "closed":
        raise QuestClosed()
    await check_rate(state, principal.id)
    job = AttemptJob(
        account_id=principal.id,
        challenge=snapshot,
        answer=answer,
        now=now,
        opened_at=verdict.opened_at,
        idempotency_key=idempotency_key,
    )
    try:
        outcome = await state.writer.submit(job)
    except IdempotencyRace:
        async with state.readmaker() as session:
            replay = await _replay(session, state, principal, challenge_id, idempotency_key or "")
        if replay is None:
            raise
        return replay
    state.metrics.attempts.labels("correct" if outcome.correct else "wrong").inc()
    standing = await after_commit(state, principal, quest, outcome)
    body = {
        "correct": outcome.correct,
        "points_awarded": outcome.points_awarded,
        "score": standing.score if standing else None,
        "rank": (standing.rank or None) if standing else None,
        "attempts_left": outcome.attempts_left,
    }
    if standing is None:
        body["score"] = await sql_score(state, principal.id, quest.id or 0)
    if idempotency_key is not None:
        await _store_reply(state, principal.id, idempotency_key, body)
    return body


async def _store_reply(state: AppState, account_id: int, key: str, body: dict[str, Any]) -> None:
    async with state.sessionmaker() as session, session.begin():
        stored = await session.get(IdempotentResponse, (account_id, key))
        if stored is not None:
            stored.body, stored.complete = body, True
            session.add(stored)


def _partial(outcome: Outcome) -> dict[str, Any]:
    return {
        "correct": outcome.correct,
        "points_awarded": outcome.points_awarded,
        "attempts_left": outcome.attempts_left,
    }


async def _replay(
    session: AsyncSession, state: AppState, principal: Principal, challenge_id: int, key: str
) -> dict[str, Any] | None:
    stored = await session.get(IdempotentResponse, (principal.id, key))
    if stored is None:
        return None
    if stored.challenge_id != challenge_id:
        raise Conflict(
            "This Idempotency-Key was used for another challenge.", code="idempotency_key_reused"
        )
    if stored.complete:
        return dict(stored.body)
    # The first request committed but its reply was never stored (a crash): rebuild it.
    challenge = await session.get(Challenge, challenge_id)
    quest_id = challenge.quest_id if challenge else 0
    standing = await current_standing(state, principal.id, quest_id)
    return {
        **stored.body,
        "score": standing.score if standing else await sql_score(state, principal.id, quest_id),
        "rank": (standing.rank or None) if standing else None,
    }


async def after_commit(
    state: AppState, principal: Principal, quest: Quest, outcome: Outcome
) -> Standing | None:
    """Put a committed solve on the boards; a Redis outage leaves it to the reconciler.

    A wrong answer counts against the rate limit and reads the standing in one round trip.
    """
    assert quest.id is not None
    if not outcome.correct or outcome.solve is None:
        return await _wrong(state, principal.id, quest.id)
    state.metrics.solves.inc()
    solve = outcome.solve
    try:
        standing = await state.boards.award(
            quest_id=quest.id,
            player_id=principal.id,
            handle=principal.handle,
            points=solve.points,
            ticks=tick(solve.solved_at, as_utc(quest.starts_at)),
            scopes=solve_scopes(track=solve.track, solved_at=solve.solved_at, tz=quest.timezone),
        )
    except RedisError:
        state.metrics.board_updates.labels("deferred").inc()
        log.warning("boards unreachable; solve %s left to the reconciler", solve.id)
        return None
    state.metrics.board_updates.labels("applied").inc()
    return standing


async def _wrong(state: AppState, account_id: int, quest_id: int) -> Standing | None:
    limiter = keys.wrong_answers(account_id)
    try:
        async with state.redis.pipeline(transaction=False) as pipe:
            pipe.set(limiter, 0, ex=state.settings.wrong_answer_window_s, nx=True)
            pipe.incr(limiter)
            _standing_commands(pipe, account_id, quest_id)
            *_, score, rank, total = await pipe.execute()
    except RedisError:
        return None
    return _standing(score, rank, total)


def _standing_commands(pipe: Any, account_id: int, quest_id: int) -> None:
    key = keys.board(quest_id, "all")
    pipe.zscore(key, account_id)
    pipe.zrevrank(key, account_id)
    pipe.zcard(key)


def _standing(score: Any, rank: Any, total: Any) -> Standing:
    if score is None:
        return Standing(score=0, rank=0, total=int(total))  # not on the board yet
    return Standing(score=int(score) // keys.TICK_SPAN, rank=int(rank) + 1, total=int(total))


async def current_standing(state: AppState, account_id: int, quest_id: int) -> Standing | None:
    try:
        async with state.redis.pipeline(transaction=False) as pipe:
            _standing_commands(pipe, account_id, quest_id)
            score, rank, total = await pipe.execute()
    except RedisError:
        return None
    return _standing(score, rank, total)


async def sql_score(state: AppState, account_id: int, quest_id: int) -> int:
    async with state.readmaker() as session:
        total = (
            await session.exec(
                select(func.coalesce(func.sum(Solve.points), 0)).where(
                    Solve.account_id == account_id, Solve.quest_id == quest_id
                )
            )
        ).one()
    return int(total)
