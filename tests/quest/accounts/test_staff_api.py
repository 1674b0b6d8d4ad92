"""The staff's JSON API on people: players, attempts, bans, accounts, the funnel."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from quest.accounts.service import ban
from tests.support.app import auth, register


async def attempt(client: httpx.AsyncClient, token: str, cid: int, answer: object) -> None:
    r = await client.post(
        f"/api/challenges/{cid}/attempts", json={"answer": answer}, headers=auth(token)
    )
    assert r.status_code == 200, r.text


async def test_players_and_their_attempts(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    token = await register(client, "Finder")
    await register(client, "other")
    await attempt(client, token, quest["luhn"], 4)
    await attempt(client, token, quest["luhn"], 3)
    r = await client.get("/api/admin/players", params={"q": "FIND"}, headers=auth(staff))
    [player] = r.json()
    assert set(player) == {"id", "handle", "created_at", "banned_at"}
    assert player["handle"] == "Finder" and player["banned_at"] is None
    everyone = (await client.get("/api/admin/players", headers=auth(staff))).json()
    assert [p["handle"] for p in everyone] == ["other", "Finder"]  # newest first
    r = await client.get(f"/api/admin/players/{player['id']}/attempts", headers=auth(staff))
    assert r.status_code == 200
    rows = r.json()
    assert [set(row) for row in rows] == [{"challenge", "correct", "answer", "submitted_at"}] * 2
    assert [(row["challenge"], row["correct"], row["answer"]) for row in rows] == [
        ("luhn", True, "3"),
        ("luhn", False, "4"),
    ]
    r = await client.get("/api/admin/players/9999/attempts", headers=auth(staff))
    assert r.status_code == 404 and r.json()["code"] == "player_not_found"


async def test_staff_accounts(client: httpx.AsyncClient, staff: str) -> None:
    body = {"username": "recruit9", "password": "password123", "role": "recruiter"}
    r = await client.post("/api/admin/accounts", json=body, headers=auth(staff))
    assert r.status_code == 201
    assert set(r.json()) == {"id", "username", "role"} and r.json()["role"] == "recruiter"
    r = await client.post("/api/admin/accounts", json=body, headers=auth(staff))
    assert r.status_code == 409 and r.json()["code"] == "handle_taken"
    r = await client.post(
        "/api/admin/accounts",
        json={**body, "username": "p2", "role": "player"},
        headers=auth(staff),
    )
    assert r.status_code == 422


async def test_a_rolled_back_ban_leaves_the_player_playing(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "suspect")
    await attempt(client, token, quest["luhn"], 3)
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    player_id = board["entries"][0]["player"]["id"]
    state = app.state.tq
    with pytest.raises(RuntimeError):
        async with state.sessionmaker() as session, session.begin():
            await ban(session=session, redis=state.redis, boards=state.boards, account_id=player_id)
            raise RuntimeError("something after the ban fails: the transaction rolls back")
    assert (await client.get("/api/quests/expo/leaderboard")).json()["total"] == 1
    r = await client.get("/api/quests/expo/leaderboard/me", headers=auth(token))
    assert r.status_code == 200 and r.json()["rank"] == 1


async def test_ban_over_http(client: httpx.AsyncClient, quest: dict[str, int], staff: str) -> None:
    token = await register(client, "cheat")
    await attempt(client, token, quest["luhn"], 3)
    players = (await client.get("/api/admin/players", headers=auth(staff))).json()
    r = await client.post(f"/api/admin/players/{players[0]['id']}/ban", headers=auth(staff))
    assert r.status_code == 200
    assert set(r.json()) == {"id", "handle", "banned_at"} and r.json()["banned_at"]
    assert (await client.get("/api/quests/expo/leaderboard")).json()["total"] == 0
    r = await client.get("/api/quests/expo/leaderboard/me", headers=auth(token))
    assert r.status_code == 401  # the cached token went with the ban
    r = await client.post(f"/api/admin/players/{players[0]['id'] + 99}/ban", headers=auth(staff))
    assert r.status_code == 404 and r.json()["code"] == "player_not_found"


async def test_funnel(client: httpx.AsyncClient, quest: dict[str, int], staff: str) -> None:
    solver = await register(client, "solver")
    await register(client, "idle")
    for slug, answer in (("luhn", 3), ("dna", "T"), ("later", "CRISPR")):
        await attempt(client, solver, quest[slug], answer)  # biotech done, fintech not
    r = await client.get("/api/admin/funnel", headers=auth(staff))
    assert r.json() == {
        "players": 2,
        "active": 1,
        "completed": 1,
        "jobseekers": 0,
        "conversion_rate": 0.0,
    }
    r = await client.get("/api/admin/funnel", params={"quest": "expo"}, headers=auth(staff))
    assert r.json()["active"] == 1
    r = await client.get("/api/admin/funnel", params={"quest": "nope"}, headers=auth(staff))
    assert r.status_code == 404 and r.json()["code"] == "quest_not_found"
