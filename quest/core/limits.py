"""Abuse limits: atomic counters in Redis, one round trip each (see docs/configuration.md).

Three shapes, each one Lua script on one key (so it also runs on a Redis Cluster):

- a fixed window (`take`): INCR, and EXPIRE when the key is new, answering the count and
  the time left in one round trip. Counting happens *before* the work it limits, so N
  concurrent requests get the counts 1..N and exactly `limit` of them pass.
- a fixed window of slots (`queue_slot`): the same, queued on the caller's pipeline (one
  round trip with the caller's other reads) and never counting past the limit. Work that
  counts (a wrong answer) takes a slot before it is recorded and keeps it; work that does
  not (a correct answer) only looks for room, so a full window refuses both alike; a slot
  whose work is refused after all (already solved) is given back.
- an exponential backoff (`backoff`): after `free` failures each further one locks the
  subject for `base_s * 2**k` seconds (at most `max_s`); `clear` forgets them (a success).

Every limit refuses with `RateLimited` (429 `rate_limited`, `Retry-After`). When Redis cannot
be reached the limits fail open: the game keeps running and SQL still caps what it records.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import NoScriptError, RedisError

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

# KEYS[1] a hash {n: slots taken in the window}; ARGV[1] window in ms, ARGV[2] limit,
# ARGV[3] 1: take a slot, 0: only look for room. Returns {1, n} (room; a slot taken when asked)
# or {0, ms left in the window} (full). Never counts past the limit.
_SLOT_LUA = """
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n >= tonumber(ARGV[2]) then return {0, redis.call('PTTL', KEYS[1])} end
if ARGV[3] == '1' then
  n = redis.call('HINCRBY', KEYS[1], 'n', 1)
  if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
end
return {1, n}
"""

# KEYS[1] as above: give one slot back (work that did not count). Never creates the key.
_GIVE_BACK_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(redis.call('HINCRBY', KEYS[1], 'n', -1)) < 0 then
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


class Script:
    """A Lua script run by its SHA1 (EVALSHA), alone or queued on a pipeline.

    redis-py's own scripts ask the server `SCRIPT EXISTS` before every pipeline that holds
    one: a round trip per use. Here a missing script (a restarted or flushed Redis) is loaded
    when the server says so, and the commands are sent again.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()

    def queue(self, pipe: Pipeline, keys: list[str], args: list[Any]) -> None:
        # Not `pipe.evalsha`: a cluster pipeline refuses that method, but routes this by key.
        pipe.execute_command("EVALSHA", self.sha, len(keys), *keys, *args)

    async def __call__(self, redis: Redis, keys: list[str], args: list[Any]) -> Any:
        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            await redis.script_load(self.text)
            return await redis.evalsha(self.sha, len(keys), *keys, *args)


async def pipelined(
    redis: Redis, scripts: tuple[Script, ...], build: Callable[[Pipeline], None]
) -> list[Any]:
    """Run the commands `build` queues in one round trip (no transaction); raise the first error.

    The commands may run twice when a script was missing, so `build` must queue only
    commands that did nothing the first time round: scripts (a missing one did not run)
    and reads.
    """
    for again in (False, True):
        async with redis.pipeline(transaction=False) as pipe:
            build(pipe)
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        if again or not any(isinstance(r, NoScriptError) for r in replies):
            break
        for script in scripts:
            await redis.script_load(script.text)
    for reply in replies:
        if isinstance(reply, RedisError):
            raise reply
    return replies


SLOT = Script(_SLOT_LUA)
_GIVE_BACK = Script(_GIVE_BACK_LUA)


@dataclass(frozen=True)
class Slot:
    """A slot of a window taken *before* the work: kept, or given back if the work did not count."""

    redis: Redis
    key: str

    async def give_back(self) -> None:
        """The work did not count (a refusal): free the slot."""
        try:
            await _GIVE_BACK(self.redis, [self.key], [])
        except RedisError:
            log.warning("limiter unreachable; %s not given back", self.key)


def queue_slot(pipe: Pipeline, key: str, rule: Window, *, take: bool) -> None:
    """Queue on `pipe`: take one of `rule.limit` slots (`take`), or only look for room.

    Concurrent takers each get a distinct slot or none, so no more than `limit` pass in a
    window; a look takes nothing (work that will not count, e.g. a correct answer, must still
    be refused while the window is full). Read the reply with `slot_taken`.
    """
    SLOT.queue(pipe, [key], slot_args(rule, take=take))


def slot_args(rule: Window, *, take: bool) -> list[Any]:
    """The arguments of `SLOT` (for callers that send it themselves)."""
    return [rule.window_s * 1000, rule.limit, 1 if take else 0]


def slot_taken(redis: Redis, key: str, reply: Any, *, take: bool, detail: str) -> Slot | None:
    """Refuse (RateLimited) if the window was full; else the slot taken (None if only a look)."""
    room, value = reply
    if not int(room):
        raise RateLimited(detail, retry_after=_seconds(int(value)))
    return Slot(redis, key) if take else None


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
