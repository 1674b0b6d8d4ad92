"""Identical reads in flight at the same moment share one run (a "single flight")."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class SingleFlight(Generic[V]):
    """`run(key, make)`: a caller that finds the same key already running waits for that run
    instead of starting its own. Nothing is kept once a run ends, so an answer is never older
    than the moment its run began: under load, many readers share one read; alone, each
    reader does its own."""

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[V]] = {}

    async def run(self, key: Hashable, make: Callable[[], Awaitable[V]]) -> V:
        running = self._running.get(key)
        if running is None or running.done():
            running = asyncio.ensure_future(make())
            self._running[key] = running
            running.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(running)

    def _forget(self, key: Hashable, done: asyncio.Future[V]) -> None:
        if self._running.get(key) is done:
            del self._running[key]
        if not done.cancelled():
            done.exception()  # retrieved: every waiter may have gone
