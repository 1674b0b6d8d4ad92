"""Reads and writes of Redis boards. One write path: `award`, run after the solve commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from leaderboard import keys
from leaderboard.keys import ENCODING, MAX_POINTS, TICK_MS, TICK_SPAN

_AWARD_LUA = (Path(__file__).parent / "lua" / "award.lua").read_text()
READ_LUA = (Path(__file__).parent / "lua" / "read.lua").read_text()
_UNIX = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Standing:
    score: int
    rank: int  # 1-based unique position
    total: int


@dataclass(frozen=True)
class PlayerRef:
    id: int
    handle: str


@dataclass(frozen=True)
class BoardEntry:
    """One row of a board: `rank` is unique, `competition_rank` shares ties (1, 2, 2, 4)."""

    rank: int
    competition_rank: int
    player: PlayerRef
    score: int
    reached_at: datetime

    def as_json(self) -> dict[str, Any]:
        """The entry as JSON-ready data (archives and live snapshots carry it so)."""
        return {
            "rank": self.rank,
            "competition_rank": self.competition_rank,
            "player": {"id": self.player.id, "handle": self.player.handle},
            "score": self.score,
            "reached_at": self.reached_at.isoformat(),
        }


@dataclass(frozen=True)
class MyStanding:
    """A player's place on a board, with the entries around it."""

    rank: int
    competition_rank: int
    score: int
    reached_at: datetime
    percentile: float
    total: int
    neighbours: list[BoardEntry]


def tick(solved_at: datetime, epoch: datetime) -> int:
    """Ticks (100 ms) since the quest's epoch: the later a score is reached, the lower it ranks.

    Exact integer arithmetic on microseconds (a float of milliseconds could round a solve
    into the next tick); clamped to the 32 bits the score keeps for time (13.6 years).
    """
    ticks = (solved_at - epoch) // timedelta(milliseconds=TICK_MS)
    return min(max(ticks, 0), TICK_SPAN - 1)


def composite(points: int, ticks: int) -> int:
    """The board score: points high, "reached earlier" low; exact below 2**53."""
    return min(points, MAX_POINTS) * TICK_SPAN + (TICK_SPAN - 1 - ticks)


def points_of(score: float | str | bytes) -> int:
    """The points of a board score (as Redis returns it)."""
    return int(float(score)) // TICK_SPAN


def decode(score: float, epoch: datetime) -> tuple[int, datetime]:
    """Points and the moment they were reached (to the tick) from a board score."""
    points, low = divmod(int(score), TICK_SPAN)
    ticks = TICK_SPAN - 1 - low
    return points, epoch + timedelta(milliseconds=ticks * TICK_MS)


def encoding_mark(epoch: datetime) -> str:
    """The marker boards written with today's layout and this epoch carry (`keys.encoding`)."""
    return f"{ENCODING}:{(epoch - _UNIX) // timedelta(milliseconds=1)}"


