"""Board pages read in one round trip (`lua/read.lua`): ranks, ties, edges, missing handles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest_asyncio
from redis.asyncio import Redis

from leaderboard import keys
from leaderboard.board import Boards, tick
from leaderboard.windows import solve_scopes

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
QUEST = 9202


@pytest_asyncio.fixture
async def boards(redis_url: str) -> AsyncIterator[Boards]:
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    board = Boards(redis)
    # points, seconds after the start: 7 leads; 2 and 1 tie (2 first); 3 and 5 tie (3 first)
    for pid, points, second in [(1, 50, 5), (2, 50, 3), (3, 20, 1), (7, 90, 9), (5, 20, 2)]:
        at = EPOCH + timedelta(seconds=second)
        await board.award(
            quest_id=QUEST,
            player_id=pid,
            handle=f"h{pid}",
            points=points,
            ticks=tick(at, EPOCH),
            scopes=solve_scopes(track="t", solved_at=at, tz="UTC"),
            epoch=EPOCH,
        )
    try:
        yield board
    finally:
        await redis.flushdb()
        await redis.aclose()


async def test_top_pages_rank_ties_by_time_and_share_competition_ranks(boards: Boards) -> None:
    total, entries = await boards.top(
        quest_id=QUEST, scope="all", epoch=EPOCH, limit=10, offset=0, frozen=False
    )
    assert total == 5
    assert [(e.rank, e.competition_rank, e.player.id, e.score) for e in entries] == [
        (1, 1, 7, 90),
        (2, 2, 2, 50),
        (3, 2, 1, 50),
        (4, 4, 3, 20),
        (5, 4, 5, 20),
    ]
    assert entries[1].reached_at == EPOCH + timedelta(seconds=3)
    _, page = await boards.top(
        quest_id=QUEST, scope="all", epoch=EPOCH, limit=2, offset=2, frozen=False
    )
    assert [(e.rank, e.competition_rank, e.player.id) for e in page] == [(3, 2, 1), (4, 4, 3)]
    assert await boards.top(
        quest_id=QUEST, scope="all", epoch=EPOCH, limit=10, offset=50, frozen=False
    ) == (5, [])
    assert await boards.top(
        quest_id=QUEST, scope="all", epoch=EPOCH, limit=10, offset=0, frozen=True
    ) == (0, [])


async def test_me_gives_the_rows_around_the_player(boards: Boards) -> None:
    mine = await boards.me(
        quest_id=QUEST, scope="all", epoch=EPOCH, player_id=3, around=1, frozen=False
    )
    assert mine is not None
    assert (mine.rank, mine.competition_rank, mine.score, mine.total) == (4, 4, 20, 5)
    assert mine.percentile == 40.0
    assert [(e.rank, e.player.id) for e in mine.neighbours] == [(3, 1), (4, 3), (5, 5)]
    leader = await boards.me(
        quest_id=QUEST, scope="all", epoch=EPOCH, player_id=7, around=2, frozen=False
    )
    assert leader is not None and [e.player.id for e in leader.neighbours] == [7, 2, 1]
    assert (
        await boards.me(
            quest_id=QUEST, scope="all", epoch=EPOCH, player_id=99, around=2, frozen=False
        )
        is None
    )


async def test_a_missing_handle_reads_as_a_placeholder(boards: Boards) -> None:
    await boards.redis.hdel(keys.handles(QUEST), "2")
    _, entries = await boards.top(
        quest_id=QUEST, scope="all", epoch=EPOCH, limit=3, offset=0, frozen=False
    )
    assert [e.player.handle for e in entries] == ["h7", "player-2", "h1"]
