"""The in-process token cache: hits need no Redis, revocations reach every process promptly,
entries in use are renewed, and nothing outlives the token or a revocation."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from fastapi import FastAPI

from leaderboard import keys
from quest.accounts.service import TOKEN_CACHE_S, principal_for
from quest.accounts.tokens import Owner, TokenCache, revoked_here
from quest.core.state import AppState
from tests.support.app import Server, auth, make_staff, register


async def _until(check: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_logout_and_ban_reach_another_process_at_once(
    live_server: Server, app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Process B (a real server) has the tokens in its cache; process A (this one) logs one
    out and bans another: B refuses both well within its 30 s re-check."""
    async with httpx.AsyncClient(base_url=live_server.url) as other:
        ann, ben = await register(other, "ann_b"), await register(other, "ben_b")
        for token in (ann, ben):
            for _ in range(3):  # cached in B's process now
                r = await other.get("/api/me/export", headers=auth(token))
                assert r.status_code == 200, r.text
        ben_id = int(r.json()["account"]["id"])

        assert (await client.post("/api/auth/logout", headers=auth(ann))).status_code == 204
        staff = await make_staff(app)
        r = await client.post(f"/api/admin/players/{ben_id}/ban", headers=auth(staff))
        assert r.status_code == 200, r.text

        async def refused(token: str) -> bool:
            r = await other.get("/api/me/export", headers=auth(token))
            return r.status_code == 401

        assert await _until(lambda: refused(ann), 3.0), "logout did not reach the other process"
        assert await _until(lambda: refused(ben), 3.0), "ban did not reach the other process"


async def test_a_hit_needs_no_redis_and_a_used_entry_is_renewed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    state: AppState = app.state.tq
    token = await register(client, "renewed")
    assert (await client.get("/api/me/export", headers=auth(token))).status_code == 200
    key = keys.token(token)
    assert state.caches.tokens.get(key) is not None

    # A hit: the Redis entry can go and the token still answers (no round trip).
    await state.redis.delete(key)
    assert (await client.get("/api/me/export", headers=auth(token))).status_code == 200

    # A re-check renews the Redis entry: a token in use never falls back to SQL.
    cache = TokenCache(verify_s=0.0)
    cache.listening = True
    await principal_for(cache=cache, redis=state.redis, readmaker=state.readmaker, raw=token)
    await state.redis.expire(key, 5)
    await principal_for(cache=cache, redis=state.redis, readmaker=state.readmaker, raw=token)
    assert await state.redis.ttl(key) > TOKEN_CACHE_S - 5


async def test_nothing_outlives_the_token_or_a_revocation() -> None:
    cache = TokenCache()
    cache.listening = True
    fresh = Owner(1, "player", "ann", time.time() + 60)
    cache.put("k1", fresh, cache.generation)
    assert cache.get("k1") == fresh
    cache.put("k2", Owner(2, "player", "ben", time.time() - 1), cache.generation)
    assert cache.get("k2") is None  # the token itself expired

    begun = cache.generation  # a look-up that began before a revocation is not stored
    revoked_here(account_ids=[1])
    assert cache.get("k1") is None
    cache.put("k1", fresh, begun)
    assert cache.get("k1") is None

    cache.put("k1", fresh, cache.generation)
    cache.listening = False  # not subscribed: nothing is answered without Redis
    assert cache.get("k1") is None
