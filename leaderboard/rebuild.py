"""Rebuild a quest's boards from the solve record, exactly as the live write path builds them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis

from leaderboard import keys
from leaderboard.board import composite, encoding_mark, tick
from leaderboard.windows import solve_scopes

CHUNK = 5000


@dataclass(frozen=True)
class SolveRow:
    player_id: int
    handle: str
    track: str
    points: int
    solved_at: datetime


@dataclass
class _Acc:
    points: int = 0
    ticks: int = 0


async def rebuild_quest(
    redis: Redis,
    *,
    quest_id: int,
    epoch: datetime,
    tz: str,
    solves: AsyncIterable[SolveRow],
    applied_count: int,
    frozen_at: datetime | None = None,
) -> int:
    """Replace every board of a quest with one computed from `solves`; returns boards written.

    Boards are written under temporary keys and renamed into place in one transaction, so
    readers never see a half-built board.
    """
    boards: dict[str, dict[int, _Acc]] = defaultdict(lambda: defaultdict(_Acc))
    frozen: dict[str, dict[int, _Acc]] = defaultdict(lambda: defaultdict(_Acc))
    handles: dict[int, str] = {}
    async for row in solves:
        handles[row.player_id] = row.handle
        ticks = tick(row.solved_at, epoch)
        for scope in solve_scopes(track=row.track, solved_at=row.solved_at, tz=tz):
            acc = boards[scope][row.player_id]
            acc.points += row.points
            acc.ticks = max(acc.ticks, ticks)
            if frozen_at is not None and row.solved_at <= frozen_at:
                facc = frozen[scope][row.player_id]
                facc.points += row.points
                facc.ticks = max(facc.ticks, ticks)

    written: list[tuple[str, str]] = []  # (tmp key, final key)
    for kind, source in (("board", boards), ("frozen", frozen)):
        for scope, players in source.items():
            key = keys.rebuild_staging(quest_id, kind, scope)
            await redis.delete(key)
            items = [(str(pid), composite(a.points, a.ticks)) for pid, a in players.items()]
            for i in range(0, len(items), CHUNK):
                await redis.zadd(key, dict(items[i : i + CHUNK]))
            final = keys.board(quest_id, scope) if kind == "board" else keys.frozen(quest_id, scope)
            written.append((key, final))
    handle_items = list(handles.items())
    staged_handles = keys.rebuild_staging(quest_id, "handles", "_")
    await redis.delete(staged_handles)
    for i in range(0, len(handle_items), CHUNK):
        await redis.hset(staged_handles, mapping=dict(handle_items[i : i + CHUNK]))

    old_scopes = {
        s.decode() if isinstance(s, bytes) else str(s)
        for s in await redis.smembers(keys.scopes(quest_id))
    }
    async with redis.pipeline(transaction=True) as pipe:
        for scope in old_scopes:
            pipe.delete(keys.board(quest_id, scope), keys.frozen(quest_id, scope))
        pipe.delete(keys.handles(quest_id), keys.scopes(quest_id))
        for key, final in written:
            pipe.rename(key, final)
        if handle_items:
            pipe.rename(staged_handles, keys.handles(quest_id))
        if boards:
            pipe.sadd(keys.scopes(quest_id), *boards.keys())
            pipe.sadd(keys.changed(quest_id), *boards.keys())
        pipe.set(keys.applied(quest_id), applied_count)
        pipe.set(keys.encoding(quest_id), encoding_mark(epoch))
        await pipe.execute()
    return len(written)
