"""Simulated players on the server: only staff create them, the per-address sign-up limit does
not count them, they reach the boards and the funnel but never the handoff, the console says
they are there, and the clean-up erases them and their play."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from quest.core.settings import Settings
from quest.jobseekers.notice import NOTICE_VERSION
from quest.rehearsal.demo import mark_demo, wanted
from tests.support.app import auth, make_account, register, sql_rows
from tests.support.pages import post_form

PROFILE: dict[str, Any] = {
    "full_name": "Sim Player",
    "email": "sim@example.com",
    "education_level": "master",
    "sectors": ["fintech"],
    "experience_level": "entry",
    "regions": ["hk"],
    "consent": {"share_with_employers": True, "notice_version": NOTICE_VERSION},
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"signup_address_limit": 2})


def rows(settings: Settings, sql: str) -> list[Any]:
    return sql_rows(settings.database_url or "", sql)


async def simulated(client: httpx.AsyncClient, staff: str, handle: str) -> str:
    r = await client.post(
        "/api/admin/quests/expo/simulated-players",
        json={"handle": handle, "password": "password123"},
        headers=auth(staff),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


async def test_only_staff_create_simulated_players(
    client: httpx.AsyncClient, staff: str, quest: dict[str, int], settings: Settings
) -> None:
    player = await register(client, "realone")
    body = {"handle": "fake1", "password": "password123"}
    path = "/api/admin/quests/expo/simulated-players"
    assert (await client.post(path, json=body)).status_code == 401
    assert (await client.post(path, json=body, headers=auth(player))).status_code == 403
    r = await client.post(
        "/api/admin/quests/nope/simulated-players", json=body, headers=auth(staff)
    )
    assert r.status_code == 404
    # A player cannot mark their own sign-up: extra fields and headers change nothing.
    r = await client.post(
        "/api/players", json={"handle": "sneaky", "password": "password123", "simulated": True}
    )
    assert r.status_code == 422
    r = await client.post(
        "/api/players",
        json={"handle": "sneaky", "password": "password123"},
        headers={"X-TQ-Simulated": "true"},
    )
    assert r.status_code == 201
    await simulated(client, staff, "fake1")
    flags = dict(rows(settings, "SELECT handle, simulated FROM account WHERE role = 'player'"))
    assert flags == {"realone": False, "sneaky": False, "fake1": True}


async def test_staff_sign_ups_are_not_limited_per_address(
    client: httpx.AsyncClient, staff: str, quest: dict[str, int]
) -> None:
    await register(client, "first1")
    await register(client, "second2")
    r = await client.post("/api/players", json={"handle": "third3", "password": "password123"})
    assert r.status_code == 429  # the address's 2 sign-ups are used up
    for n in range(5):
        await simulated(client, staff, f"crowd{n}")


async def test_simulated_conversion_never_reaches_the_handoff(
    client: httpx.AsyncClient, staff: str, quest: dict[str, int], settings: Settings
) -> None:
    fake = await simulated(client, staff, "fake1")
    real = await register(client, "realone")
    for token in (fake, real):
        r = await client.post(
            f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(token)
        )
        assert r.json()["correct"] is True
    r = await client.post("/api/me/jobseeker", json=PROFILE, headers=auth(fake))
    assert r.status_code == 201 and r.json()["handoff"]["status"] == "none"
    r = await client.patch(
        "/api/me/jobseeker", json={"field_of_study": "Physics"}, headers=auth(fake)
    )
    assert r.status_code == 200
    r = await client.post("/api/me/jobseeker", json=PROFILE, headers=auth(real))
    assert r.status_code == 201 and r.json()["handoff"]["status"] == "pending"
    events = rows(
        settings,
        "SELECT a.handle, e.type FROM handoff_event e JOIN account a ON a.id = e.account_id",
    )
    assert events == [("realone", "candidate.converted")]
    # On the board and in the funnel all the same: that is what a rehearsal is for.
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    assert {e["player"]["handle"] for e in board["entries"]} == {"fake1", "realone"}
    funnel = (await client.get("/api/admin/funnel?quest=expo", headers=auth(staff))).json()
    assert funnel["jobseekers"] == 2


async def test_console_banner_and_clean(
    app: FastAPI, client: httpx.AsyncClient, staff: str, quest: dict[str, int], settings: Settings
) -> None:
    await make_account(app, "boss", "staff")
    r = await post_form(client, "/login", username="boss", password="password123")
    assert r.status_code == 303
    assert "simulated-banner" not in (await client.get("/staff")).text
    fake = await simulated(client, staff, "fake1")
    real = await register(client, "realone")
    for token in (fake, real):
        await client.post(
            f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(token)
        )
    await client.post("/api/me/jobseeker", json=PROFILE, headers=auth(fake))
    home = await client.get("/staff")
    assert 'id="simulated-banner"' in home.text and "1 simulated player" in home.text
    live = await client.get("/staff/live/expo")
    assert 'id="simulated-banner"' in live.text and "simulate expo --clean" in live.text
    zh = await client.get("/staff", headers={"Accept-Language": "zh-Hant"})
    assert "模擬玩家" in zh.text

    r = await client.delete("/api/admin/quests/expo/simulated-players", headers=auth(staff))
    assert r.status_code == 200, r.text
    assert r.json()["erased"] == 1
    count = await client.get("/api/admin/quests/expo/simulated-players", headers=auth(staff))
    assert count.json()["players"] == 0
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    assert [e["player"]["handle"] for e in board["entries"]] == ["realone"]
    left = rows(
        settings,
        "SELECT COUNT(*) FROM attempt t JOIN account a ON a.id = t.account_id WHERE a.simulated",
    )
    assert left == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM jobseeker") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM handoff_event") == [(0,)]
    me = await client.get("/api/quests/expo/challenges", headers=auth(fake))
    assert me.status_code == 401  # the erased player's token is gone
    assert "simulated-banner" not in (await client.get("/staff")).text


def test_the_demo_crowd_needs_the_demo_and_the_setting(tmp_path: Path) -> None:
    dev = Settings(environment="development", data_dir=tmp_path)
    assert not wanted(dev)  # no demo loaded here
    mark_demo(dev)
    assert wanted(dev)
    assert not wanted(dev.model_copy(update={"demo_simulation": False}))
    assert not wanted(Settings(environment="test", data_dir=tmp_path))
    assert not wanted(Settings(environment="production", data_dir=tmp_path, secret_key="x" * 40))
    assert wanted(Settings(environment="test", data_dir=tmp_path, demo_simulation=True))