class Boards:
    """The leaderboard store of one Redis connection pool."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._award: AsyncScript = redis.register_script(_AWARD_LUA)
        self._read: AsyncScript = redis.register_script(READ_LUA)

    async def award(
        self,
        *,
        quest_id: int,
        player_id: int,
        handle: str,
        points: int,
        ticks: int,
        scopes: list[str],
        epoch: datetime,
    ) -> Standing:
        """Apply one solve to every board in `scopes` (the first must be `all`).

        Raises a RedisError (ResponseError) without writing anything when the quest's boards
        carry another encoding or epoch (`keys.encoding`): the reconciler rebuilds them.
        """
        board_keys = [keys.board(quest_id, s) for s in scopes]
        result = await self._award(
            keys=[
                keys.applied(quest_id),
                keys.handles(quest_id),
                keys.scopes(quest_id),
                keys.changed(quest_id),
                keys.encoding(quest_id),
                *board_keys,
            ],
            args=[
                player_id,
                handle,
                points,
                ticks,
                encoding_mark(epoch),
                TICK_SPAN,
                MAX_POINTS,
                *scopes,
            ],
        )
        score, rank, total = (int(v) for v in result)
        return Standing(score=score, rank=rank + 1, total=total)

    def _key(self, quest_id: int, scope: str, frozen: bool) -> str:
        return keys.frozen(quest_id, scope) if frozen else keys.board(quest_id, scope)

    async def top(
        self, *, quest_id: int, scope: str, epoch: datetime, limit: int, offset: int, frozen: bool
    ) -> tuple[int, list[BoardEntry]]:
        """A page of a board: one round trip (`lua/read.lua`)."""
        key = self._key(quest_id, scope, frozen)
        total, start, _, rows, handles, higher = await self._read(
            keys=[key, keys.handles(quest_id)], args=["top", offset, limit, TICK_SPAN]
        )
        return int(total), _entries(rows, handles, higher, int(start), epoch)

    async def me(
        self,
        *,
        quest_id: int,
        scope: str,
        epoch: datetime,
        player_id: int,
        around: int,
        frozen: bool,
    ) -> MyStanding | None:
        """A player's place and the rows around it: one round trip (`lua/read.lua`)."""
        key = self._key(quest_id, scope, frozen)
        total, start, rank, rows, handles, higher = await self._read(
            keys=[key, keys.handles(quest_id)], args=["me", player_id, around, TICK_SPAN]
        )
        if int(rank) < 0:
            return None
        entries = _entries(rows, handles, higher, int(start), epoch)
        mine = entries[int(rank) - int(start)]
        total = int(total)
        return MyStanding(
            rank=mine.rank,
            competition_rank=mine.competition_rank,
            score=mine.score,
            reached_at=mine.reached_at,
            percentile=percentile(mine.rank, total),
            total=total,
            neighbours=entries,
        )

    async def remove_player(self, *, quest_id: int, player_id: int) -> None:
        """Take a player off every board of a quest (ban, erasure)."""
        scopes = [_text(s) for s in await self.redis.smembers(keys.scopes(quest_id))]
        async with self.redis.pipeline(transaction=True) as pipe:
            for scope in scopes:
                pipe.zrem(keys.board(quest_id, scope), player_id)
                pipe.zrem(keys.frozen(quest_id, scope), player_id)
                pipe.sadd(keys.changed(quest_id), scope)
            pipe.hdel(keys.handles(quest_id), player_id)
            await pipe.execute()

    async def freeze(self, *, quest_id: int) -> None:
        """Copy every live board to its public frozen copy."""
        scopes = [_text(s) for s in await self.redis.smembers(keys.scopes(quest_id))]
        async with self.redis.pipeline(transaction=True) as pipe:
            for scope in scopes:
                pipe.copy(keys.board(quest_id, scope), keys.frozen(quest_id, scope), replace=True)
                pipe.sadd(keys.changed(quest_id), scope)
            await pipe.execute()

    async def unfreeze(self, *, quest_id: int) -> None:
        scopes = [_text(s) for s in await self.redis.smembers(keys.scopes(quest_id))]
        if scopes:
            await self.redis.delete(*(keys.frozen(quest_id, s) for s in scopes))
            await self.redis.sadd(keys.changed(quest_id), *scopes)

    async def encoding(self, *, quest_id: int) -> str | None:
        """The encoding marker of the quest's boards (None: not written by this version)."""
        value = await self.redis.get(keys.encoding(quest_id))
        return None if value is None else _text(value)

    async def applied(self, *, quest_id: int) -> int | None:
        value = await self.redis.get(keys.applied(quest_id))
        return None if value is None else int(value)


def _entries(
    rows: list[Any], handles: list[Any], higher: list[Any], offset: int, epoch: datetime
) -> list[BoardEntry]:
    """Board rows from `read.lua`'s flat [member, score, ...], handles and higher counts."""
    entries = []
    for i, handle in enumerate(handles):
        pid = int(rows[2 * i])
        points, reached = decode(float(rows[2 * i + 1]), epoch)
        entries.append(
            BoardEntry(
                rank=offset + i + 1,
                competition_rank=int(higher[i]) + 1,
                player=PlayerRef(id=pid, handle=_text(handle) or f"player-{pid}"),
                score=points,
                reached_at=reached,
            )
        )
    return entries


def percentile(rank: int, total: int) -> float:
    """Share of the board at or below this player, in percent: the leader has 100."""
    if total <= 0:
        return 0.0
    return round(100.0 * (total - rank + 1) / total, 2)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)
