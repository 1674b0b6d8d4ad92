"""Keep Redis boards equal to the SQL record: rebuild on demand, on start-up, after outages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import func, text
from sqlmodel import col, select

from challenges.models import Solve
from kit.loops import check_stop
from kit.time import as_utc, utcnow
from leaderboard import keys
from leaderboard.board import encoding_mark
from leaderboard.rebuild import RawRow, rebuild_quest
from quest.core.state import AppState
from quest.quests.models import Quest

log = logging.getLogger("talentquest.boards")
SETTLE = timedelta(seconds=3)  # solves younger than this may still be on their way to Redis


_ROWS_SQL = (
    "SELECT s.account_id, a.handle, s.track, s.points, s.solved_at FROM solve s"
    " JOIN account a ON a.id = s.account_id"
    " WHERE s.quest_id = {param} AND a.banned_at IS NULL AND a.erased_at IS NULL"
    " ORDER BY s.solved_at, s.id"
)
FETCH = 20_000  # rows per round trip to the database


async def _solve_rows(state: AppState, quest_id: int) -> AsyncIterator[list[RawRow]]:
    """A quest's solves of players still on the boards, in batches of plain tuples.

    Read on the raw DB-API connection (aiosqlite, asyncpg): the ORM's per-row objects and
    type processing cost ten times the read itself for a million rows. The next batch is
    fetched while the caller folds the current one. Other drivers go through SQLAlchemy.
    """
    async with state.primary_readmaker() as session:
        conn = await session.connection()
        driver: Any = (await conn.get_raw_connection()).driver_connection
        module = type(driver).__module__
        if module.startswith("aiosqlite"):
            cursor = await driver.execute(_ROWS_SQL.format(param="?"), (quest_id,))
            async for batch in _prefetched(lambda: cursor.fetchmany(FETCH)):
                yield batch
            await cursor.close()
        elif module.startswith("asyncpg"):
            sql = _ROWS_SQL.format(param="$1")
            async with contextlib.AsyncExitStack() as stack:
                if not driver.is_in_transaction():  # a cursor needs one
                    await stack.enter_async_context(driver.transaction(readonly=True))
                pg_cursor = await driver.cursor(sql, quest_id)
                async for batch in _prefetched(lambda: pg_cursor.fetch(FETCH)):
                    yield batch
        else:
            result = await conn.stream(
                text(_ROWS_SQL.format(param=":quest_id")), {"quest_id": quest_id}
            )
            async for part in result.partitions(FETCH):
                yield [
                    (int(p), str(h), str(t), int(n), as_utc(a) if isinstance(a, datetime) else a)
                    for p, h, t, n, a in part
                ]


async def _prefetched(
    fetch: Callable[[], Awaitable[Sequence[Any]]],
) -> AsyncIterator[list[RawRow]]:
    pending = asyncio.ensure_future(fetch())
    try:
        while True:
            batch = await pending
            if not batch:
                return
            pending = asyncio.ensure_future(fetch())
            yield list(batch)
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending


async def solve_count(state: AppState, quest_id: int, before: datetime | None = None) -> int:
    query = select(func.count()).select_from(Solve).where(Solve.quest_id == quest_id)
    if before is not None:
        query = query.where(col(Solve.solved_at) < before)
    async with state.primary_readmaker() as session:
        return int((await session.exec(query)).one())


async def rebuild(state: AppState, quest: Quest, *, reason: str = "manual") -> int:
    """Rebuild every board of one quest from SQL; one process at a time per quest."""
    assert quest.id is not None
    lock = state.redis.lock(keys.rebuild_lock(quest.id), timeout=300, blocking_timeout=300)
    async with lock:
        count = await solve_count(state, quest.id)
        written = await rebuild_quest(
            state.redis,
            quest_id=quest.id,
            epoch=as_utc(quest.starts_at),
            tz=quest.timezone,
            batches=_solve_rows(state, quest.id),
            applied_count=count,
            frozen_at=as_utc(quest.frozen_at) if quest.frozen and quest.frozen_at else None,
        )
    state.metrics.rebuilds.labels(reason).inc()
    log.info("rebuilt %d boards of quest %s (%s)", written, quest.slug, reason)
    return written


async def quests(state: AppState, slug: str | None = None) -> list[Quest]:
    async with state.primary_readmaker() as session:
        query = select(Quest)
        if slug is not None:
            query = query.where(Quest.slug == slug)
        return list((await session.exec(query)).all())


async def reconcile(state: AppState) -> list[str]:
    """Rebuild the boards of any quest whose Redis copy misses solves SQL has, or was written
    with another score encoding or quest start (an upgrade, a new `starts_at`)."""
    rebuilt = []
    for quest in await quests(state):
        assert quest.id is not None
        applied = await state.boards.applied(quest_id=quest.id)
        mark = await state.boards.encoding(quest_id=quest.id)
        if (applied is not None or mark is not None) and mark != encoding_mark(
            as_utc(quest.starts_at)
        ):
            await rebuild(state, quest, reason="encoding")
            rebuilt.append(quest.slug)
            continue
        if applied is None:
            if await solve_count(state, quest.id) == 0:
                continue
            await rebuild(state, quest, reason="missing")
            rebuilt.append(quest.slug)
            continue
        settled = await solve_count(state, quest.id, before=utcnow() - SETTLE)
        if applied < settled:
            await rebuild(state, quest, reason="behind")
            rebuilt.append(quest.slug)
    return rebuilt


async def reconcile_forever(state: AppState) -> None:
    """The safety net: a solve committed while Redis was away reaches the boards here."""
    while True:
        await asyncio.sleep(state.settings.reconcile_interval_s)
        check_stop()
        try:
            await reconcile(state)
        except (RedisError, OSError) as exc:
            log.warning("board reconcile skipped: %s", exc)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("board reconcile failed")
