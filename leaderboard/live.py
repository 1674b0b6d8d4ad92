"""Per-process live viewers: one pub/sub subscriber relays snapshots to this process's sockets.

A socket never has more than one unsent snapshot (the latest) and a few announcements
waiting: a slow viewer skips intermediate snapshots instead of growing memory, and a
viewer whose send does not complete within `STALL_S` is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisClusterException, RedisError

from kit.loops import check_stop
from leaderboard import keys

log = logging.getLogger("talentquest.live")

STALL_S = 10.0  # a send that has not completed by then means the viewer is gone
VIEW_TTL_S = 15.0  # how long a registered view lives without a refresh
REFRESH_S = 3.0  # how often a process re-registers its views and viewer counts


class Stalled(Exception):
    """The viewer did not take a message within STALL_S."""


def view_name(scope: str, limit: int) -> str:
    return f"{scope}|{limit}"


def split_view(view: str) -> tuple[str, int]:
    scope, _, limit = view.rpartition("|")
    return scope, int(limit)


class _Continue:
    """Await the rest of a coroutine that was started by hand and suspended on `waiting`."""

    __slots__ = ("coro", "waiting")

    def __init__(self, coro: Coroutine[Any, Any, None], waiting: Any) -> None:
        self.coro, self.waiting = coro, waiting

    def __await__(self) -> Generator[Any, None, None]:
        coro, waiting = self.coro, self.waiting
        while True:
            try:
                yield waiting  # the awaiting task waits on what the coroutine waits on
            except BaseException as exc:  # cancelled (a timeout): pass it on to the coroutine
                try:
                    waiting = coro.throw(exc)
                except StopIteration:
                    return
                continue
            try:
                waiting = coro.send(None)
            except StopIteration:
                return


class Viewer:
    """One socket's mailbox: the latest snapshot and a short queue of announcements.

    Sending is eager: while the socket's sender task is idle, an offered message is sent
    at once by whoever offers it (the relay), without waking the task, a timer or any
    other per-send object. A send normally completes without suspending (it only
    serialises a frame into the transport's buffer). One that suspends (the transport
    stopped accepting bytes: the viewer does not read) is handed to the sender task,
    which waits for it at most `STALL_S` seconds; meanwhile newer snapshots replace the
    waiting one.
    """

    def __init__(self, send: Callable[[str], Awaitable[None]]) -> None:
        self._send = send
        self._snapshot: str | None = None
        self._notes: deque[str] = deque(maxlen=4)
        self._ready = asyncio.Event()
        self._parked = False  # the sender task waits for work: offers may send eagerly
        self._inflight: _Continue | None = None  # a send that suspended
        self._failed: BaseException | None = None
        self.seq = -1

    def offer_snapshot(self, text: str, seq: int) -> None:
        if seq < self.seq:
            return  # an older snapshot than one already queued or sent
        self.seq = seq
        if self._parked:
            self._send_now(text)
        else:
            self._snapshot = text
            self._ready.set()

    def offer_note(self, text: str) -> None:
        if self._parked:
            self._send_now(text)
        else:
            self._notes.append(text)
            self._ready.set()

    def _send_now(self, text: str) -> None:
        """Run one send up to its first suspension; hand it to the sender task if it has one."""
        try:
            self._inflight = self._start(text)
        except Exception as exc:  # the socket is gone: let the sender task end with it
            self._failed = exc
        if self._inflight is not None or self._failed is not None:
            self._parked = False
            self._ready.set()

    def _start(self, text: str) -> _Continue | None:
        sending = self._send(text)
        coro = sending if isinstance(sending, Coroutine) else _await(sending)
        try:
            waiting = coro.send(None)
        except StopIteration:
            return None  # sent without suspending: the common case
        return _Continue(coro, waiting)

    async def _finish(self, pending: _Continue) -> None:
        try:
            async with asyncio.timeout(STALL_S):  # only for a send that had to wait
                await pending
        except TimeoutError:
            raise Stalled from None

    async def run(self) -> None:
        """Send whatever is waiting, newest snapshot only, until cancelled or stalled."""
        try:
            while True:
                if self._failed is not None:
                    raise self._failed
                if self._inflight is not None:
                    pending, self._inflight = self._inflight, None
                    await self._finish(pending)
                elif self._snapshot is not None or self._notes:
                    if self._snapshot is not None:  # the first message is always a snapshot
                        text, self._snapshot = self._snapshot, None
                    else:
                        text = self._notes.popleft()
                    self._inflight = self._start(text)
                else:
                    self._ready.clear()
                    self._parked = True
                    try:
                        await self._ready.wait()
                    finally:
                        self._parked = False
        finally:
            if self._inflight is not None:
                self._inflight.coro.close()
                self._inflight = None


async def _await(awaitable: Awaitable[None]) -> None:
    await awaitable


class Hub:
    """The sockets of this process, grouped by quest and view ("<scope>|<limit>")."""

    def __init__(self, redis: Redis, on_count: Callable[[int], None] | None = None) -> None:
        self.redis = redis
        self.process_id = uuid.uuid4().hex[:12]
        self.views: dict[int, dict[str, set[Viewer]]] = {}
        self._on_count = on_count

    @property
    def count(self) -> int:
        return sum(len(s) for views in self.views.values() for s in views.values())

    def count_of(self, quest_id: int) -> int:
        return sum(len(s) for s in self.views.get(quest_id, {}).values())

    async def join(self, quest_id: int, view: str, viewer: Viewer) -> None:
        group = self.views.setdefault(quest_id, {}).setdefault(view, set())
        group.add(viewer)
        self._counted()
        if len(group) == 1:
            with contextlib.suppress(RedisError):
                await self._register({quest_id: [view]})

    def leave(self, quest_id: int, view: str, viewer: Viewer) -> None:
        views = self.views.get(quest_id, {})
        group = views.get(view)
        if group is not None:
            group.discard(viewer)
            if not group:
                del views[view]
        if not views:
            self.views.pop(quest_id, None)
        self._counted()

    def _counted(self) -> None:
        if self._on_count is not None:
            self._on_count(self.count)

    async def refresh(self) -> None:
        """Re-register every watched view and write this process's viewer counts."""
        await self._register({q: list(v) for q, v in self.views.items()})

    async def _register(self, views: dict[int, list[str]]) -> None:
        now_ms = int(time.time() * 1000)
        expiry = now_ms + int(VIEW_TTL_S * 1000)
        async with self.redis.pipeline(transaction=False) as pipe:
            for quest_id, names in views.items():
                if names:
                    pipe.zadd(keys.live_views(quest_id), dict.fromkeys(names, expiry))
                    pipe.pexpire(keys.live_views(quest_id), int(VIEW_TTL_S * 2000))
                pipe.zadd(keys.live_quests(), {str(quest_id): expiry})
                pipe.hset(
                    keys.live_viewers(quest_id),
                    self.process_id,
                    f"{self.count_of(quest_id)}:{expiry}",
                )
                pipe.pexpire(keys.live_viewers(quest_id), int(VIEW_TTL_S * 2000))
            await pipe.execute()

    def deliver(self, quest_id: int, raw: bytes | str) -> None:
        """Hand one published message to every local viewer it concerns."""
        views = self.views.get(quest_id)
        if not views:
            return
        text = raw.decode() if isinstance(raw, bytes) else raw
        try:
            message: dict[str, Any] = json.loads(text)
        except ValueError:
            return
        if message.get("type") == "snapshot":
            for viewer in views.get(str(message.get("view")), ()):
                viewer.offer_snapshot(text, int(message.get("seq", 0)))
        elif message.get("type") == "announcement":
            for group in views.values():
                for viewer in group:
                    viewer.offer_note(text)


