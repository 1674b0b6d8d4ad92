"""The staff console: upload with every error, status, charts, preview, players, accounts."""

from __future__ import annotations

import copy
import json

import httpx
from fastapi import FastAPI

from tests.support.app import QUEST_DOC, make_account
from tests.support.pages import answer, csrf_of, post_form, signup


async def staff_login(client: httpx.AsyncClient, app: FastAPI, name: str = "boss") -> None:
    await make_account(app, name, "staff")
    r = await post_form(client, "/login", username=name, password="password123")
    assert r.status_code == 303 and r.headers["location"] == "/staff"


async def upload(client: httpx.AsyncClient, body: bytes, name: str = "q.yaml") -> httpx.Response:
    page = await client.get("/staff")
    return await client.post(
        "/staff/quests",
        data={"csrf_token": csrf_of(page.text)},
        files={"document": (name, body, "application/octet-stream")},
    )


async def test_players_cannot_see_the_console(client: httpx.AsyncClient) -> None:
    assert (await client.get("/staff")).headers["location"] == "/login?next=/staff"
    await signup(client, "nosy")
    r = await client.get("/staff")
    assert r.status_code == 403 and "not allowed" in r.text


async def test_upload_shows_every_error_then_imports(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await staff_login(client, app)
    broken = copy.deepcopy(QUEST_DOC)
    broken["challenges"][3]["requires"] = ["nope"]
    broken["challenges"][2]["track"] = "space"
    broken["tracks"].append({"slug": "fintech", "title": "Again"})
    r = await upload(client, json.dumps(broken).encode(), "q.json")
    assert r.status_code == 200
    for path in ("challenges[3].requires[0]", "challenges[2].track", "tracks[2].slug"):
        assert f"<code>{path}" in r.text, path
    assert "nothing was changed" in r.text
    assert (await client.get("/api/quests")).json() == []
    r = await upload(client, b"slug: expo\ntitle: 1\n")
    assert r.status_code == 200 and "<code>starts_at</code>" in r.text
    r = await upload(client, b"slug: [unclosed")
    assert r.status_code == 200 and "(document)" in r.text
    r = await upload(client, b"\xff\xfe")
    assert r.status_code == 200 and "<code>(document)</code>: not UTF-8 text" in r.text
    page = await client.get("/staff")
    r = await client.post("/staff/quests", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "<code>(document)</code>: no file chosen" in r.text
    r = await upload(client, json.dumps(QUEST_DOC).encode(), "q.json")
    assert r.status_code == 303
    page = await client.get("/staff")
    assert "Quest expo created." in page.text and "Expo Quest" in page.text
    r = await upload(client, json.dumps({**QUEST_DOC, "title": "Expo Quest II"}).encode())
    assert r.status_code == 303
    page = await client.get("/staff")
    assert "Quest expo updated." in page.text and "Expo Quest II" in page.text


async def test_status_change(client: httpx.AsyncClient, app: FastAPI, quest: dict) -> None:
    await staff_login(client, app)
    r = await post_form(client, "/staff", "/staff/quests/expo/status", status="paused")
    assert r.status_code == 303
    assert (await client.get("/api/quests/expo")).json()["status"] == "paused"
    r = await post_form(client, "/staff", "/staff/quests/expo/status", status="gone")
    assert r.status_code == 422 and "not a quest status" in r.text
    assert (await client.get("/api/quests/expo")).json()["status"] == "paused"


async def test_charts_render_with_data(
    client: httpx.AsyncClient, app: FastAPI, quest: dict
) -> None:
    await signup(client, "player1")
    await answer(client, "luhn", answer="3")
    await answer(client, "swift", answer="A bird")
    client.cookies.clear()
    await signup(client, "player2")
    await answer(client, "luhn", answer="4")
    client.cookies.clear()
    await staff_login(client, app)
    r = await client.get("/staff/quests/expo")
    assert r.status_code == 200
    assert r.text.count('<svg class="chart"') == 3
    assert "Completed a track" in r.text and "<rect" in r.text and "<polyline" in r.text
    assert "50%" in r.text  # luhn: two tried, one solved
    preview = await client.get("/staff/quests/expo/preview/swift")
    assert "Preview: this is how players see" in preview.text and "A network" in preview.text
    assert "disabled" in preview.text


async def test_find_and_ban_a_player(client: httpx.AsyncClient, app: FastAPI, quest: dict) -> None:
    await signup(client, "cheater")
    await answer(client, "luhn", answer="3")
    client.cookies.clear()
    await staff_login(client, app)
    r = await client.get("/staff/players?q=CHEAT")
    assert "cheater" in r.text
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    player_id = board["entries"][0]["player"]["id"]
    page = await client.get(f"/staff/players/{player_id}")
    assert "Luhn" in page.text and "<code>3</code>" in page.text
    r = await client.post(
        f"/staff/players/{player_id}/ban", data={"csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 303
    assert "is banned and off every leaderboard" in (await client.get(r.headers["location"])).text
    assert (await client.get("/api/quests/expo/leaderboard")).json()["total"] == 0


async def test_create_accounts(client: httpx.AsyncClient, app: FastAPI) -> None:
    await staff_login(client, app)
    bad = await post_form(client, "/staff/accounts", username="x", password="short")
    assert bad.status_code == 200
    assert (
        'id="e-username"' in bad.text
        and 'id="e-password"' in bad.text
        and 'id="e-role"' in bad.text
    )
    ok = await post_form(
        client, "/staff/accounts", username="recruit1", password="password123", role="recruiter"
    )
    assert ok.status_code == 303
    client.cookies.clear()
    r = await post_form(client, "/login", username="recruit1", password="password123")
    assert r.headers["location"] == "/recruiters"


async def test_staff_console_in_chinese(
    client: httpx.AsyncClient, app: FastAPI, quest: dict
) -> None:
    await staff_login(client, app)
    await client.get("/lang/zh-Hant")
    r = await client.get("/staff/quests/expo")
    assert "由玩家到求職者" in r.text and "轉化率" in r.text
