"""The composite board score on a real Redis: ties by time over a quest of any length up to
ten years, exact points, and rebuild-from-SQL byte-identical to the live write path."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from leaderboard import keys
from leaderboard.board import Boards, composite, decode, tick
from leaderboard.rebuild import RawRow, SolveRow, rebuild_quest
from leaderboard.windows import solve_scopes

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
TZ = "Asia/Hong_Kong"
QUEST = 9101


@pytest_asyncio.fixture
async def boards(redis_url: str) -> AsyncIterator[Boards]:
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    try:
        yield Boards(redis)
    finally:
        await redis.flushdb()
        await redis.aclose()


async def _award(boards: Boards, player: int, points: int, at: datetime) -> None:
    await boards.award(
        quest_id=QUEST,
        player_id=player,
        handle=f"p{player}",
        points=points,
        ticks=tick(at, EPOCH),
        scopes=solve_scopes(track="t", solved_at=at, tz=TZ),
        epoch=EPOCH,
    )


async def _top(boards: Boards, scope: str = "all") -> list[tuple[int, int, datetime]]:
    _, entries = await boards.top(
        quest_id=QUEST, scope=scope, epoch=EPOCH, limit=10, offset=0, frozen=False
    )
    return [(e.player.id, e.score, e.reached_at) for e in entries]


async def test_ties_after_600_days_rank_by_time(boards: Boards) -> None:
    # Player 7 (the higher id, which Redis ranks first among equal scores) gets there a day
    # later than player 3: the earlier one must lead, on every board the solves touch.
    early = EPOCH + timedelta(days=600, hours=5, milliseconds=300)
    late = EPOCH + timedelta(days=601, hours=5, milliseconds=300)
    await _award(boards, 3, 250, early)
    await _award(boards, 7, 250, late)
    assert await _top(boards) == [(3, 250, early), (7, 250, late)]
    assert [p for p, _, _ in await _top(boards, "track:t")] == [3, 7]


async def test_ties_a_tenth_of_a_second_apart_rank_by_time(boards: Boards) -> None:
    first = EPOCH + timedelta(days=900, seconds=12, milliseconds=100)
    second = first + timedelta(milliseconds=keys.TICK_MS)
    await _award(boards, 2, 40, first)
    await _award(boards, 9, 40, second)
    # Player 9 solved a tick later but would win a tie by member order: time decides.
    assert [p for p, _, _ in await _top(boards)] == [2, 9]


async def test_a_ten_year_quest_ranks_ties_by_time_to_the_end(boards: Boards) -> None:
    end = EPOCH + timedelta(days=3653)  # ten years and a bit
    await _award(boards, 5, 10, end - timedelta(days=2))
    await _award(boards, 4, 10, end - timedelta(days=1))
    await _award(boards, 8, 10, end - timedelta(seconds=1))
    top = await _top(boards)
    assert [p for p, _, _ in top] == [5, 4, 8]
    assert top[2][2] == end - timedelta(seconds=1)
    assert keys.TICK_SPAN * keys.TICK_MS / 1000 / 86400 / 365.25 > 10  # the horizon


async def test_the_largest_supported_score_is_exact(boards: Boards) -> None:
    at = EPOCH + timedelta(days=3650, milliseconds=700)
    await _award(boards, 1, keys.MAX_POINTS - 1, at - timedelta(days=1))
    await _award(boards, 1, 1, at)
    await _award(boards, 2, keys.MAX_POINTS, at + timedelta(milliseconds=100))
    assert await _top(boards) == [
        (1, keys.MAX_POINTS, at),
        (2, keys.MAX_POINTS, at + timedelta(milliseconds=100)),
    ]
    score = composite(keys.MAX_POINTS, keys.TICK_SPAN - 1)
    assert score < 2**53 and float(score) == score
    assert decode(float(composite(keys.MAX_POINTS, 0)), EPOCH) == (keys.MAX_POINTS, EPOCH)


async def test_rebuild_is_byte_identical_to_live_awards(boards: Boards) -> None:
    rng = random.Random(9)
    rows = [
        SolveRow(
            player_id=rng.randint(1, 12),
            handle="",
            track=rng.choice(["a", "b"]),
            points=rng.choice([0, 1, 50, 100_000]),
            solved_at=EPOCH + timedelta(days=rng.uniform(0, 3650)),
        )
        for _ in range(200)
    ]
    rows = [SolveRow(r.player_id, f"p{r.player_id}", r.track, r.points, r.solved_at) for r in rows]
    # Live awards arrive in any order (the writer commits a batch, awards run concurrently).
    for row in rows:
        await boards.award(
            quest_id=QUEST,
            player_id=row.player_id,
            handle=row.handle,
            points=row.points,
            ticks=tick(row.solved_at, EPOCH),
            scopes=solve_scopes(track=row.track, solved_at=row.solved_at, tz=TZ),
            epoch=EPOCH,
        )
    redis = boards.redis
    scopes = sorted(s.decode() for s in await redis.smembers(keys.scopes(QUEST)))
    live = {s: await redis.zrange(keys.board(QUEST, s), 0, -1, withscores=True) for s in scopes}

    async def record() -> AsyncIterator[SolveRow]:
        for row in sorted(rows, key=lambda r: r.solved_at):
            yield row

    await rebuild_quest(
        redis, quest_id=QUEST, epoch=EPOCH, tz=TZ, solves=record(), applied_count=len(rows)
    )
    rebuilt = {s: await redis.zrange(keys.board(QUEST, s), 0, -1, withscores=True) for s in scopes}
    assert rebuilt == live
    raw_live = {s: [repr(v) for _, v in rows_] for s, rows_ in live.items()}
    assert raw_live == {s: [repr(v) for _, v in rows_] for s, rows_ in rebuilt.items()}


@pytest.mark.parametrize(
    "tz", ["America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "Europe/London"]
)
async def test_rebuild_matches_live_awards_across_offsets_and_dst(boards: Boards, tz: str) -> None:
    # Solves packed around local midnights and DST changes (New York and London change by an
    # hour, Lord Howe by 30 minutes, Kathmandu sits at +05:45): the rebuild's per-15-minute
    # day and week look-up must put every solve on the board the live path put it on.
    rng = random.Random(tz)
    epoch = EPOCH + timedelta(minutes=7, seconds=13, milliseconds=300)  # slots unaligned
    moments = [datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 3, 29, 1, tzinfo=UTC)]
    moments += [datetime(2026, 4, 4, 15, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)]
    moments += [datetime(2026, 5, 3, 18, 15, tzinfo=UTC)]  # Kathmandu's midnight, a Sunday
    rows = [
        SolveRow(
            player_id=(p := rng.randint(1, 15)),
            handle=f"p{p}",
            track=rng.choice(["a", "b"]),
            points=rng.choice([1, 5, 20]),
            solved_at=rng.choice(moments) + timedelta(seconds=rng.uniform(-5400, 5400)),
        )
        for _ in range(400)
    ]
    frozen_at = sorted(r.solved_at for r in rows)[250]
    for row in sorted(rows, key=lambda r: r.solved_at):
        if row.solved_at > frozen_at and not await boards.redis.exists(keys.frozen(QUEST, "all")):
            await boards.freeze(quest_id=QUEST)
        await boards.award(
            quest_id=QUEST,
            player_id=row.player_id,
            handle=row.handle,
            points=row.points,
            ticks=tick(row.solved_at, epoch),
            scopes=solve_scopes(track=row.track, solved_at=row.solved_at, tz=tz),
            epoch=epoch,
        )
    redis = boards.redis
    scopes = sorted(s.decode() for s in await redis.smembers(keys.scopes(QUEST)))
    assert sum(s.startswith("daily:") for s in scopes) >= 5

    async def dump() -> dict[str, list[tuple[bytes, float]]]:
        out = {}
        for s in scopes:
            out[s] = await redis.zrange(keys.board(QUEST, s), 0, -1, withscores=True)
            out["frozen " + s] = await redis.zrange(keys.frozen(QUEST, s), 0, -1, withscores=True)
        out["handles"] = sorted((await redis.hgetall(keys.handles(QUEST))).items())
        return out

    live = await dump()

    async def record() -> AsyncIterator[SolveRow]:
        for row in rows:  # in no particular order
            yield row

    await rebuild_quest(
        redis,
        quest_id=QUEST,
        epoch=epoch,
        tz=tz,
        solves=record(),
        applied_count=len(rows),
        frozen_at=frozen_at,
    )
    assert await dump() == live
    # The same solves as the raw SQLite cursor hands them over: times as UTC text.
    await rebuild_quest(
        redis,
        quest_id=QUEST,
        epoch=epoch,
        tz=tz,
        batches=_as_sqlite_text(rows),
        applied_count=len(rows),
        frozen_at=frozen_at,
    )
    assert await dump() == live


async def _as_sqlite_text(rows: list[SolveRow]) -> AsyncIterator[list[RawRow]]:
    for i in range(0, len(rows), 64):
        yield [
            (r.player_id, r.handle, r.track, r.points, f"{r.solved_at:%Y-%m-%d %H:%M:%S.%f}")
            for r in rows[i : i + 64]
        ]
