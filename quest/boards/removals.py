"""Banned and erased players leave Redis even when their ban's or erasure's follow-up never ran.

A ban or an erasure commits in SQL first; its Redis side (the cached tokens, the live boards)
follows after the commit. If Redis is away at that moment, or the process dies between the
two, SQL is right and Redis is not: a cached token keeps working for up to
`TOKEN_CACHE_S`, and the player stays on the boards until a rebuild. This sweep, run in every
app process next to the board reconciler, converges Redis on SQL:

- on its first pass in a process, every player on a board is checked against SQL (boards),
  and every account removed within the token cache's lifetime loses its cached tokens;
- then, each pass, the accounts banned or erased since the last good pass (with an overlap,
  for clocks and transactions that committed late) leave every board and the token cache.

A pass that fails (Redis still away) does not move its mark, so the next one covers the gap.
Everything it does is idempotent: removing a player who is not there costs one `ZREM`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from redis.exceptions import RedisError
from sqlmodel import col, or_, select

from kit.loops import check_stop
from kit.time import utcnow
from leaderboard import keys
from quest.accounts.models import Account
from quest.accounts.service import TOKEN_CACHE_S, forget_accounts
from quest.boards.sync import quests
from quest.core.state import AppState

log = logging.getLogger("talentquest.boards")
OVERLAP = timedelta(seconds=120)  # clock skew between processes and slow commits
CHUNK = 500  # members per ZREM / ids per IN (...)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def _removed_since(state: AppState, since: datetime) -> list[int]:
    """Accounts banned or erased at or after `since`."""
    query = select(Account.id).where(
        or_(col(Account.banned_at) >= since, col(Account.erased_at) >= since)
    )
    async with state.primary_readmaker() as session:
        return [int(i) for i in (await session.exec(query)).all() if i is not None]


async def _removed_among(state: AppState, ids: list[int]) -> list[int]:
    """Those of `ids` banned, erased or gone from SQL."""
    present: set[int] = set()
    async with state.primary_readmaker() as session:
        for i in range(0, len(ids), CHUNK):
            query = select(Account.id).where(
                col(Account.id).in_(ids[i : i + CHUNK]),
                col(Account.banned_at).is_(None),
                col(Account.erased_at).is_(None),
            )
            present |= {int(p) for p in (await session.exec(query)).all() if p is not None}
    return [i for i in ids if i not in present]


async def _off_boards(state: AppState, quest_id: int, ids: list[int]) -> int:
    """Take players off every board (live and frozen) of a quest; returns entries removed."""
    redis = state.redis
    scopes = sorted(_text(s) for s in await redis.smembers(keys.scopes(quest_id)))
    if not scopes or not ids:
        return 0
    removed = 0
    changed: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        members = ids[i : i + CHUNK]
        async with redis.pipeline(transaction=False) as pipe:
            for scope in scopes:
                pipe.zrem(keys.board(quest_id, scope), *members)
                pipe.zrem(keys.frozen(quest_id, scope), *members)
            pipe.hdel(keys.handles(quest_id), *members)
            counts = await pipe.execute()
        for n, scope in enumerate(scopes):
            if counts[2 * n] or counts[2 * n + 1]:
                changed.add(scope)
                removed += int(counts[2 * n]) + int(counts[2 * n + 1])
    if changed:
        await redis.sadd(keys.changed(quest_id), *changed)  # the live ticker republishes
    return removed


async def _forget_tokens(state: AppState, ids: Iterable[int]) -> None:
    """Drop the cached tokens of these accounts (every process): their next look-up asks SQL."""
    wanted = list(ids)
    for i in range(0, len(wanted), CHUNK):
        await forget_accounts(redis=state.redis, account_ids=wanted[i : i + CHUNK])


async def _on_boards(state: AppState, quest_id: int) -> list[int]:
    """Every player id in the quest's handles hash (a superset of its boards' members)."""
    ids = []
    async for field in state.redis.hscan_iter(keys.handles(quest_id), count=1000):
        ids.append(int(_text(field[0] if isinstance(field, tuple) else field)))
    return ids


async def sweep(state: AppState, *, since: datetime | None) -> datetime:
    """One pass; `since` is the previous good pass's start (None: the first in this process).
    Returns this pass's start, the next `since`."""
    started = utcnow()
    all_quests = [q.id for q in await quests(state) if q.id is not None]
    if since is None:
        for quest_id in all_quests:
            gone = await _removed_among(state, await _on_boards(state, quest_id))
            if await _off_boards(state, quest_id, gone):
                log.warning(
                    "swept %d removed players off the boards of quest %d", len(gone), quest_id
                )
        window = started - timedelta(seconds=TOKEN_CACHE_S) - OVERLAP
        await _forget_tokens(state, await _removed_since(state, window))
        return started
    ids = await _removed_since(state, since - OVERLAP)
    if ids:
        await _forget_tokens(state, ids)
        for quest_id in all_quests:
            if await _off_boards(state, quest_id, ids):
                log.warning("swept removed players off the boards of quest %d", quest_id)
    return started


async def sweep_removed_forever(state: AppState) -> None:
    """Background task: a sweep every `reconcile_interval_s`."""
    since: datetime | None = None
    while True:
        check_stop()
        try:
            since = await sweep(state, since=since)
        except (RedisError, OSError) as exc:
            log.warning("removal sweep skipped: %s", type(exc).__name__)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("removal sweep failed")
        await asyncio.sleep(state.settings.reconcile_interval_s)
