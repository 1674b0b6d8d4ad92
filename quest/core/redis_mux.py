"""One Redis connection shared by every request of the attempt path (auto-pipelining).

redis-py takes a connection from its pool per call and guards each write and each reply with
its own timer (`wait_for`, `asyncio.timeout`): on the attempt path that was a fifth of the
event loop's time for one round trip. Here the commands of concurrent requests go out on
one connection, in order, and one reader task hands the replies back in the same order.
Commands written in the same turn of the event loop leave in one packet.

Failure: a broken connection, or a reply more than `timeout` seconds late (checked once a
second, not per command), fails every command in flight with a `ConnectionError` (a
`RedisError`, so callers fail open as they do with redis-py) and the next call reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError, NoScriptError, RedisError, ResponseError

from quest.core.limits import Script

log = logging.getLogger("talentquest.redis")


class Multiplexed:
    """Commands from many coroutines over one connection; replies matched by order."""

    def __init__(self, redis: Redis, *, timeout: float = 5.0) -> None:
        self.redis = redis
        self.timeout = timeout
        self._conn: AbstractConnection | None = None
        self._connecting: asyncio.Lock | None = None
        self._pending: deque[tuple[float, asyncio.Future[Any]]] = deque()
        self._tasks: list[asyncio.Task[None]] = []

    async def execute(self, *args: Any) -> Any:
        """Send one command; its reply (a ResponseError reply is raised)."""
        (reply,) = await self.execute_many([args])
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    async def execute_many(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        """Send commands in one write; their replies, an error reply returned in its place."""
        conn = self._conn if self._conn is not None else await self._connect()
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[Any]] = []
        sent = time.monotonic()
        packed: list[bytes] = []
        # No await between queueing the futures and writing the commands: order is kept.
        for args in commands:
            futures.append(loop.create_future())
            self._pending.append((sent, futures[-1]))
            packed.extend(conn.pack_command(*args))
        try:
            await conn.send_packed_command(packed, check_health=False)
        except BaseException as exc:
            self._fail(conn, exc)
            raise
        replies = []
        try:
            for future in futures:
                try:
                    replies.append(await future)
                except ResponseError as exc:
                    replies.append(exc)
        except BaseException:
            for future in futures:  # the connection failed them all: no unretrieved errors
                if future.done() and not future.cancelled():
                    future.exception()
            raise
        return replies

    async def scripts(self, calls: list[tuple[Script, list[Any], list[Any]]]) -> list[Any]:
        """Run Lua scripts by their SHA1 in one write, loading any the server does not know.

        The first error reply is raised (a missing script did not run: it is sent again).
        """
        commands = [("EVALSHA", s.sha, len(keys), *keys, *args) for s, keys, args in calls]
        replies = await self.execute_many(commands)
        if any(isinstance(r, NoScriptError) for r in replies):
            for script, _, _ in calls:
                await self.execute("SCRIPT", "LOAD", script.text)
            redo = [i for i, r in enumerate(replies) if isinstance(r, NoScriptError)]
            again = await self.execute_many([commands[i] for i in redo])
            for i, reply in zip(redo, again, strict=True):
                replies[i] = reply
        for reply in replies:
            if isinstance(reply, ResponseError):
                raise reply
        return replies

    async def script(self, script: Script, keys: list[Any], args: list[Any]) -> Any:
        """Run one Lua script by its SHA1, loading it first if the server does not know it."""
        return (await self.scripts([(script, keys, args)]))[0]

    async def _connect(self) -> AbstractConnection:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._conn is not None:
                return self._conn
            pool = self.redis.connection_pool
            # Timers are the watchdog's job, not one per command.
            options = {**pool.connection_kwargs, "socket_timeout": None}
            conn: AbstractConnection = pool.connection_class(**options)
            await conn.connect()  # type: ignore[no-untyped-call]
            self._conn = conn
            self._tasks = [
                asyncio.create_task(self._read(conn), name="redis-mux-reader"),
                asyncio.create_task(self._watch(conn), name="redis-mux-watchdog"),
            ]
            return conn

    async def _read(self, conn: AbstractConnection) -> None:
        while True:
            try:
                reply = await conn.read_response(timeout=math.inf, disconnect_on_error=False)
            except ResponseError as exc:
                reply = exc
            except BaseException as exc:  # the connection is gone (or we are stopping)
                self._fail(conn, exc)
                return
            if not self._pending:  # a reply nobody waits for: the stream is out of step
                self._fail(conn, ConnectionError("unexpected reply"))
                return
            _, future = self._pending.popleft()
            if future.done():
                continue
            if isinstance(reply, ResponseError):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _watch(self, conn: AbstractConnection) -> None:
        while self._conn is conn:
            await asyncio.sleep(1.0)
            if self._pending and time.monotonic() - self._pending[0][0] > self.timeout:
                self._fail(conn, ConnectionError("Redis did not answer in time"))

    def _fail(self, conn: AbstractConnection, exc: BaseException, *, quiet: bool = False) -> None:
        """Drop the connection; every command in flight on it fails."""
        if self._conn is not conn:
            return
        self._conn = None
        error = exc if isinstance(exc, RedisError) else ConnectionError(str(exc) or repr(exc))
        pending, self._pending = self._pending, deque()
        for _, future in pending:
            if not future.done():
                future.set_exception(error)
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        self._tasks = []
        with contextlib.suppress(Exception):  # redis-py's close without an await (a callback)
            conn._close()  # type: ignore[no-untyped-call]
        if not quiet:
            log.warning("multiplexed Redis connection dropped: %s", error)

    async def close(self) -> None:
        conn = self._conn
        if conn is not None:
            self._fail(conn, ConnectionError("closed"), quiet=True)
            with contextlib.suppress(Exception):
                await conn.disconnect()
