"""The live ticker: one per quest across processes, publishing a board's top when it changed.

Scoring only marks scopes in `keys.changed`. A few times a second the holder of a quest's
lease reads that set, reads the top once per watched (scope, limit), serialises it once,
and publishes it on `keys.live_channel` when it differs from what it last published.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError

from kit.loops import check_stop
from leaderboard import keys
from leaderboard.board import BoardEntry, Boards
from leaderboard.errors import UnknownScope
from leaderboard.live import REFRESH_S, Hub, split_view
from leaderboard.windows import resolve_scope

log = logging.getLogger("talentquest.live")

TICK_S = 0.2
LEASE_MS = 2000
META_TTL_S = 1.0

_LEASE_LUA = """
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
"""

# The next snapshot seq, never below the clock (ms): a counter lost with a failed-over master
# or a restarted Redis (its last increments not yet replicated or written) restarts above
# every seq viewers saw, so they do not drop the snapshots that follow as stale.
_SEQ_LUA = """
local v = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if v < floor then redis.call('SET', KEYS[1], floor) return floor end
return v
"""


@dataclass(frozen=True)
class QuestMeta:
    """What the ticker needs to know of a quest (loaded from SQL by the caller)."""

    quest_id: int
    slug: str
    tz: str
    tracks: tuple[str, ...]
    epoch: datetime
    frozen: bool


MetaLoader = Callable[[int], Awaitable[QuestMeta | None]]


def snapshot_text(
    meta: QuestMeta,
    *,
    view: str,
    scope: str,
    limit: int,
    seq: int,
    total: int,
    entries: list[BoardEntry],
) -> str:
    """The one serialisation of a snapshot, sent as is to every viewer of the view."""
    return json.dumps(
        {
            "type": "snapshot",
            "seq": seq,
            "quest": meta.slug,
            "scope": scope,
            "view": view,
            "limit": limit,
            "total": total,
            "frozen": meta.frozen,
            "entries": [_wire(e) for e in entries],
        },
        separators=(",", ":"),
    )


def _wire(entry: BoardEntry) -> dict[str, Any]:
    """Times as the HTTP leaderboard writes them (`...Z`), so both give equal entries."""
    out = entry.as_json()
    reached = out["reached_at"]
    if reached.endswith("+00:00"):
        out["reached_at"] = reached[:-6] + "Z"
    return out


async def current_snapshot(
    boards: Boards, meta: QuestMeta, *, view: str, now: datetime | None = None
) -> str:
    """The snapshot a viewer gets on connecting (public standings: frozen if frozen)."""
    scope_alias, limit = split_view(view)
    moment = now or datetime.now(UTC)
    scope = resolve_scope(scope_alias, now=moment, tz=meta.tz, tracks=list(meta.tracks))
    seq = int(await boards.redis.get(keys.live_seq(meta.quest_id)) or 0)
    total, entries = await boards.top(
        quest_id=meta.quest_id,
        scope=scope,
        epoch=meta.epoch,
        limit=limit,
        offset=0,
        frozen=meta.frozen,
    )
    return snapshot_text(
        meta, view=view, scope=scope, limit=limit, seq=seq, total=total, entries=entries
    )


@dataclass
class _Published:
    scope: str
    digest: str


class Ticker:
    """Runs in every process; works only on the quests whose lease it holds."""

    def __init__(self, hub: Hub, boards: Boards, load_meta: MetaLoader) -> None:
        self.hub, self.boards, self.load_meta = hub, boards, load_meta
        self.redis = boards.redis
        self._lease = self.redis.register_script(_LEASE_LUA)
        self._seq = self.redis.register_script(_SEQ_LUA)
        self._meta: dict[int, tuple[float, QuestMeta | None]] = {}
        self._frozen: dict[int, bool] = {}
        self._published: dict[tuple[int, str], _Published] = {}
        self._refreshed = 0.0
        self.publishes = 0

    async def run(self) -> None:
        while True:
            check_stop()
            started = time.monotonic()
            try:
                await self.tick()
            except (RedisError, OSError) as exc:
                log.warning("live ticker: Redis unavailable (%s)", type(exc).__name__)
                await asyncio.sleep(1.0)
            except Exception:  # the ticker must outlive any one bad quest or read
                log.exception("live ticker failed a tick")
                await asyncio.sleep(1.0)
            await asyncio.sleep(max(0.0, TICK_S - (time.monotonic() - started)))

    async def tick(self, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        now_ms = int(time.time() * 1000)
        if time.monotonic() - self._refreshed >= REFRESH_S:
            self._refreshed = time.monotonic()
            await self.hub.refresh()
            await self.redis.zremrangebyscore(keys.live_quests(), "-inf", now_ms - 1)
        for raw in await self.redis.zrangebyscore(keys.live_quests(), now_ms, "+inf"):
            quest_id = int(_text(raw))
            held = await self._lease(
                keys=[keys.live_lease(quest_id)], args=[self.hub.process_id, LEASE_MS]
            )
            if int(held) == 1:
                await self.tick_quest(quest_id, now=now, now_ms=now_ms)

    async def _quest_meta(self, quest_id: int) -> QuestMeta | None:
        loaded_at, meta = self._meta.get(quest_id, (0.0, None))
        if time.monotonic() - loaded_at > META_TTL_S:
            meta = await self.load_meta(quest_id)
            self._meta[quest_id] = (time.monotonic(), meta)
        return meta

    async def tick_quest(self, quest_id: int, *, now: datetime, now_ms: int) -> int:
        """Publish every watched view of one quest whose top changed; returns how many."""
        meta = await self._quest_meta(quest_id)
        if meta is None:
            return 0
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrangebyscore(keys.live_views(quest_id), now_ms, "+inf")
            # A command, not `pipe.smembers`: redis-py's cluster transaction hands that one's
            # reply callback a `keys` argument it does not take (redis-py 8.1).
            pipe.execute_command("SMEMBERS", keys.changed(quest_id))
            pipe.delete(keys.changed(quest_id))
            raw_views, raw_changed, _ = await pipe.execute()
        changed = {_text(s) for s in raw_changed}
        refreeze = self._frozen.get(quest_id) != meta.frozen
        self._frozen[quest_id] = meta.frozen
        views = {_text(v) for v in raw_views}
        for key in [k for k in self._published if k[0] == quest_id and k[1] not in views]:
            del self._published[key]
        sent = 0
        for view in sorted(views):
            scope_alias, limit = split_view(view)
            try:
                scope = resolve_scope(scope_alias, now=now, tz=meta.tz, tracks=list(meta.tracks))
            except UnknownScope:
                continue
            last = self._published.get((quest_id, view))
            if last is not None and last.scope == scope and scope not in changed and not refreeze:
                continue
            total, entries = await self.boards.top(
                quest_id=quest_id,
                scope=scope,
                epoch=meta.epoch,
                limit=limit,
                offset=0,
                frozen=meta.frozen,
            )
            body = json.dumps(
                [scope, total, meta.frozen, [e.as_json() for e in entries]], separators=(",", ":")
            )
            digest = hashlib.blake2b(body.encode(), digest_size=16).hexdigest()
            if last is not None and last.digest == digest:
                last.scope = scope
                continue
            floor = int(time.time() * 1000)
            seq = int(await self._seq(keys=[keys.live_seq(quest_id)], args=[floor]))
            text = snapshot_text(
                meta, view=view, scope=scope, limit=limit, seq=seq, total=total, entries=entries
            )
            await self.redis.publish(keys.live_channel(quest_id), text)
            self._published[(quest_id, view)] = _Published(scope, digest)
            self.publishes += 1
            sent += 1
        return sent


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
