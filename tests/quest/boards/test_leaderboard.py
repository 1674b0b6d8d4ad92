"""Boards: ranking, ties by time, competition ranks, windows, freeze, rebuild from SQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from leaderboard import keys
from leaderboard.board import composite, decode
from quest.boards import sync as board_sync
from tests.support.app import auth, register

# More than one tick (100 ms) apart: solves within one tick tie on time too.
TICK_GAP = 1.5 * keys.TICK_MS / 1000


async def solve(client: httpx.AsyncClient, token: str, cid: int, answer: object) -> dict:
    r = await client.post(
        f"/api/challenges/{cid}/attempts", json={"answer": answer}, headers=auth(token)
    )
    assert r.status_code == 200, r.text
    assert r.json()["correct"] is True
    return r.json()


async def board(client: httpx.AsyncClient, **params: object) -> dict:
    r = await client.get("/api/quests/expo/leaderboard", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_composite_roundtrip() -> None:
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    moment = epoch + timedelta(days=300, milliseconds=4 * keys.TICK_MS)
    ticks = int((moment - epoch) / timedelta(milliseconds=keys.TICK_MS))
    points, reached = decode(float(composite(123456, ticks)), epoch)
    assert points == 123456 and reached == moment
    assert composite(10, 5) > composite(10, 6) > composite(9, 0)


async def test_ties_rank_by_time_and_competition_rank(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    a, b, c = [await register(client, n) for n in ("ann", "ben", "cat")]
    await solve(client, a, quest["luhn"], 3)  # 100
    await asyncio.sleep(TICK_GAP)
    await solve(client, b, quest["luhn"], 3)  # 100, later
    await solve(client, c, quest["dna"], "t")  # 80
    data = await board(client)
    assert [e["player"]["handle"] for e in data["entries"]] == ["ann", "ben", "cat"]
    assert [e["rank"] for e in data["entries"]] == [1, 2, 3]
    assert [e["competition_rank"] for e in data["entries"]] == [1, 1, 3]
    assert data["total"] == 3 and data["scope"] == "all" and data["frozen"] is False
    # ben overtakes by reaching 180 first... then ann reaches 180 later and stays behind
    await solve(client, b, quest["dna"], "thymine")
    await asyncio.sleep(TICK_GAP)
    await solve(client, a, quest["dna"], "T")
    data = await board(client)
    assert [e["player"]["handle"] for e in data["entries"][:2]] == ["ben", "ann"]
    assert data["entries"][0]["score"] == data["entries"][1]["score"] == 180
    page = await board(client, limit=1, offset=1)
    assert [e["player"]["handle"] for e in page["entries"]] == ["ann"]
    assert page["entries"][0]["rank"] == 2


async def test_me_with_neighbours_and_percentile(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    tokens = [await register(client, f"player{i}") for i in range(5)]
    for i, tok in enumerate(tokens):
        if i % 2 == 0:
            await solve(client, tok, quest["luhn"], 3)
        await solve(client, tok, quest["dna"], "T")
        await asyncio.sleep(TICK_GAP)
    r = await client.get(
        "/api/quests/expo/leaderboard/me", params={"around": 1}, headers=auth(tokens[1])
    )
    me = r.json()
    assert me["rank"] == 4 and me["score"] == 80 and me["total"] == 5
    assert me["percentile"] == 40.0
    assert [n["rank"] for n in me["neighbours"]] == [3, 4, 5]
    assert me["competition_rank"] == 4
    nobody = await register(client, "idle")
    r = await client.get("/api/quests/expo/leaderboard/me", headers=auth(nobody))
    assert r.status_code == 200 and r.json()["rank"] is None


async def test_scopes(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    tok = await register(client, "scoper")
    await solve(client, tok, quest["luhn"], 3)
    await solve(client, tok, quest["dna"], "T")
    assert (await board(client, scope="track:fintech"))["entries"][0]["score"] == 100
    assert (await board(client, scope="track:biotech"))["entries"][0]["score"] == 80
    daily = await board(client, scope="daily")
    assert daily["entries"][0]["score"] == 180 and daily["scope"].startswith("daily:")
    assert (await board(client, scope=daily["scope"]))["total"] == 1
    weekly = await board(client, scope="weekly")
    assert weekly["scope"].startswith("weekly:") and weekly["total"] == 1
    assert (await board(client, scope="daily:2020-01-01"))["total"] == 0
    for bad in ("track:nope", "daily:2026-13-45", "monthly", "weekly:2026-W99"):
        r = await client.get("/api/quests/expo/leaderboard", params={"scope": bad})
        assert r.status_code == 422 and r.json()["code"] == "unknown_scope", bad
    r = await client.get("/api/quests/expo/leaderboard", params={"limit": 0})
    assert r.status_code == 422
    r = await client.get("/api/quests/nope/leaderboard")
    assert r.status_code == 404 and r.json()["code"] == "quest_not_found"


async def test_frozen_board_shows_standings_at_freeze(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    a, b = await register(client, "early"), await register(client, "late")
    await solve(client, a, quest["dna"], "T")
    r = await client.patch("/api/admin/quests/expo", json={"frozen": True}, headers=auth(staff))
    assert r.json()["frozen"] is True
    await solve(client, b, quest["luhn"], 3)
    public = await board(client)
    assert public["frozen"] is True and [e["player"]["handle"] for e in public["entries"]] == [
        "early"
    ]
    live = (await client.get("/api/quests/expo/leaderboard", headers=auth(staff))).json()
    assert [e["player"]["handle"] for e in live["entries"]] == ["late", "early"]
    await client.patch("/api/admin/quests/expo", json={"frozen": False}, headers=auth(staff))
    assert [e["player"]["handle"] for e in (await board(client))["entries"]] == ["late", "early"]


async def _snapshot(app: FastAPI) -> dict[str, list]:
    redis = app.state.tq.redis
    out = {}
    for scope in sorted(s.decode() for s in await redis.smembers(keys.scopes(1))):
        out[scope] = await redis.zrange(keys.board(1, scope), 0, -1, withscores=True)
    out["handles"] = sorted((await redis.hgetall(keys.handles(1))).items())
    out["applied"] = [await redis.get(keys.applied(1))]
    return out


async def test_rebuild_equals_live_boards(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    tokens = [await register(client, f"rebuilt{i}") for i in range(6)]
    for i, tok in enumerate(tokens):
        await solve(client, tok, quest["dna"], "T")
        if i % 2:
            await solve(client, tok, quest["luhn"], 3)
        if i % 3 == 0:
            await solve(client, tok, quest["later"], "crispr")
    live = await _snapshot(app)
    state = app.state.tq
    [found] = await board_sync.quests(state, "expo")
    await board_sync.rebuild(state, found)
    assert await _snapshot(app) == live
    # a wiped Redis is rebuilt by the reconciler
    await state.redis.flushdb()
    assert await board_sync.reconcile(state) == ["expo"]
    assert await _snapshot(app) == live


async def test_solve_while_redis_down_reaches_boards(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    from redis.asyncio import Redis

    from leaderboard.board import Boards

    tok = await register(client, "outage")
    state = app.state.tq
    working = state.boards
    state.boards = Boards(Redis.from_url("redis://127.0.0.1:1"))  # nothing listens there
    try:
        r = await client.post(
            f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(tok)
        )
        assert r.status_code == 200 and r.json()["correct"] is True and r.json()["score"] == 100
        assert r.json()["rank"] is None
    finally:
        await state.boards.redis.aclose()
        state.boards = working
    assert (await board(client))["total"] == 0
    for _ in range(100):  # the reconciler runs every 0.5 s in tests; solves settle after 3 s
        await asyncio.sleep(0.1)
        if (await board(client))["total"] == 1:
            break
    assert (await board(client))["entries"][0]["player"]["handle"] == "outage"


async def test_ban_removes_from_every_board(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    cheat = await register(client, "cheater")
    me = (
        await client.post(
            "/api/auth/token", data={"username": "cheater", "password": "password123"}
        )
    ).json()
    assert me["role"] == "player"
    await solve(client, cheat, quest["luhn"], 3)
    r = await client.get("/api/admin/players", params={"q": "cheat"}, headers=auth(staff))
    [player] = r.json()
    r = await client.post(f"/api/admin/players/{player['id']}/ban", headers=auth(staff))
    assert r.status_code == 200
    for scope in ("all", "track:fintech", "daily", "weekly"):
        assert (await board(client, scope=scope))["total"] == 0
    r = await client.post(
        f"/api/challenges/{quest['dna']}/attempts", json={"answer": "T"}, headers=auth(cheat)
    )
    assert r.status_code == 401
    r = await client.post(
        "/api/auth/token", data={"username": "cheater", "password": "password123"}
    )
    assert r.status_code == 403 and r.json()["code"] == "banned"
