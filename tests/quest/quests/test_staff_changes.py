"""Staff changes to quests: the boards follow the commit, the import speaks one language."""

from __future__ import annotations

import copy

import httpx
import pytest
from fastapi import FastAPI

from leaderboard import keys
from quest.quests.schemas import QuestPatch
from quest.quests.service import change_quest, import_document
from tests.support.app import QUEST_DOC, auth, register


async def solve_luhn(client: httpx.AsyncClient, quest: dict[str, int], handle: str) -> str:
    token = await register(client, handle)
    r = await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(token)
    )
    assert r.json()["correct"] is True
    return token


async def test_a_rolled_back_freeze_leaves_the_boards_live(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    await solve_luhn(client, quest, "early")
    state = app.state.tq
    quest_id = (await state.caches.quests.get(state, "expo"))[0].id
    with pytest.raises(RuntimeError):
        async with state.sessionmaker() as session, session.begin():
            await change_quest(
                session=session, boards=state.boards, slug="expo", change=QuestPatch(frozen=True)
            )
            raise RuntimeError("something after the change fails: the transaction rolls back")
    assert not await state.redis.exists(keys.frozen(quest_id, "all"))
    await solve_luhn(client, quest, "later")
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    assert board["frozen"] is False and board["total"] == 2


async def test_freeze_and_thaw_over_http_reach_the_boards_before_the_reply(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    await solve_luhn(client, quest, "early")
    quest_id = (await app.state.tq.caches.quests.get(app.state.tq, "expo"))[0].id
    r = await client.patch("/api/admin/quests/expo", json={"frozen": True}, headers=auth(staff))
    assert r.status_code == 200 and r.json()["frozen"] is True
    assert await app.state.tq.redis.exists(keys.frozen(quest_id, "all"))
    await solve_luhn(client, quest, "after-freeze")
    public = (await client.get("/api/quests/expo/leaderboard")).json()
    assert public["frozen"] is True and public["total"] == 1
    r = await client.patch("/api/admin/quests/expo", json={"frozen": False}, headers=auth(staff))
    assert r.json()["frozen"] is False
    assert not await app.state.tq.redis.exists(keys.frozen(quest_id, "all"))
    assert (await client.get("/api/quests/expo/leaderboard")).json()["total"] == 2


async def test_import_errors_over_http(client: httpx.AsyncClient, staff: str) -> None:
    r = await client.post(
        "/api/admin/quests",
        content=b"\xff\xfe not text",
        headers={**auth(staff), "content-type": "application/yaml"},
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_document"
    assert r.json()["detail"] == "The document must be UTF-8 text."
    r = await client.post(
        "/api/admin/quests",
        content=b"slug: expo",
        headers={**auth(staff), "content-type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("Not valid JSON: ")
    r = await client.post(
        "/api/admin/quests",
        content=b"slug: expo\nstarts_at: 2026-13-45\n",
        headers={**auth(staff), "content-type": "application/yaml"},
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_document"
    assert r.json()["errors"] == [
        {"path": "(document)", "message": "not valid YAML/JSON: month must be in 1..12"}
    ]
    broken = copy.deepcopy(QUEST_DOC)
    broken["challenges"][2]["track"] = "space"
    broken["challenges"][3]["requires"] = ["nope"]
    r = await client.post("/api/admin/quests", json=broken, headers=auth(staff))
    assert r.status_code == 422
    assert r.json()["detail"] == "challenges[2].track: no track 'space' (and 1 more)"
    assert [e["path"] for e in r.json()["errors"]] == [
        "challenges[2].track",
        "challenges[3].requires[0]",
    ]
    assert (await client.get("/api/quests")).json() == []


async def test_import_returns_the_quest_and_whether_it_was_created(app: FastAPI) -> None:
    import json

    state = app.state.tq
    text = json.dumps(QUEST_DOC)
    async with state.sessionmaker() as session, session.begin():
        first = await import_document(session=session, document=text, syntax="json")
    async with state.sessionmaker() as session, session.begin():
        again = await import_document(session=session, document=text.encode())
    assert first.created is True and again.created is False
    assert again.quest.slug == "expo" and [t.slug for t in again.quest.tracks] == [
        "fintech",
        "biotech",
    ]
