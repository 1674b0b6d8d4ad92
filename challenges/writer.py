"""Group commit for attempts: many attempts, one transaction, one thread hop.

The attempt is the hot path. Each queued attempt runs in its own SAVEPOINT inside a batch
transaction on a plain (synchronous) SQLAlchemy connection, so a conflict in one attempt
never undoes another, and a reply is only released once the batch has committed: an
acknowledged solve is always in SQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from challenges import kinds, scoring
from challenges.errors import AlreadySolved, AttemptsExhausted, Locked
from kit.errors import Conflict, DomainError, Unavailable
from kit.time import as_utc

log = logging.getLogger("talentquest.writer")


@dataclass(frozen=True)
class ChallengeSnapshot:
    """What the writer needs of a challenge, read once and cached by the caller."""

    id: int
    quest_id: int
    track: str
    kind: str
    points: int
    spec: dict[str, Any]
    max_attempts: int | None
    requires_ids: tuple[int, ...]
    scoring: dict[str, Any]


@dataclass(frozen=True)
class AttemptJob:
    account_id: int
    challenge: ChallengeSnapshot
    answer: Any
    now: datetime
    opened_at: datetime
    idempotency_key: str | None = None
    correct: bool | None = None  # judged by the caller already; None: the writer judges


@dataclass(frozen=True)
class SolveRecord:
    id: int
    track: str
    points: int
    solved_at: datetime


@dataclass(frozen=True)
class Outcome:
    correct: bool
    points_awarded: int
    attempts_left: int | None
    solve: SolveRecord | None = None


class IdempotencyRace(Conflict):
    code = "idempotency_conflict"
    detail = "A request with this Idempotency-Key is already being processed."


class KeyUsed(IdempotencyRace):
    """The attempt's Idempotency-Key is already recorded: nothing was counted, replay it."""


@dataclass
class _Pending:
    job: AttemptJob
    future: asyncio.Future[Outcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class AttemptWriter:
    """Queue attempts; `workers` loops each commit batches of up to `max_batch`."""

    def __init__(self, engine: Engine, *, workers: int = 1, max_batch: int = 128) -> None:
        self.engine = engine
        self.workers = workers
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tq-writer")
        self._tasks: list[asyncio.Task[None]] = []
        self.batches = 0
        self.attempts = 0

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name=f"attempt-writer-{i}")
            for i in range(self.workers)
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        while not self._queue.empty():
            pending = self._queue.get_nowait()
            if not pending.future.done():
                pending.future.set_exception(Unavailable("The service is stopping."))
        self._executor.shutdown(wait=True)
        self.engine.dispose()

    async def submit(self, job: AttemptJob) -> Outcome:
        pending = _Pending(job)
        self._queue.put_nowait(pending)
        return await pending.future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            jobs = [p.job for p in batch]
            try:
                results = await loop.run_in_executor(self._executor, self._process, jobs)
            except Exception as exc:  # the batch did not commit: nothing was acknowledged
                log.warning("attempt batch failed: %s", type(exc).__name__)
                results = [Unavailable("The record could not be written; try again.")] * len(batch)
            self.batches += 1
            self.attempts += len(batch)
            for pending, result in zip(batch, results, strict=True):
                if pending.future.done():
                    continue
                if isinstance(result, BaseException):
                    pending.future.set_exception(result)
                else:
                    pending.future.set_result(result)

    def _process(self, jobs: Sequence[AttemptJob]) -> list[Outcome | Exception]:
        """One transaction for the batch, one savepoint per attempt, on the raw DB-API cursor.

        The hot path skips SQLAlchemy's per-statement overhead: with ~8 statements an attempt
        that overhead was most of an attempt's cost.
        """
        dbapi = self.engine.dialect.dbapi
        assert dbapi is not None
        sql = _SQL_PG if self.engine.dialect.name == "postgresql" else _SQL_SQLITE
        for retry in range(3):
            raw = self.engine.raw_connection()
            try:
                cur = raw.cursor()
                if sql is _SQL_SQLITE:
                    cur.execute("BEGIN IMMEDIATE")
                results: list[Outcome | Exception] = []
                for job in jobs:
                    cur.execute("SAVEPOINT attempt")
                    try:
                        results.append(_one(cur, sql, job))
                        cur.execute("RELEASE SAVEPOINT attempt")
                    except DomainError as exc:
                        cur.execute("ROLLBACK TO SAVEPOINT attempt")
                        cur.execute("RELEASE SAVEPOINT attempt")
                        results.append(exc)
                    except dbapi.IntegrityError as exc:
                        cur.execute("ROLLBACK TO SAVEPOINT attempt")
                        cur.execute("RELEASE SAVEPOINT attempt")
                        results.append(_integrity(exc))
                raw.commit()
                cur.close()
                return results
            except dbapi.OperationalError:
                raw.rollback()
                if retry == 2:
                    raise
            except BaseException:
                raw.rollback()
                raise
            finally:
                raw.close()
        raise RuntimeError("unreachable")


def _integrity(exc: Exception) -> Exception:
    return IdempotencyRace() if "idempotent" in str(exc).lower() else AlreadySolved()


class _Sql:
    """The hot path's statements, written once with :named parameters."""

    def __init__(self, pyformat: bool) -> None:
        self.pyformat = pyformat
        self.cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        out = self.cache.get(text)
        if out is None:
            out = re.sub(r":(\w+)", r"%(\1)s", text) if self.pyformat else text
            self.cache[text] = out
        return out

    def ts(self, moment: datetime) -> Any:
        if self.pyformat:
            return moment
        return as_utc(moment).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")

    def json(self, value: Any) -> Any:
        if self.pyformat:
            from psycopg.types.json import Json

            return Json(value)
        return json.dumps(value)


