"""Long quests through the API: ties by time 600 days in, the largest score a document may
promise, and boards of another score encoding rebuilt instead of kept."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI

from kit.time import utcnow
from leaderboard import keys
from quest.boards import sync as board_sync
from quest.core.settings import Settings
from tests.support.app import QUEST_DOC, auth, make_staff, register, running_app


def _doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(QUEST_DOC)
    doc.update(changes)
    return doc


async def _import(client: httpx.AsyncClient, staff: str, doc: dict[str, Any]) -> httpx.Response:
    return await client.post("/api/admin/quests", json=doc, headers=auth(staff))


async def _ids(client: httpx.AsyncClient) -> dict[str, int]:
    listing = await client.get("/api/quests/expo/challenges")
    return {c["slug"]: c["id"] for c in listing.json()}


async def _solve(client: httpx.AsyncClient, token: str, cid: int, answer: Any) -> dict[str, Any]:
    r = await client.post(
        f"/api/challenges/{cid}/attempts", json={"answer": answer}, headers=auth(token)
    )
    assert r.status_code == 200, r.text
    assert r.json()["correct"] is True
    return dict(r.json())


async def test_ties_600_days_after_the_start_rank_by_time(
    client: httpx.AsyncClient, staff: str
) -> None:
    now = utcnow()
    doc = _doc(
        starts_at=(now - timedelta(days=600, hours=1)).isoformat(),
        ends_at=(now + timedelta(days=30)).isoformat(),
    )
    r = await _import(client, staff, doc)
    assert r.status_code == 201, r.text
    ids = await _ids(client)
    # ann registers first (the lower id), so Redis would rank ben first on a tie by member.
    ann, ben = await register(client, "ann"), await register(client, "ben")
    before = datetime.now(UTC)
    await _solve(client, ann, ids["luhn"], 3)
    await asyncio.sleep(0.25)  # more than a tick (100 ms) later
    await _solve(client, ben, ids["luhn"], 3)
    after = datetime.now(UTC)
    r = await client.get("/api/quests/expo/leaderboard")
    entries = r.json()["entries"]
    assert [e["player"]["handle"] for e in entries] == ["ann", "ben"]
    assert [e["rank"] for e in entries] == [1, 2]
    assert [e["competition_rank"] for e in entries] == [1, 1]
    reached = [datetime.fromisoformat(e["reached_at"]) for e in entries]
    tick = timedelta(milliseconds=keys.TICK_MS)
    assert before - tick <= reached[0] < reached[1] <= after
    assert reached[1] - reached[0] >= timedelta(milliseconds=200)
    me = await client.get("/api/quests/expo/leaderboard/me", headers=auth(ben))
    assert me.json()["rank"] == 2 and me.json()["score"] == 100


async def test_a_ten_year_quest_is_accepted(client: httpx.AsyncClient, staff: str) -> None:
    r = await _import(
        client,
        staff,
        _doc(starts_at="2026-01-01T00:00:00+08:00", ends_at="2036-01-01T00:00:00+08:00"),
    )
    assert r.status_code == 201, r.text


async def test_a_quest_longer_than_the_time_bits_is_refused(
    client: httpx.AsyncClient, staff: str
) -> None:
    r = await _import(
        client,
        staff,
        _doc(starts_at="2026-01-01T00:00:00+08:00", ends_at="2045-01-01T00:00:00+08:00"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_document"
    assert "ends_at" in r.json()["detail"]


def _big(n: int, *, points: int, speed: int = 0, first: int = 0) -> dict[str, Any]:
    challenges = []
    for i in range(n):
        challenge: dict[str, Any] = {
            "slug": f"c{i}",
            "track": "fintech",
            "title": f"C{i}",
            "prompt": "?",
            "kind": "numeric",
            "points": points,
            "answer": 1,
            "hints": [{"text": "it is one", "cost": 100_000}],
        }
        if speed or first:
            challenge["scoring"] = {
                "speed_bonus": {"max": speed, "window_s": 60},
                "first_solves": {"count": 3, "bonus": first},
            }
        challenges.append(challenge)
    return _doc(challenges=challenges)


async def test_a_document_that_could_exceed_the_largest_score_is_refused(
    client: httpx.AsyncClient, staff: str
) -> None:
    # 21 challenges of 100,000 points: 2,100,000 > 2,097,151 (hint costs do not help).
    r = await _import(client, staff, _big(21, points=100_000))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid_document"
    assert body["detail"].startswith("challenges:") and "2,097,151" in body["detail"]
    # Bonuses count: 7 challenges of 100,000 + 100,000 speed + 100,000 first-solve = 2.1 M.
    r = await _import(client, staff, _big(7, points=100_000, speed=100_000, first=100_000))
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith("challenges:")
    # Right at the limit is fine.
    r = await _import(client, staff, _big(6, points=100_000, speed=100_000, first=49_525))
    assert 6 * 249_525 <= keys.MAX_POINTS
    assert r.status_code == 201, r.text


@pytest_asyncio.fixture
async def quiet_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app without its background reconciler: the test calls `reconcile` itself."""
    async with running_app(settings, leave_out=("reconcile_forever",)) as application:
        yield application


async def test_boards_of_another_encoding_do_not_survive(quiet_app: FastAPI) -> None:
    app = quiet_app
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        await _another_encoding(app, client, await make_staff(app))


async def _another_encoding(app: FastAPI, client: httpx.AsyncClient, staff: str) -> None:
    r = await _import(client, staff, QUEST_DOC)
    assert r.status_code == 201, r.text
    ids = await _ids(client)
    ann = await register(client, "ann")
    await _solve(client, ann, ids["luhn"], 3)
    state = app.state.tq
    [quest] = await board_sync.quests(state, "expo")
    assert quest.id is not None
    board_key = keys.board(quest.id, "all")
    live = await state.redis.zrange(board_key, 0, -1, withscores=True)
    # What a previous version left: no marker, the same number of solves, another layout.
    await state.redis.delete(keys.encoding(quest.id))
    await state.redis.zadd(board_key, {"999999": 1.0, str(live[0][0].decode()): 123.0})
    # A live award does not add to such a board (it is left to the reconciler)...
    ben = await register(client, "ben")
    r = await client.post(
        f"/api/challenges/{ids['dna']}/attempts", json={"answer": "T"}, headers=auth(ben)
    )
    assert r.status_code == 200 and r.json()["correct"] is True and r.json()["rank"] is None
    assert await state.redis.zcard(board_key) == 2  # ann and the stray member, not ben
    # ...which rebuilds it from SQL, although the solve count alone looks fine.
    assert await board_sync.reconcile(state) == ["expo"]
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    assert [(e["player"]["handle"], e["score"]) for e in board["entries"]] == [
        ("ann", 100),
        ("ben", 80),
    ]
    assert await board_sync.reconcile(state) == []
