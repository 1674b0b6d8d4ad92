"""The in-process token cache: a bearer token's owner without a Redis round trip.

Three layers, each a cache of the one below: this process's dictionary, the Redis entry
(`keys.token`), the SQL row (the record). A hit here costs a dictionary look-up; an entry is
re-checked against Redis after `verify_s` seconds of use (which also renews the Redis entry,
so a token in use never falls back to SQL), and never outlives the token's own expiry.

Revocation reaches every process at once: logout, ban, erasure and the removal sweep drop
the entries in this process synchronously and publish on `keys.token_revocations`; each
process's subscriber (`revocations_forever`) drops them in its own. While a process is not
subscribed (start-up, Redis away) its cache answers nothing without asking Redis, and it is
emptied whenever the subscription is (re)made, so a message missed while away cannot leave a
revoked token working. A look-up that raced a revocation is not stored (`generation`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisClusterException, RedisError

from kit.loops import check_stop
from leaderboard import keys

log = logging.getLogger("talentquest.accounts")

VERIFY_S = 30.0  # seconds of use between re-checks against Redis
MAX_ENTRIES = 200_000


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a token belongs to, and until when (Unix seconds) the token is valid."""

    id: int
    role: str
    handle: str
    expires: float


def encode(owner: Owner) -> str:
    """The Redis entry: "<id>:<role>:<expires unix s>:<handle>" (handles have no colon)."""
    return f"{owner.id}:{owner.role}:{int(owner.expires)}:{owner.handle}"


def decode(value: bytes | str) -> Owner | None:
    """The owner in a Redis entry; None for an entry without an expiry (an older layout)."""
    text = value.decode() if isinstance(value, bytes) else value
    parts = text.split(":", 3)
    if len(parts) != 4 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    return Owner(int(parts[0]), parts[1], parts[3], float(parts[2]))


class TokenCache:
    """One app's token owners by token cache key (`keys.token(raw)`)."""

    def __init__(self, verify_s: float = VERIFY_S) -> None:
        self.verify_s = verify_s
        self._entries: dict[str, tuple[float, Owner]] = {}  # key -> (re-check at, owner)
        self._keys_of: dict[int, set[str]] = {}
        self.generation = 0  # bumped by every drop: a look-up begun before it is not stored
        self.listening = False  # subscribed to revocations: hits need no Redis
        _all.add(self)

    def get(self, key: str) -> Owner | None:
        """The owner if cached, subscribed, not due for a re-check and the token not expired."""
        hit = self._entries.get(key)
        if hit is None or not self.listening:
            return None
        now = time.monotonic()
        if now >= hit[0] or hit[1].expires <= time.time():
            return None
        return hit[1]

    def put(self, key: str, owner: Owner, generation: int) -> None:
        if generation != self.generation or not self.listening:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self.clear()
            return
        self._entries[key] = (time.monotonic() + self.verify_s, owner)
        self._keys_of.setdefault(owner.id, set()).add(key)

    def drop_keys(self, dropped: Iterable[str]) -> None:
        self.generation += 1
        for key in dropped:
            hit = self._entries.pop(key, None)
            if hit is not None:
                self._keys_of.get(hit[1].id, set()).discard(key)

    def drop_accounts(self, account_ids: Iterable[int]) -> None:
        self.generation += 1
        for account_id in account_ids:
            for key in self._keys_of.pop(account_id, set()):
                self._entries.pop(key, None)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._keys_of.clear()


_all: weakref.WeakSet[TokenCache] = weakref.WeakSet()


def revoked_here(*, token_keys: Iterable[str] = (), account_ids: Iterable[int] = ()) -> None:
    """Drop tokens from every cache in this process, now (no I/O)."""
    token_keys, account_ids = list(token_keys), list(account_ids)
    for cache in list(_all):
        cache.drop_keys(token_keys)
        cache.drop_accounts(account_ids)


async def publish_revoked(
    redis: Redis, *, token_keys: Iterable[str] = (), account_ids: Iterable[int] = ()
) -> None:
    """Tell every process (this one too) to drop these tokens (after Redis forgot them)."""
    messages = [f"k:{k}" for k in token_keys]
    ids = [str(a) for a in account_ids]
    if ids:
        messages.append("a:" + ",".join(ids))
    if not messages:
        return
    async with redis.pipeline(transaction=False) as pipe:
        for message in messages:
            pipe.publish(keys.token_revocations(), message)
        await pipe.execute()


def _apply(cache: TokenCache, message: bytes | str) -> None:
    text = message.decode() if isinstance(message, bytes) else str(message)
    kind, _, rest = text.partition(":")
    if kind == "k":
        cache.drop_keys([rest])
    elif kind == "a":
        cache.drop_accounts(int(a) for a in rest.split(",") if a.isdigit())
    else:  # not ours to read: play safe
        cache.clear()


async def revocations_forever(redis: Redis, cache: TokenCache) -> None:
    """Background task: this process's subscriber to token revocations."""
    delay = 0.2
    while True:
        pubsub = redis.pubsub()
        try:
            await pubsub.subscribe(keys.token_revocations())
            while True:
                message = await pubsub.get_message(timeout=1.0)
                check_stop()
                if message is None:
                    continue
                if message.get("type") == "message":
                    _apply(cache, message["data"])
                elif message.get("type") == "subscribe":  # the server now sends us every one
                    cache.clear()  # whatever was published while unsubscribed is unknown
                    cache.listening = True
                    delay = 0.2
        except (RedisError, RedisClusterException, OSError) as exc:
            cache.listening = False
            check_stop()
            log.warning("token revocations: lost Redis (%s)", type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        finally:
            cache.listening = False
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
