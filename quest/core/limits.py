"""Abuse limits: atomic counters in Redis, one round trip each (see docs/configuration.md).

Three shapes, each one Lua script on one key (so it also runs on a Redis Cluster):

- a fixed window (`take`): INCR, and EXPIRE when the key is new, answering the count and
  the time left in one round trip. Counting happens *before* the work it limits, so N
  concurrent requests get the counts 1..N and exactly `limit` of them pass.
- a fixed window of slots (`reserve`): the same, for work that may turn out not to count
  (a correct answer is not a wrong one). A slot is taken before the work, in one round
  trip, and then kept or given back; while the window is full but slots are still in
  flight, a request waits briefly for one instead of being refused.
- an exponential backoff (`backoff`): after `free` failures each further one locks the
  subject for `base_s * 2**k` seconds (at most `max_s`); `clear` forgets them (a success).

Every limit refuses with `RateLimited` (429 `rate_limited`, `Retry-After`). When Redis cannot
be reached the limits fail open: the game keeps running and SQL still caps what it records.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from kit.errors import RateLimited

log = logging.getLogger("talentquest.limits")
RESERVE_WAIT_S = 3.0  # how long a request waits for a slot that work in flight may free

# KEYS[1] counter; ARGV[1] window in ms, ARGV[2] cost. Returns {count, ms left in the window}.
_WINDOW_LUA = """
local cost = tonumber(ARGV[2])
local n = redis.call('INCRBY', KEYS[1], cost)
local ttl = redis.call('PTTL', KEYS[1])
if n == cost or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""

# KEYS[1] a hash {n: slots taken in the window, f: of which still in flight}; ARGV[1] window
# in ms, ARGV[2] limit. Returns {1, n} (a slot taken), {2, ttl} (full, but some in flight may
# be given back: ask again shortly) or {0, ttl} (full).
_RESERVE_LUA = """
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n < tonumber(ARGV[2]) then
  n = redis.call('HINCRBY', KEYS[1], 'n', 1)
  redis.call('HINCRBY', KEYS[1], 'f', 1)
  if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
  return {1, n}
end
local ttl = redis.call('PTTL', KEYS[1])
if tonumber(redis.call('HGET', KEYS[1], 'f') or '0') > 0 then return {2, ttl} end
return {0, ttl}
"""

# KEYS[1] as above; ARGV[1] 1: the slot stays taken, 0: it is given back. Never creates the key.
_SETTLE_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(redis.call('HINCRBY', KEYS[1], 'f', -1)) < 0 then
  redis.call('HSET', KEYS[1], 'f', 0)
end
if ARGV[1] == '0' and tonumber(redis.call('HINCRBY', KEYS[1], 'n', -1)) < 0 then
  redis.call('HSET', KEYS[1], 'n', 0)
end
return 1
"""

# KEYS[1] a hash {n: failures, until: ms}; ARGV: now ms, free, base ms, max ms, memory ms,
# count (1: record a failure, 0: only look). Returns {1, failures} or {0, ms to wait}.
_BACKOFF_LUA = """
local now = tonumber(ARGV[1])
local locked = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if locked > now then return {0, locked - now} end
if ARGV[6] == '0' then return {1, 0} end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local free = tonumber(ARGV[2])
if n >= free then
  local wait = math.min(tonumber(ARGV[3]) * math.pow(2, math.min(n - free, 40)), tonumber(ARGV[4]))
  redis.call('HSET', KEYS[1], 'until', string.format('%d', now + math.floor(wait)))
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, n}
"""


@dataclass(frozen=True)
class Window:
    """At most `limit` hits per fixed window of `window_s` seconds."""

    limit: int
    window_s: int


@dataclass(frozen=True)
class Backoff:
    """`free` failures, then a wait of `base_s`, doubling per failure up to `max_s`.

    Failures are forgotten `memory_s` seconds after the last one.
    """

    free: int
    base_s: float
    max_s: int
    memory_s: int


def _seconds(ms: int) -> int:
    return max(1, math.ceil(ms / 1000))


async def take(redis: Redis, key: str, rule: Window, *, detail: str, cost: int = 1) -> bool:
    """Count `cost` hits on `key` now; refuse (RateLimited) past the limit.

    Returns whether the hit was counted (False: Redis unreachable, the limit failed open).
    """
    try:
        script = redis.register_script(_WINDOW_LUA)
        count, ttl_ms = await script(keys=[key], args=[rule.window_s * 1000, cost])
    except RedisError:
        log.warning("limiter unreachable; %s not counted", key)
        return False
    if int(count) > rule.limit:
        raise RateLimited(detail, retry_after=_seconds(int(ttl_ms)))
    return True


@dataclass(frozen=True)
class Slot:
    """A slot taken by `reserve` for work in flight: `keep` it or `give_back` once it is done."""

    redis: Redis
    key: str

    async def keep(self) -> None:
        """The work counted (a wrong answer): the slot stays taken until the window ends."""
        await self._settle(keep=True)

    async def give_back(self) -> None:
        """The work did not count (a correct answer, a refusal): free the slot."""
        await self._settle(keep=False)

    async def _settle(self, *, keep: bool) -> None:
        try:
            await self.redis.register_script(_SETTLE_LUA)(keys=[self.key], args=[1 if keep else 0])
        except RedisError:
            log.warning("limiter unreachable; %s not settled", self.key)


async def reserve(
    redis: Redis, key: str, rule: Window, *, detail: str, wait_s: float = RESERVE_WAIT_S
) -> Slot | None:
    """Take one of `rule.limit` slots of the window *before* the work; refuse past them.

    Concurrent requests each get a distinct slot, so no more than `limit` are ever in the
    work at once or counted in a window. When every slot is taken but some are still in
    flight (they may be given back: correct answers), wait up to `wait_s` for one.
    Returns None when Redis is unreachable (the limit fails open).
    """
    script = redis.register_script(_RESERVE_LUA)
    deadline = time.monotonic() + wait_s
    pause = 0.01
    while True:
        try:
            verdict, value = await script(keys=[key], args=[rule.window_s * 1000, rule.limit])
        except RedisError:
            log.warning("limiter unreachable; %s not counted", key)
            return None
        if int(verdict) == 1:
            return Slot(redis, key)
        if int(verdict) == 0 or time.monotonic() >= deadline:
            raise RateLimited(detail, retry_after=_seconds(int(value)))
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.1)


async def backoff(redis: Redis, key: str, rule: Backoff, *, detail: str, count: bool) -> None:
    """Refuse (RateLimited) while `key` waits out its backoff; else record a failure if `count`.

    Counting a failure *before* the work (then `clear` on success) makes concurrent tries
    see each other: no more than `free` of them pass before the waits begin.
    """
    args = [
        int(time.time() * 1000),
        rule.free,
        int(rule.base_s * 1000),
        rule.max_s * 1000,
        rule.memory_s * 1000,
        1 if count else 0,
    ]
    try:
        allowed, value = await redis.register_script(_BACKOFF_LUA)(keys=[key], args=args)
    except RedisError:
        log.warning("limiter unreachable; %s not checked", key)
        return
    if not int(allowed):
        raise RateLimited(detail, retry_after=_seconds(int(value)))


async def clear(redis: Redis, key: str) -> None:
    """Forget the failures recorded on `key` (a success)."""
    try:
        await redis.delete(key)
    except RedisError:
        log.warning("limiter unreachable; %s not cleared", key)
