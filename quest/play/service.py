"""The attempt: check it is allowed, record it, then put the solve on the boards.

`submit` must not be called while the caller holds a writer session (SQLite has one writer).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.kinds import malformed
from challenges.models import Challenge, IdempotentResponse, Solve
from challenges.writer import AttemptJob, IdempotencyRace, Outcome
from kit.time import as_utc, utcnow
from leaderboard import keys
from leaderboard.board import Standing, points_of, tick
from leaderboard.windows import solve_scopes
from quest.accounts.service import Principal
from quest.core import limits
from quest.core.errors import AlreadySolved, Conflict, Invalid, QuestClosed
from quest.core.limits import Window
from quest.core.state import AppState
from quest.core.text import NulCharacter, has_nul
from quest.play.gates import window
from quest.quests.models import Quest

log = logging.getLogger("talentquest.play")
REPLAY_POLLS = 40  # x REPLAY_POLL_S: how long a duplicate waits for the first reply
REPLAY_POLL_S = 0.05

Answer = str | int | float | list[str]


@dataclass(frozen=True)
class AttemptResult:
    correct: bool
    points_awarded: int
    score: int | None
    rank: int | None
    attempts_left: int | None


def check_answer(answer: Answer) -> None:
    """Refuse answers no challenge could need before they reach the record."""
    if isinstance(answer, str) and len(answer) > 2000:
        raise Invalid("The answer is too long (2,000 characters at most).", code="answer_too_long")
    if isinstance(answer, list) and (len(answer) > 50 or any(len(a) > 500 for a in answer)):
        raise Invalid("Too many or too long options in the answer.", code="answer_too_long")
    if has_nul(answer):  # the writer's raw statements skip the engine's check
        raise NulCharacter()


def attempt_limit(state: AppState, account_id: int, kind: str) -> tuple[str, Window, str]:
    """The limit an attempt counts against: wrong booth codes for a booth, else wrong answers."""
    settings = state.settings
    if kind == "checkin":
        rule = Window(settings.wrong_code_limit, settings.wrong_code_window_s)
        return keys.wrong_booth_codes(account_id), rule, "Too many wrong booth codes; wait."
    rule = Window(settings.wrong_answer_limit, settings.wrong_answer_window_s)
    return keys.wrong_answers(account_id), rule, "Too many wrong answers; wait a moment."


async def submit(
    *,
    state: AppState,
    principal: Principal,
    challenge_id: int,
    answer: Answer,
    idempotency_key: str | None,
) -> AttemptResult:
    """One attempt, from the API, a page or a booth check-in."""
    check_answer(answer)
    now = utcnow()
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        raise Invalid("Idempotency-Key must be 1-255 characters.", code="invalid_idempotency_key")
    if idempotency_key is not None:
        async with state.readmaker() as session:
            replay = await _replay(session, state, principal, challenge_id, idempotency_key)
        if replay is not None:
            return replay
    challenge, quest, snapshot = await state.caches.content.get(state, challenge_id)
    if (problem := malformed(snapshot.kind, answer)) is not None:
        raise Invalid(problem, code="invalid_answer")  # refused before anything is counted
    verdict = window(quest, challenge, now)  # prerequisites are checked by the writer, in SQL
    if verdict.state == "closed":
        raise QuestClosed()
    # Take a wrong-answer slot *before* judging (one atomic round trip), so concurrent wrong
    # answers cannot all slip under the limit; an attempt that is not a recorded wrong answer
    # gives its slot back below.
    limit_key, rule, too_many = attempt_limit(state, principal.id, snapshot.kind)
    slot = await limits.reserve(state.redis, limit_key, rule, detail=too_many)
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
    except (IdempotencyRace, AlreadySolved):
        if slot is not None:
            await slot.give_back()
        # Another request with this key got there first (in the same writer batch, a correct
        # one is refused as already solved before its key is looked at): answer with its reply.
        if idempotency_key is None:
            raise
        replay = await _await_replay(state, principal, challenge_id, idempotency_key)
        if replay is None:
            raise
        return replay
    except Exception:
        if slot is not None:
            await slot.give_back()
        raise
    if slot is not None:
        await (slot.give_back() if outcome.correct else slot.keep())
    state.metrics.attempts.labels("correct" if outcome.correct else "wrong").inc()
    standing = await after_commit(state, principal, quest, outcome)
    result = AttemptResult(
        correct=outcome.correct,
        points_awarded=outcome.points_awarded,
        score=standing.score if standing else await sql_score(state, principal.id, quest.id or 0),
        rank=(standing.rank or None) if standing else None,
        attempts_left=outcome.attempts_left,
    )
    if idempotency_key is not None:
        await _store_reply(state, principal.id, idempotency_key, result)
    return result


async def _store_reply(state: AppState, account_id: int, key: str, result: AttemptResult) -> None:
    async with state.sessionmaker() as session, session.begin():
        stored = await session.get(IdempotentResponse, (account_id, key))
        if stored is not None:
            stored.body, stored.complete = asdict(result), True
            session.add(stored)


async def _await_replay(
    state: AppState, principal: Principal, challenge_id: int, key: str
) -> AttemptResult | None:
    """The reply stored under `key`, waiting briefly for a concurrent first request to store it."""
    for _ in range(REPLAY_POLLS):
        async with state.readmaker() as session:
            stored = await session.get(IdempotentResponse, (principal.id, key))
            if stored is None or stored.complete or stored.challenge_id != challenge_id:
                return await _replay(session, state, principal, challenge_id, key)
        await asyncio.sleep(REPLAY_POLL_S)
    async with state.readmaker() as session:
        return await _replay(session, state, principal, challenge_id, key)


async def _replay(
    session: AsyncSession, state: AppState, principal: Principal, challenge_id: int, key: str
) -> AttemptResult | None:
    stored = await session.get(IdempotentResponse, (principal.id, key))
    if stored is None:
        return None
    if stored.challenge_id != challenge_id:
        raise Conflict(
            "This Idempotency-Key was used for another challenge.", code="idempotency_key_reused"
        )
    body = stored.body
    if stored.complete:
        return AttemptResult(**body)
    # The first request committed but its reply was never stored (a crash): rebuild it.
    challenge = await session.get(Challenge, challenge_id)
    quest_id = challenge.quest_id if challenge else 0
    standing = await current_standing(state, principal.id, quest_id)
    return AttemptResult(
        correct=body["correct"],
        points_awarded=body["points_awarded"],
        score=standing.score if standing else await sql_score(state, principal.id, quest_id),
        rank=(standing.rank or None) if standing else None,
        attempts_left=body["attempts_left"],
    )


async def after_commit(
    state: AppState, principal: Principal, quest: Quest, outcome: Outcome
) -> Standing | None:
    """Put a committed solve on the boards; a Redis outage leaves it to the reconciler.

    A wrong answer (already counted against its limit) only reads the standing.
    """
    assert quest.id is not None
    if not outcome.correct or outcome.solve is None:
        return await current_standing(state, principal.id, quest.id)
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
            epoch=as_utc(quest.starts_at),
        )
    except RedisError:
        state.metrics.board_updates.labels("deferred").inc()
        log.warning("boards unreachable; solve %s left to the reconciler", solve.id)
        return None
    state.metrics.board_updates.labels("applied").inc()
    return standing


def _standing_commands(pipe: Pipeline, account_id: int, quest_id: int) -> None:
    key = keys.board(quest_id, "all")
    pipe.zscore(key, account_id)
    pipe.zrevrank(key, account_id)
    pipe.zcard(key)


def _standing(score: Any, rank: Any, total: Any) -> Standing:
    if score is None:
        return Standing(score=0, rank=0, total=int(total))  # not on the board yet
    return Standing(score=points_of(score), rank=int(rank) + 1, total=int(total))


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
