"""The one factory of the app's Redis client: a single server, or a Redis Cluster.

`TQ_REDIS_CLUSTER=true`: `TQ_REDIS_URL` names any node of a Redis Cluster and the client is
redis-py's asyncio `RedisCluster`, which follows MOVED/ASK redirects and refreshes its slot
map after a failover. Every multi-key command, script and transaction of the app stays in
one slot (the `{q<ID>}` hash tags, docs/leaderboards.md "Redis keys").

A failover must answer, not hang: socket and connect timeouts are short and the retries are
bounded, so a command against a dead master fails within a few seconds with a `RedisError`
(ClusterDownError, TryAgainError, ConnectionError, TimeoutError...), which the app answers
with 503 `boards_unavailable` and `Retry-After` (quest/core/handlers.py).

`RedisCluster` offers the commands, scripts, pipelines and pub/sub the app uses with the
same signatures as `Redis`; it is handed around typed as `Redis` (`cast`) so the rest of
the code keeps one type.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any, cast

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.connection import Connection
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, RedisError
from redis.retry import Retry

from quest.core.settings import Settings


class _NodeConnection(Connection):
    """A cluster node's connection that reports a connection closed under it as one.

    redis-py 8.1 lets an `AttributeError` (no writer) or a `RuntimeError` (a closed uvloop
    transport) escape when a node dies while a command is being written: as a
    `ConnectionError` the cluster client retries, refreshes its slot map, and at worst the
    request answers 503 instead of 500.
    """

    async def send_packed_command(
        self, command: bytes | str | Iterable[bytes], check_health: bool = True
    ) -> None:
        try:
            await super().send_packed_command(command, check_health)
        except (AttributeError, RuntimeError) as exc:
            await self.disconnect(nowait=True)
            raise RedisConnectionError(f"connection lost: {exc}") from exc


async def open_redis(url: str, settings: Settings) -> aioredis.Redis:
    """`make_redis`, a cluster client with its slot map loaded (pub/sub needs it up front).

    A cluster that cannot be reached at start-up is not fatal: the map is loaded by the
    first command that reaches a node, as with a single server that is away.
    """
    client = make_redis(url, settings)
    if settings.redis_cluster:
        cluster: Any = client
        with contextlib.suppress(RedisError, RedisClusterException, OSError):
            await cluster.initialize()
    return client


def make_redis(url: str, settings: Settings) -> aioredis.Redis:
    """The process's Redis client for `url` (single server or cluster, per the settings)."""
    if settings.redis_cluster:
        retry = Retry(ExponentialBackoff(cap=0.5, base=0.1), retries=settings.redis_cluster_retries)
        cluster: Any = RedisCluster.from_url(
            url,
            max_connections=256,
            socket_timeout=settings.redis_socket_timeout_s,
            socket_connect_timeout=settings.redis_connect_timeout_s,
            retry=retry,
            require_full_coverage=True,
        )
        manager = cluster.nodes_manager  # every node's connections: _NodeConnection
        manager.connection_kwargs["connection_class"] = _NodeConnection
        for node in manager.startup_nodes.values():
            node.connection_class = _NodeConnection
        return cast(aioredis.Redis, cluster)
    # A blocking pool: a burst waits for a free connection instead of failing.
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=256, timeout=10)
    return aioredis.Redis(connection_pool=pool)


def is_cluster(redis: object) -> bool:
    """True for a Redis Cluster client (no single connection pool, no single server)."""
    return isinstance(redis, RedisCluster)


async def close_redis(redis: aioredis.Redis) -> None:
    """Close the client and its connections (a cluster client closes every node's)."""
    if is_cluster(redis):
        await redis.aclose()
    else:
        await redis.aclose(close_connection_pool=True)
