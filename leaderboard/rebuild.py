"""Rebuild a quest's boards from the solve record, exactly as the live write path builds them.

A million solves are a few seconds of work: the caller streams plain row tuples in batches
(`RawRow`, read on the raw DB-API cursor), `Tally` folds them into per-board sums in one
tight loop (the day and week of a solve are looked up per 15 minutes of time, not computed
per row), and the sorted sets are written under staging keys by pipelined ZADDs, two
pipelines in flight, then renamed into place in one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from leaderboard import keys
from leaderboard.board import encoding_mark
from leaderboard.keys import MAX_POINTS, TICK_MS, TICK_SPAN
from leaderboard.windows import day_key, week_key

CHUNK = 10_000  # members per ZADD / HSET
IN_FLIGHT = 2  # pipelines written at once: encoding one overlaps Redis applying the other
PIPELINE_MEMBERS = 50_000  # members per pipeline
_TICK = timedelta(milliseconds=TICK_MS)
_SLOT_TICKS = 9000  # 15 minutes: every UTC offset in use is a multiple of it
_SLOT = _TICK * _SLOT_TICKS


@dataclass(frozen=True)
class SolveRow:
    player_id: int
    handle: str
    track: str
    points: int
    solved_at: datetime


# (player id, handle, track, points, solved_at): solved_at an aware datetime, a naive one in
# UTC, or the text SQLite stores ("YYYY-MM-DD HH:MM:SS[.ffffff]", UTC).
RawRow = tuple[int, str, str, int, "datetime | str"]
Acc = list[int]  # [points, latest tick]
Board = dict[int, Acc]


class Tally:
    """Per-board sums of a quest's solves, the way `award.lua` accumulates them."""

    def __init__(self, *, epoch: datetime, tz: str, frozen_at: datetime | None) -> None:
        self.epoch = epoch.astimezone(UTC)
        self._naive_epoch = self.epoch.replace(tzinfo=None)
        self.zone = ZoneInfo(tz)
        self.tz = tz
        self.frozen_at = frozen_at.astimezone(UTC) if frozen_at is not None else None
        self.boards: dict[str, Board] = {}
        self.frozen: dict[str, Board] = {}
        self.handles: dict[int, str] = {}
        self._windows: dict[int, tuple[str, str] | None] = {}

    def _board(self, scope: str) -> Board:
        board = self.boards.get(scope)
        if board is None:
            board = self.boards[scope] = {}
        return board

    def _window(self, slot: int) -> tuple[str, str] | None:
        """(daily scope, weekly scope) shared by every moment of one 15-minute slot after the
        epoch, or None when a day, week or UTC offset changes inside it (then per row)."""
        if slot not in self._windows:
            start = self.epoch + _SLOT * slot
            end = start + _SLOT - timedelta(microseconds=1)
            same = (
                start.astimezone(self.zone).utcoffset() == end.astimezone(self.zone).utcoffset()
                and day_key(start, self.tz) == day_key(end, self.tz)
                and week_key(start, self.tz) == week_key(end, self.tz)
            )
            self._windows[slot] = (
                (f"daily:{day_key(start, self.tz)}", f"weekly:{week_key(start, self.tz)}")
                if same
                else None
            )
        return self._windows[slot]

    def add(self, rows: Sequence[RawRow]) -> None:
        """Fold a batch of solves into the boards (any order: the latest tick wins)."""
        epoch, naive_epoch, frozen_at = self.epoch, self._naive_epoch, self.frozen_at
        handles, boards, windows = self.handles, self.boards, self._windows
        tracks: dict[str, Board] = {}
        parse = datetime.fromisoformat
        last = TICK_SPAN - 1
        for pid, handle, track, points, at in rows:
            if isinstance(at, str):
                at = parse(at)
            raw = (at - (naive_epoch if at.tzinfo is None else epoch)) // _TICK
            ticks = 0 if raw < 0 else last if raw > last else raw
            handles[pid] = handle
            slot = raw // _SLOT_TICKS
            window = windows[slot] if slot in windows else self._window(slot)
            aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
            if window is None:
                window = (f"daily:{day_key(aware, self.tz)}", f"weekly:{week_key(aware, self.tz)}")
            track_board = tracks.get(track)
            if track_board is None:
                track_board = tracks[track] = self._board(f"track:{track}")
            daily = boards.get(window[0]) or self._board(window[0])
            weekly = boards.get(window[1]) or self._board(window[1])
            for board in (boards.get("all") or self._board("all"), track_board, daily, weekly):
                acc = board.get(pid)
                if acc is None:
                    board[pid] = [points, ticks]
                else:
                    acc[0] += points
                    if ticks > acc[1]:
                        acc[1] = ticks
            if frozen_at is not None and aware <= frozen_at:
                self._add_frozen(pid, track, window, points, ticks)

    def _add_frozen(
        self, pid: int, track: str, window: tuple[str, str], points: int, ticks: int
    ) -> None:
        for scope in ("all", f"track:{track}", *window):
            board = self.frozen.setdefault(scope, {})
            acc = board.get(pid)
            if acc is None:
                board[pid] = [points, ticks]
            else:
                acc[0] += points
                acc[1] = max(acc[1], ticks)