async def viewer_total(redis: Redis, quest_id: int) -> int:
    """Viewers of a quest summed over every live process."""
    now_ms = int(time.time() * 1000)
    total = 0
    for value in (await redis.hgetall(keys.live_viewers(quest_id))).values():
        text = value.decode() if isinstance(value, bytes) else str(value)
        count, _, expiry = text.partition(":")
        if expiry.isdigit() and int(expiry) >= now_ms and count.isdigit():
            total += int(count)
    return total


async def relay(hub: Hub) -> None:
    """The process's one subscriber: pattern-subscribe to every quest's channel and relay."""
    delay = 0.2
    while True:
        pubsub = hub.redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.psubscribe(keys.live_channels())
            delay = 0.2
            while True:
                message = await pubsub.get_message(timeout=1.0)
                check_stop()
                if message is None or message.get("type") != "pmessage":
                    continue
                channel = message["channel"]
                channel = channel.decode() if isinstance(channel, bytes) else str(channel)
                quest = channel.partition("{q")[2].partition("}")[0]  # tq:{q<ID>}:live
                if quest.isdigit():
                    hub.deliver(int(quest), message["data"])
        except (RedisError, RedisClusterException, OSError) as exc:  # a cluster: also no map yet
            check_stop()
            log.warning("live relay lost Redis (%s); retrying in %.1fs", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
