"""Redis as a whole goes away (its process stopped) and comes back.

While it is away: logged-in players are still authenticated (the token cache misses, SQL
answers), attempts are judged and recorded in SQL, the wrong-answer limiter fails open (it
counts nothing; `max_attempts` in SQL still caps a challenge), and boards answer 503
`boards_unavailable`. Once it is back, the reconciler puts the missed solves on the boards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from sqlmodel import col, select

from challenges.models import Attempt, Challenge
from leaderboard import keys
from quest.accounts.models import Account
from quest.core.redis_server import EmbeddedRedis
from quest.core.settings import Settings
from tests.support.app import QUEST_DOC, auth, make_staff, register, running_app


@pytest_asyncio.fixture
async def outage_app(settings: Settings, own_redis: EmbeddedRedis) -> AsyncIterator[FastAPI]:
    """The app on a Redis of the test's own, which the test stops and starts."""
    mine = settings.model_copy(update={"redis_url": own_redis.url})
    async with running_app(mine) as application:
        yield application


async def _attempt(client: httpx.AsyncClient, token: str, cid: int, answer: Any) -> httpx.Response:
    return await client.post(
        f"/api/challenges/{cid}/attempts", json={"answer": answer}, headers=auth(token)
    )


async def _recorded(app: FastAPI, handle: str) -> list[tuple[str, bool]]:
    """(challenge slug, correct) of every attempt SQL holds for `handle`, in order."""
    async with app.state.tq.readmaker() as session:
        rows = await session.exec(
            select(Challenge.slug, Attempt.correct)
            .join(Attempt, col(Attempt.challenge_id) == col(Challenge.id))
            .join(Account, col(Account.id) == col(Attempt.account_id))
            .where(Account.handle == handle)
            .order_by(col(Attempt.id))
        )
        return [(slug, bool(correct)) for slug, correct in rows.all()]


async def _account_id(app: FastAPI, handle: str) -> int:
    async with app.state.tq.readmaker() as session:
        account = (await session.exec(select(Account).where(Account.handle == handle))).one()
        assert account.id is not None
        return account.id


async def test_whole_redis_outage_and_return(outage_app: FastAPI, own_redis: EmbeddedRedis) -> None:
    app = outage_app
    limit = app.state.tq.settings.wrong_answer_limit
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        staff = await make_staff(app)
        r = await client.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
        assert r.status_code == 201, r.text
        ids = {c["slug"]: c["id"] for c in (await client.get("/api/quests/expo/challenges")).json()}
        ann, bob = await register(client, "ann"), await register(client, "bob")
        assert (await _attempt(client, ann, ids["luhn"], 3)).json()["rank"] == 1
        me = (await client.get("/api/quests/expo/leaderboard/me", headers=auth(bob))).json()
        assert me["rank"] is None  # bob's token is now in the Redis cache
        await asyncio.sleep(3.5)  # ann's solve is settled: the boards are not behind

        own_redis.stop()
        ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()["redis"]) == (503, "unreachable")

        # Authenticated from SQL: the cached token cannot be read, the request still passes.
        r = await _attempt(client, bob, ids["dna"], "thymine")
        assert r.status_code == 200, r.text
        assert r.json() == {
            "correct": True,
            "points_awarded": 80,
            "score": 80,  # read from SQL
            "rank": None,  # no board to rank on
            "attempts_left": None,
        }
        # The limiter fails open: more wrong answers than its limit, every one judged.
        for _ in range(limit + 2):
            r = await _attempt(client, bob, ids["luhn"], 7)
            assert r.status_code == 200, r.text
            assert r.json()["correct"] is False and r.json()["score"] == 80
        # ...while max_attempts, kept in SQL, still caps a challenge.
        assert (await _attempt(client, bob, ids["swift"], "A bird")).json()["attempts_left"] == 1
        assert (await _attempt(client, bob, ids["swift"], "A car")).json()["attempts_left"] == 0
        r = await _attempt(client, bob, ids["swift"], "A network")
        assert (r.status_code, r.json()["code"]) == (429, "attempts_exhausted")
        assert await _recorded(app, "bob") == [
            ("dna", True),
            *[("luhn", False)] * (limit + 2),
            ("swift", False),
            ("swift", False),
        ]
        for path, headers in (
            ("/api/quests/expo/leaderboard", {}),
            ("/api/quests/expo/leaderboard?scope=daily", {}),
            ("/api/quests/expo/leaderboard/me", auth(bob)),
        ):
            r = await client.get(path, headers=headers)
            assert r.status_code == 503, (path, r.text)
            assert r.json()["code"] == "boards_unavailable"

        own_redis.start()  # with its data: the boards hold ann, not bob's solve
        assert (await client.get("/readyz")).status_code == 200
        for _ in range(150):
            board = (await client.get("/api/quests/expo/leaderboard")).json()
            if board["total"] == 2:
                break
            await asyncio.sleep(0.1)
        assert [(e["player"]["handle"], e["score"]) for e in board["entries"]] == [
            ("ann", 100),
            ("bob", 80),
        ]
        me = (await client.get("/api/quests/expo/leaderboard/me", headers=auth(bob))).json()
        assert (me["rank"], me["score"]) == (2, 80)
        # The outage's wrong answers were never counted: the limiter starts from nothing.
        assert (
            await app.state.tq.redis.get(keys.wrong_answers(await _account_id(app, "bob"))) is None
        )
        r = await _attempt(client, bob, ids["luhn"], 8)
        assert r.status_code == 200 and r.json()["correct"] is False
