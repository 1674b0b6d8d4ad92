"""`Idempotency-Key` under concurrency, and a key reused for another challenge.

The contract: the same key again returns the same body and counts nothing twice; a solve is
awarded at most once whatever the concurrency. A key belongs to one attempt: sent for another
challenge it is a conflict (409, `idempotency_key_reused`) and nothing is counted there.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import col, func, select

from challenges.models import Attempt, Solve
from tests.support.app import auth, register


async def attempt(
    client: httpx.AsyncClient, token: str, cid: int, answer: Any, key: str
) -> httpx.Response:
    return await client.post(
        f"/api/challenges/{cid}/attempts",
        json={"answer": answer},
        headers={**auth(token), "Idempotency-Key": key},
    )


async def recorded(app: FastAPI, cid: int) -> tuple[int, int]:
    """(attempts, solves) SQL holds for a challenge."""
    async with app.state.tq.readmaker() as session:
        attempts = await session.exec(
            select(func.count()).select_from(Attempt).where(col(Attempt.challenge_id) == cid)
        )
        solves = await session.exec(
            select(func.count()).select_from(Solve).where(col(Solve.challenge_id) == cid)
        )
        return int(attempts.one()), int(solves.one())


async def test_concurrent_correct_attempts_with_one_key_solve_once(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "twin")
    replies = await asyncio.gather(
        *(attempt(client, token, quest["luhn"], 3, "same-key") for _ in range(2))
    )
    assert 200 in [r.status_code for r in replies], [r.text for r in replies]
    assert all(r.json()["points_awarded"] == 100 for r in replies if r.status_code == 200)
    assert await recorded(app, quest["luhn"]) == (1, 1)
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    assert [(e["player"]["handle"], e["score"]) for e in board["entries"]] == [("twin", 100)]


async def test_concurrent_correct_attempts_with_one_key_get_the_same_reply(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "twin")
    first, second = await asyncio.gather(
        *(attempt(client, token, quest["luhn"], 3, "same-key") for _ in range(2))
    )
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    assert first.json() == second.json()


async def test_concurrent_wrong_attempts_with_one_key_count_once_and_reply_alike(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "echo")
    replies = await asyncio.gather(
        *(attempt(client, token, quest["swift"], "A bird", "wrong-key") for _ in range(2))
    )
    assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
    assert replies[0].json() == replies[1].json()
    assert replies[0].json()["attempts_left"] == 1  # one of two attempts used, not both
    assert await recorded(app, quest["swift"]) == (1, 0)
    again = await attempt(client, token, quest["swift"], "A network", "next-key")
    assert again.json()["correct"] is True and again.json()["attempts_left"] == 0


async def test_a_key_reused_for_another_challenge_is_a_conflict(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "reuser")
    first = await attempt(client, token, quest["luhn"], 3, "once")
    assert first.status_code == 200 and first.json()["correct"] is True
    other = await attempt(client, token, quest["dna"], "T", "once")
    assert other.status_code == 409
    assert other.json() == {
        "detail": "This Idempotency-Key was used for another challenge.",
        "code": "idempotency_key_reused",
    }
    assert await recorded(app, quest["dna"]) == (0, 0)  # nothing counted there
    replay = await attempt(client, token, quest["luhn"], 3, "once")
    assert replay.status_code == 200 and replay.json() == first.json()
    fresh = await attempt(client, token, quest["dna"], "T", "twice")
    assert fresh.status_code == 200 and fresh.json()["score"] == 180


async def test_one_key_for_two_challenges_at_once_counts_only_one(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "split")
    luhn, dna = await asyncio.gather(
        attempt(client, token, quest["luhn"], 3, "shared"),
        attempt(client, token, quest["dna"], "T", "shared"),
    )
    assert sorted([luhn.status_code, dna.status_code]) == [200, 409], (luhn.text, dna.text)
    won, lost = (luhn, dna) if luhn.status_code == 200 else (dna, luhn)
    assert lost.json()["code"] == "idempotency_key_reused"
    assert won.json()["correct"] is True
    counted = [await recorded(app, quest[slug]) for slug in ("luhn", "dna")]
    assert sorted(counted) == [(0, 0), (1, 1)]
