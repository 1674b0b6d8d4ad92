"""Booth screens: rotating codes, one step of skew, staff-only screens and codes."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from fastapi import FastAPI

from challenges.kinds import booth_code, booth_code_valid
from tests.support.app import QUEST_DOC, auth, make_account, register

SECRET = QUEST_DOC["challenges"][4]["secret"]


def test_codes_rotate_every_30_s_and_allow_one_step_of_skew() -> None:
    t = 1_800_000_000.0  # a step boundary (divisible by 30)
    now = booth_code(SECRET, now=t)
    assert booth_code(SECRET, now=t + 29.9) == now
    assert booth_code(SECRET, now=t + 30) != now
    assert booth_code_valid(SECRET, now, now=t + 30)  # replaced, still accepted for a while
    assert booth_code_valid(SECRET, now, now=t + 59)  # ...about a minute at most
    assert not booth_code_valid(SECRET, now, now=t + 60)
    assert not booth_code_valid(SECRET, "12345", now=t)
    assert not booth_code_valid(SECRET, "abcdef", now=t)


async def _away_from_a_step_boundary() -> None:
    if time.time() % 30 > 27:
        await asyncio.sleep(30 - time.time() % 30 + 0.2)


async def test_booth_code_endpoint_is_staff_only(
    client: httpx.AsyncClient, quest: dict[str, Any], staff: str, app: FastAPI
) -> None:
    url = "/api/admin/booths/expo/aeroism/code"
    assert (await client.get(url)).status_code == 401
    player = await register(client, "visitor")
    assert (await client.get(url, headers=auth(player))).status_code == 403
    await _away_from_a_step_boundary()
    r = await client.get(url, headers=auth(staff))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == booth_code(SECRET) and len(body["code"]) == 6
    assert 0 < body["expires_in"] <= 30
    booth = quest["booth"]  # the QR code names the booth (its number) with the code
    assert body["url"] == f"http://test/play/expo/checkin?booth={booth}&code={body['code']}"
    assert body["qr_svg"].startswith("<svg") and "</svg>" in body["qr_svg"]
    r = await client.get("/api/admin/booths/expo/nowhere/code", headers=auth(staff))
    assert r.status_code == 404 and r.json()["code"] == "booth_not_found"


async def test_checkins_accept_current_and_previous_code_only(
    client: httpx.AsyncClient, quest: dict[str, Any]
) -> None:
    await _away_from_a_step_boundary()
    now = time.time()
    late = await register(client, "latecomer")
    at = {"booth": quest["booth"]}
    r = await client.post(
        "/api/checkins", json=at | {"code": booth_code(SECRET, now=now - 30)}, headers=auth(late)
    )
    assert r.status_code == 200, r.text
    assert r.json()["booth"] == "aeroism" and r.json()["points_awarded"] == 100
    # The same player again, with the current code: already solved.
    r = await client.post(
        "/api/checkins", json=at | {"code": booth_code(SECRET, now=now)}, headers=auth(late)
    )
    assert r.status_code == 409 and r.json()["code"] == "already_solved"
    # A code two steps old (copied off the screen over a minute ago) is refused.
    other = await register(client, "copier")
    r = await client.post(
        "/api/checkins", json=at | {"code": booth_code(SECRET, now=now - 60)}, headers=auth(other)
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_code"
    r = await client.post("/api/checkins", json=at | {"code": "nonsense"}, headers=auth(other))
    assert r.status_code == 422 and r.json()["code"] == "invalid_code"


async def test_booth_and_console_pages_are_for_staff(
    client: httpx.AsyncClient, quest: dict[str, Any], staff: str, app: FastAPI
) -> None:
    for path in ("/staff/booths/expo/aeroism", "/staff/live/expo"):
        r = await client.get(path)
        if r.status_code == 303:
            assert r.headers["location"].startswith("/login?next=")
        else:
            assert r.status_code == 401
        player = await make_account(app, f"p{abs(hash(path)) % 1000}", "player")
        client.cookies.set("tq_session", player)
        assert (await client.get(path)).status_code == 403
        client.cookies.set("tq_session", staff)
        r = await client.get(path)
        assert r.status_code == 200 and "board.js" in r.text
        client.cookies.clear()
    client.cookies.set("tq_session", staff)
    assert (await client.get("/staff/live/nope")).status_code == 404
    client.cookies.clear()


async def test_live_status_for_the_console(
    client: httpx.AsyncClient, quest: dict[str, Any], staff: str
) -> None:
    player = await register(client, "solver")
    await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 1}, headers=auth(player)
    )
    await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(player)
    )
    r = await client.get("/api/admin/live/expo", headers=auth(staff))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "open" and body["frozen"] is False and body["viewers"] == 0
    assert len(body["submissions_per_minute"]) == 10
    assert sum(m["count"] for m in body["submissions_per_minute"]) == 2
    assert (await client.get("/api/admin/live/expo")).status_code == 401


async def test_big_screen_page(client: httpx.AsyncClient, quest: dict[str, Any]) -> None:
    r = await client.get("/board/expo?scope=track:fintech&limit=20")
    assert r.status_code == 200
    assert "Expo Quest" in r.text and "<svg" in r.text and "http://test/play/expo" in r.text
    assert "/ws/quests/expo/leaderboard?scope=track%3Afintech&amp;limit=20" in r.text
    assert (await client.get("/board/nope")).status_code == 404
    assert (await client.get("/board/expo?scope=track:nope")).status_code == 422
    assert (await client.get("/static/board.js")).status_code == 200
