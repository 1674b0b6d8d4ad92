"""The attempt path's shared Redis connection: replies matched in order, errors contained,
a lost server fails what is in flight (as a RedisError) and the next call reconnects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from quest.core.limits import Script
from quest.core.redis_mux import Multiplexed
from quest.core.redis_server import EmbeddedRedis


@pytest_asyncio.fixture
async def mux(own_redis: EmbeddedRedis) -> AsyncIterator[Multiplexed]:
    client = aioredis.Redis.from_url(own_redis.url)
    shared = Multiplexed(client, timeout=2)
    try:
        yield shared
    finally:
        await shared.close()
        await client.aclose()


async def test_concurrent_commands_get_their_own_replies(mux: Multiplexed) -> None:
    await asyncio.gather(*(mux.execute("SET", f"k{i}", i) for i in range(200)))
    replies = await asyncio.gather(*(mux.execute("GET", f"k{i}") for i in range(200)))
    assert replies == [str(i).encode() for i in range(200)]


async def test_an_error_reply_fails_only_its_command(mux: Multiplexed) -> None:
    await mux.execute("SET", "text", "x")
    good, bad, after = await asyncio.gather(
        mux.execute("GET", "text"),
        mux.execute("INCR", "text"),  # not an integer
        mux.execute("GET", "text"),
        return_exceptions=True,
    )
    assert (good, after) == (b"x", b"x")
    assert isinstance(bad, ResponseError)


async def test_a_script_the_server_does_not_know_is_loaded(mux: Multiplexed) -> None:
    script = Script("return tonumber(ARGV[1]) + 1")
    await mux.execute("SCRIPT", "FLUSH")
    assert await mux.script(script, [], [41]) == 42
    assert await mux.script(script, [], [1]) == 2


async def test_a_lost_server_fails_in_flight_commands_and_the_next_call_reconnects(
    mux: Multiplexed, own_redis: EmbeddedRedis
) -> None:
    await mux.execute("SET", "kept", "1")
    blocked = asyncio.ensure_future(mux.execute("BLPOP", "never", 0))
    await asyncio.sleep(0.1)
    own_redis.stop()
    with pytest.raises(RedisError):
        await asyncio.wait_for(blocked, 10)
    with pytest.raises(RedisError):
        await mux.execute("GET", "kept")
    own_redis.start()
    assert await mux.execute("GET", "kept") == b"1"  # the AOF kept it


async def test_a_reply_that_never_comes_fails_after_the_timeout(mux: Multiplexed) -> None:
    blocked = asyncio.ensure_future(mux.execute("BLPOP", "never", 0))
    with pytest.raises(RedisError):
        await asyncio.wait_for(blocked, 10)  # the watchdog: 2 s here
    assert await mux.execute("PING") in (b"PONG", True)