_SQL_SQLITE = _Sql(pyformat=False)
_SQL_PG = _Sql(pyformat=True)

BUMP = (
    "INSERT INTO progress (account_id, challenge_id, attempts) VALUES (:a, :c, 1) "
    "ON CONFLICT (account_id, challenge_id) DO UPDATE SET attempts = progress.attempts + 1 "
    "WHERE progress.solved_at IS NULL AND progress.attempts < :cap RETURNING attempts"
)


def _one(cur: Any, sql: _Sql, job: AttemptJob) -> Outcome:
    ch = job.challenge
    a, c = job.account_id, ch.id
    if job.idempotency_key is not None:
        # Before the solved state: a duplicate that lost the race (in this batch or in another
        # process's committed one) is a replay of the first reply, never `already_solved`.
        cur.execute(
            sql("SELECT 1 FROM idempotent_response WHERE account_id = :a AND key = :k"),
            {"a": a, "k": job.idempotency_key},
        )
        if cur.fetchone() is not None:
            raise KeyUsed()
    if ch.requires_ids:
        marks = ", ".join(f":r{i}" for i in range(len(ch.requires_ids)))
        params = {f"r{i}": rid for i, rid in enumerate(ch.requires_ids)} | {"a": a}
        cur.execute(
            sql(f"SELECT count(*) FROM solve WHERE account_id = :a AND challenge_id IN ({marks})"),
            params,
        )
        if cur.fetchone()[0] < len(ch.requires_ids):
            raise Locked()
    cap = ch.max_attempts if ch.max_attempts is not None else 2**31 - 1
    cur.execute(sql(BUMP), {"a": a, "c": c, "cap": cap})
    row = cur.fetchone()
    if row is None:
        cur.execute(
            sql("SELECT solved_at FROM progress WHERE account_id = :a AND challenge_id = :c"),
            {"a": a, "c": c},
        )
        found = cur.fetchone()
        if found is not None and found[0] is not None:
            raise AlreadySolved()
        raise AttemptsExhausted()
    used = int(row[0])
    correct = job.correct
    if correct is None:
        correct = kinds.check(ch.kind, ch.spec, job.answer, now=job.now.timestamp())
    cur.execute(
        sql(
            "INSERT INTO attempt (account_id, challenge_id, correct, answer, submitted_at) "
            "VALUES (:a, :c, :ok, :answer, :t)"
        ),
        {"a": a, "c": c, "ok": correct, "answer": _stored(job.answer), "t": sql.ts(job.now)},
    )
    left = None if ch.max_attempts is None else max(0, ch.max_attempts - used)
    solve = _award(cur, sql, job) if correct else None
    points = solve.points if solve else 0
    if job.idempotency_key is not None:
        cur.execute(
            sql(
                "INSERT INTO idempotent_response "
                "(account_id, key, challenge_id, body, complete, created_at) "
                "VALUES (:a, :k, :c, :body, :done, :t)"
            ),
            {
                "a": a,
                "k": job.idempotency_key,
                "c": c,
                "body": sql.json(
                    {"correct": correct, "points_awarded": points, "attempts_left": left}
                ),
                "done": False,
                "t": sql.ts(job.now),
            },
        )
    return Outcome(correct, points, left, solve)


def _award(cur: Any, sql: _Sql, job: AttemptJob) -> SolveRecord:
    ch = job.challenge
    a, c = job.account_id, ch.id
    cur.execute(
        sql(
            "UPDATE challenge SET solve_count = solve_count + 1 WHERE id = :c RETURNING solve_count"
        ),
        {"c": c},
    )
    ordinal = int(cur.fetchone()[0])
    cur.execute(
        sql(
            "SELECT coalesce(sum(cost), 0) FROM hint_unlock "
            "WHERE account_id = :a AND challenge_id = :c"
        ),
        {"a": a, "c": c},
    )
    hint_cost = int(cur.fetchone()[0])
    award = scoring.award(
        base=ch.points,
        scoring=ch.scoring,
        opened_at=job.opened_at,
        solved_at=job.now,
        ordinal=ordinal,
        hint_cost=hint_cost,
    )
    cur.execute(
        sql(
            "INSERT INTO solve (account_id, challenge_id, quest_id, track, points, base, "
            "speed_bonus, first_bonus, hint_cost, solved_at) VALUES "
            "(:a, :c, :q, :track, :points, :base, :speed, :first, :hints, :t) RETURNING id"
        ),
        {
            "a": a,
            "c": c,
            "q": ch.quest_id,
            "track": ch.track,
            "points": award.points,
            "base": award.base,
            "speed": award.speed_bonus,
            "first": award.first_bonus,
            "hints": award.hint_cost,
            "t": sql.ts(job.now),
        },
    )
    solve_id = int(cur.fetchone()[0])
    cur.execute(
        sql("UPDATE progress SET solved_at = :t WHERE account_id = :a AND challenge_id = :c"),
        {"a": a, "c": c, "t": sql.ts(job.now)},
    )
    return SolveRecord(solve_id, ch.track, award.points, job.now)


def _stored(answer: Any) -> str:
    text = answer if isinstance(answer, str) else json.dumps(answer)
    return text[:500]
