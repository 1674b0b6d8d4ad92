"""Abuse limits: atomic counters in Redis, one round trip each (see docs/configuration.md).

Two shapes, each one Lua script on one key (so it also runs on a Redis Cluster):

- a fixed window (`take`): INCR, and EXPIRE when the key is new, answering the count and
  the time left in one round trip. Counting happens *before* the work it limits, so N
  concurrent requests get the counts 1..N and exactly `limit` of them pass; work that
  turns out not to count (a correct answer) is given back with `give_back`.
- an exponential backoff (`backoff`): after `free` failures each further one locks the
  subject for `base_s * 2**k` seconds (at most `max_s`); `clear` forgets them (a success).

Every limit refuses with `RateLimited` (429 `rate_limited`, `Retry-After`). When Redis cannot
be reached the limits fail open: the game keeps running and SQL still caps what it records.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from kit.errors import RateLimited

log = logging.getLogger("talentquest.limits")

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

# KEYS[1] counter. Gives one hit back, never creating the key (it keeps its expiry).
_GIVE_BACK_LUA = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
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


async def give_back(redis: Redis, key: str) -> None:
    """Undo one hit counted by `take` (the work turned out not to count)."""
    try:
        await redis.register_script(_GIVE_BACK_LUA)(keys=[key])
    except RedisError:
        log.warning("limiter unreachable; %s not given back", key)


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
