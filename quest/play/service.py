"""The attempt: check it is allowed, record it, then put the solve on the boards.

`submit` must not be called while the caller holds a writer session (SQLite has one writer).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges import kinds
from challenges.kinds import malformed
from challenges.models import Challenge, IdempotentResponse, Solve
from challenges.writer import AttemptJob, ChallengeSnapshot, IdempotencyRace, Outcome
from kit.time import as_utc, utcnow
from leaderboard import keys
from leaderboard.board import Standing, points_of, tick
from leaderboard.windows import solve_scopes
from quest.accounts.service import Principal
from quest.core import limits
from quest.core.errors import AlreadySolved, Conflict, Invalid, QuestClosed
from quest.core.limits import Slot, Window
from quest.core.redis_mux import Multiplexed
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
    if idempotency_key is None:
        return await _attempt(state, principal, challenge_id, answer, None)
    if not 1 <= len(idempotency_key) <= 255:
        raise Invalid("Idempotency-Key must be 1-255 characters.", code="invalid_idempotency_key")
    return await _keyed(state, principal, challenge_id, answer, idempotency_key)


InFlight = dict[tuple[int, str], tuple[int, "asyncio.Future[AttemptResult | None]"]]


async def _keyed(
    state: AppState, principal: Principal, challenge_id: int, answer: Answer, key: str
) -> AttemptResult:
    """An attempt with an Idempotency-Key: the first request with the key runs, the rest replay.

    A duplicate arriving while the first is still running in this process waits for its
    reply (nothing is counted or read for it); once the first has finished, its reply comes
    from SQL. A duplicate in another process is caught by the writer (the key is looked up
    before anything else) and waits for the stored reply.
    """
    running: InFlight = state.extras.setdefault("attempts_in_flight", {})
    ident = (principal.id, key)
    while (first := running.get(ident)) is not None:
        replied = await asyncio.shield(first[1])
        if replied is not None:
            if first[0] != challenge_id:
                raise Conflict(
                    "This Idempotency-Key was used for another challenge.",
                    code="idempotency_key_reused",
                )
            return replied
        # The first failed (refused or errored): nothing is held under the key; go ahead.
    mine: asyncio.Future[AttemptResult | None] = asyncio.get_running_loop().create_future()
    running[ident] = (challenge_id, mine)
    result: AttemptResult | None = None
    try:
        async with state.readmaker() as session:
            result = await _replay(session, state, principal, challenge_id, key)
        if result is None:
            result = await _attempt(state, principal, challenge_id, answer, key)
        return result
    finally:
        del running[ident]
        mine.set_result(result)


async def judge(challenge: ChallengeSnapshot, answer: Answer, now: datetime) -> bool:
    """Whether `answer` is right; a staff regex (bounded in time) runs off the event loop."""
    if kinds.slow(challenge.kind, challenge.spec):
        return await asyncio.to_thread(
            kinds.check, challenge.kind, challenge.spec, answer, now=now.timestamp()
        )
    return kinds.check(challenge.kind, challenge.spec, answer, now=now.timestamp())


async def count(
    state: AppState, principal: Principal, quest_id: int, kind: str, *, wrong: bool
) -> tuple[Slot | None, Standing | None]:
    """Count the attempt against its limit *before* it is recorded or answered: one round trip.

    A wrong answer takes a slot (concurrent ones each get a distinct slot or a 429, so no
    more than the limit are ever recorded) and reads the caller's standing in the same
    round trip, since a wrong answer does not change it. A correct answer takes no slot but
    is refused alike while the window is full: the limit must not become an oracle that
    tells right from wrong. Redis unreachable: the limit fails open, (None, None).
    """
    key, rule, too_many = attempt_limit(state, principal.id, kind)

    def build(pipe: Pipeline) -> None:
        limits.queue_slot(pipe, key, rule, take=wrong)
        if wrong:
            _standing_command(pipe, principal.id, quest_id)

    try:
        mux: Multiplexed | None = state.extras.get(MUX)
        if mux is None:  # not started (yet): the pool's pipeline, same commands
            replies = await limits.pipelined(state.redis, (limits.SLOT, _STANDING), build)
        else:
            calls = [(limits.SLOT, [key], limits.slot_args(rule, take=wrong))]
            if wrong:
                calls.append((_STANDING, [keys.board(quest_id, "all")], [principal.id]))
            replies = await mux.scripts(calls)
    except RedisError:
        log.warning("limiter unreachable; %s not counted", key)
        return None, None
    slot = limits.slot_taken(state.redis, key, replies[0], take=wrong, detail=too_many)
    return slot, _standing(replies[1]) if wrong else None


MUX = "attempts.redis"


async def attempt_redis_forever(state: AppState) -> None:
    """The attempt path's shared Redis connection (`quest.core.redis_mux`), closed at shutdown."""
    from quest.core.redis_client import is_cluster

    if is_cluster(state.redis):  # one connection to one server: not on a Redis Cluster
        return
    mux = Multiplexed(state.redis)
    state.extras[MUX] = mux
    try:
        await asyncio.Event().wait()
    finally:
        state.extras.pop(MUX, None)
        await mux.close()


