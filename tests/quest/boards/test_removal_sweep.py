"""The removal sweep: a ban or erasure committed in SQL whose Redis follow-up never ran (Redis
away, a crash in between) still takes the player off the boards and out of the token cache."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import col, update

from kit.time import utcnow
from quest.accounts.models import Account, ApiToken
from tests.support.app import auth, register


async def _board(client: httpx.AsyncClient, scope: str = "all") -> list[str]:
    board = (await client.get(f"/api/quests/expo/leaderboard?scope={scope}")).json()
    return [e["player"]["handle"] for e in board["entries"]]


async def test_a_ban_whose_follow_up_was_lost_converges(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, Any]
) -> None:
    tokens = {}
    for handle, slug, answer in (("ann", "luhn", 3), ("ben", "dna", "T")):
        tokens[handle] = await register(client, handle)
        r = await client.post(
            f"/api/challenges/{quest[slug]}/attempts",
            json={"answer": answer},
            headers=auth(tokens[handle]),
        )
        assert r.json()["correct"], r.text
    me = await client.get("/api/me/export", headers=auth(tokens["ann"]))  # cached in Redis now
    ann = int(me.json()["account"]["id"])
    assert await _board(client) == ["ann", "ben"]

    # What `ban` commits in SQL, without the Redis follow-up it runs after the commit.
    now = utcnow()
    async with app.state.tq.sessionmaker() as session, session.begin():
        await session.exec(update(Account).where(col(Account.id) == ann).values(banned_at=now))
        await session.exec(
            update(ApiToken).where(col(ApiToken.account_id) == ann).values(revoked_at=now)
        )
    assert await _board(client) == ["ann", "ben"]  # Redis does not know yet

    for _ in range(100):
        cached = await client.get("/api/me/export", headers=auth(tokens["ann"]))
        if cached.status_code == 401 and await _board(client) == ["ben"]:
            break
        await asyncio.sleep(0.1)
    assert cached.status_code == 401
    for scope in ("all", "daily", "weekly", "track:fintech"):
        assert "ann" not in await _board(client, scope)
    assert (await client.get("/api/me/export", headers=auth(tokens["ben"]))).status_code == 200