def _zadd_args(board: Board) -> Iterator[list[Any]]:
    """ZADD arguments (score, member, …) of a board in chunks, scores as `composite` makes them."""
    items = list(board.items())
    span, most, top = TICK_SPAN, MAX_POINTS, TICK_SPAN - 1
    for i in range(0, len(items), CHUNK):
        args: list[Any] = []
        append = args.append
        for pid, (points, ticks) in items[i : i + CHUNK]:
            append((points if points < most else most) * span + (top - ticks))
            append(pid)
        yield args


async def _write(redis: Redis, commands: Iterator[tuple[Any, ...]]) -> None:
    """Run the commands in pipelines without a transaction, `IN_FLIGHT` at a time."""
    running: set[asyncio.Task[Any]] = set()

    async def send(batch: list[tuple[Any, ...]]) -> None:
        async with redis.pipeline(transaction=False) as pipe:
            for command in batch:
                pipe.execute_command(*command)
            await pipe.execute()

    try:
        batch: list[tuple[Any, ...]] = []
        size = 0
        for command in commands:
            batch.append(command)
            size += len(command) // 2
            if size >= PIPELINE_MEMBERS:
                if len(running) >= IN_FLIGHT:
                    done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    running -= done
                    for task in done:
                        task.result()
                running.add(asyncio.create_task(send(batch)))
                batch, size = [], 0
        if batch:
            running.add(asyncio.create_task(send(batch)))
        if running:
            await asyncio.gather(*running)
    finally:
        for task in running:
            task.cancel()


async def rebuild_quest(
    redis: Redis,
    *,
    quest_id: int,
    epoch: datetime,
    tz: str,
    solves: AsyncIterable[SolveRow] | None = None,
    batches: AsyncIterable[Sequence[RawRow]] | None = None,
    applied_count: int,
    frozen_at: datetime | None = None,
) -> int:
    """Replace every board of a quest with one computed from the solves; returns boards written.

    The solves come as `SolveRow`s or, faster, as `batches` of `RawRow` tuples. Boards are
    written under temporary keys and renamed into place in one transaction, so readers never
    see a half-built board.
    """
    tally = Tally(epoch=epoch, tz=tz, frozen_at=frozen_at)
    if batches is not None:
        async for batch in batches:
            tally.add(batch)
    if solves is not None:
        async for batch in _batched(solves):
            tally.add(batch)

    written: list[tuple[str, str]] = []  # (staging key, final key)
    staged: list[tuple[str, Board]] = []
    for kind, source in (("board", tally.boards), ("frozen", tally.frozen)):
        for scope, players in source.items():
            key = keys.rebuild_staging(quest_id, kind, scope)
            final = keys.board(quest_id, scope) if kind == "board" else keys.frozen(quest_id, scope)
            written.append((key, final))
            staged.append((key, players))
    staged_handles = keys.rebuild_staging(quest_id, "handles", "_")
    await redis.delete(staged_handles, *(key for key, _ in written))

    def commands() -> Iterator[tuple[Any, ...]]:
        for key, players in staged:
            for args in _zadd_args(players):
                yield ("ZADD", key, *args)
        items = list(tally.handles.items())
        for i in range(0, len(items), CHUNK):
            yield ("HSET", staged_handles, *(v for item in items[i : i + CHUNK] for v in item))

    await _write(redis, commands())

    old_scopes = {
        s.decode() if isinstance(s, bytes) else str(s)
        for s in await redis.smembers(keys.scopes(quest_id))
    }
    async with redis.pipeline(transaction=True) as pipe:
        for scope in old_scopes:
            pipe.delete(keys.board(quest_id, scope), keys.frozen(quest_id, scope))
        pipe.delete(keys.handles(quest_id), keys.scopes(quest_id))
        # RENAME as a command: a cluster pipeline refuses `pipe.rename` (all keys share the
        # quest's slot, so the transaction is still one node's).
        for key, final in written:
            pipe.execute_command("RENAME", key, final)
        if tally.handles:
            pipe.execute_command("RENAME", staged_handles, keys.handles(quest_id))
        if tally.boards:
            pipe.sadd(keys.scopes(quest_id), *tally.boards.keys())
            pipe.sadd(keys.changed(quest_id), *tally.boards.keys())
        pipe.set(keys.applied(quest_id), applied_count)
        pipe.set(keys.encoding(quest_id), encoding_mark(epoch))
        await pipe.execute()
    return len(written)


async def _batched(
    solves: AsyncIterable[SolveRow], size: int = 5000
) -> AsyncIterator[list[RawRow]]:
    batch: list[RawRow] = []
    async for row in solves:
        batch.append((row.player_id, row.handle, row.track, row.points, row.solved_at))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