async def _attempt(
    state: AppState, principal: Principal, challenge_id: int, answer: Answer, key: str | None
) -> AttemptResult:
    now = utcnow()
    challenge, quest, snapshot = await state.caches.content.get(state, challenge_id)
    assert quest.id is not None
    if (problem := malformed(snapshot.kind, answer)) is not None:
        raise Invalid(problem, code="invalid_answer")  # refused before anything is counted
    verdict = window(quest, challenge, now)  # prerequisites are checked by the writer, in SQL
    if verdict.state == "closed":
        raise QuestClosed()
    # Judged here, but nothing is recorded or answered before the limit has counted it.
    correct = await judge(snapshot, answer, now)
    slot, standing = await count(state, principal, quest.id, snapshot.kind, wrong=not correct)
    job = AttemptJob(
        account_id=principal.id,
        challenge=snapshot,
        answer=answer,
        now=now,
        opened_at=verdict.opened_at,
        idempotency_key=key,
        correct=correct,
    )
    try:
        outcome = await state.writer.submit(job)
    except Exception as exc:
        if slot is not None:  # refused (already solved, locked, exhausted...): not counted
            await slot.give_back()
        if key is not None and isinstance(exc, IdempotencyRace | AlreadySolved):
            # The key was recorded by a request in another process: answer with its reply.
            replay = await _await_replay(state, principal, challenge_id, key)
            if replay is not None:
                return replay
        raise
    state.metrics.attempts.labels("correct" if outcome.correct else "wrong").inc()
    if outcome.correct:
        standing = await after_commit(state, principal, quest, outcome)
    result = AttemptResult(
        correct=outcome.correct,
        points_awarded=outcome.points_awarded,
        score=standing.score if standing else await sql_score(state, principal.id, quest.id),
        rank=(standing.rank or None) if standing else None,
        attempts_left=outcome.attempts_left,
    )
    if key is not None:
        await _store_reply(state, principal.id, key, result)
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


# KEYS[1] the quest's `all` board; ARGV[1] the player. Returns {score or "", 0-based rank or
# -1, size}: one reply to read instead of three.
_STANDING = limits.Script(
    """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
local size = redis.call('ZCARD', KEYS[1])
if not score then return {'', -1, size} end
return {score, redis.call('ZREVRANK', KEYS[1], ARGV[1]), size}
"""
)


def _standing_command(pipe: Pipeline, account_id: int, quest_id: int) -> None:
    _STANDING.queue(pipe, [keys.board(quest_id, "all")], [account_id])


def _standing(reply: Any) -> Standing:
    score, rank, total = reply
    if not score:
        return Standing(score=0, rank=0, total=int(total))  # not on the board yet
    return Standing(score=points_of(score), rank=int(rank) + 1, total=int(total))


async def current_standing(state: AppState, account_id: int, quest_id: int) -> Standing | None:
    try:
        reply = await _STANDING(state.redis, [keys.board(quest_id, "all")], [account_id])
    except RedisError:
        return None
    return _standing(reply)


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
