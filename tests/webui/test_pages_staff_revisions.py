"""The staff console: risky uploads ask for confirmation first; a quest's document downloads."""

from __future__ import annotations

import copy
import html
import json
import re

import httpx
import yaml
from fastapi import FastAPI

from tests.support.app import QUEST_DOC, auth, make_account, register
from tests.support.pages import csrf_of, post_form


async def staff_login(client: httpx.AsyncClient, app: FastAPI, name: str = "boss") -> None:
    await make_account(app, name, "staff")
    r = await post_form(client, "/login", username=name, password="password123")
    assert r.status_code == 303


async def test_a_points_change_after_solves_asks_then_applies(
    client: httpx.AsyncClient, app: FastAPI, quest: dict[str, int]
) -> None:
    player = await register(client, "solver")
    r = await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(player)
    )
    assert r.json()["correct"] is True
    await staff_login(client, app)
    doc = copy.deepcopy(QUEST_DOC)
    doc["challenges"][0]["points"] = 250
    page = await client.get("/staff")
    r = await client.post(
        "/staff/quests",
        data={"csrf_token": csrf_of(page.text)},
        files={"document": ("q.json", json.dumps(doc).encode(), "application/json")},
    )
    assert r.status_code == 200 and 'id="confirm-needed"' in r.text
    assert "<code>luhn</code>: points change applies to new solves only; the 1 existing " in r.text
    assert "solve keeps 100 points" in r.text
    listing = (await client.get("/api/quests/expo/challenges")).json()
    assert listing[0]["points"] == 100  # nothing changed yet
    form = r.text[r.text.index('id="confirm-needed"') :]
    text = html.unescape(re.search(r'name="text" value="([^"]*)"', form).group(1))  # type: ignore[union-attr]
    assert json.loads(text) == doc
    r = await client.post(
        "/staff/quests", data={"csrf_token": csrf_of(form), "text": text, "confirm": "1"}
    )
    assert r.status_code == 303
    assert "Quest expo updated." in (await client.get("/staff")).text
    listing = (await client.get("/api/quests/expo/challenges")).json()
    assert listing[0]["points"] == 250
    board = (await client.get("/api/quests/expo/leaderboard")).json()["entries"]
    assert [e["score"] for e in board] == [100]  # the old solve keeps its points


async def test_the_quest_page_links_a_yaml_download(
    client: httpx.AsyncClient, app: FastAPI, quest: dict[str, int]
) -> None:
    assert (await client.get("/staff/quests/expo/export")).status_code in (303, 307)
    await staff_login(client, app)
    page = await client.get("/staff/quests/expo")
    assert 'href="/staff/quests/expo/export"' in page.text
    r = await client.get("/staff/quests/expo/export")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="expo.yaml"'
    assert yaml.safe_load(r.text)["challenges"][4]["secret"] == QUEST_DOC["challenges"][4]["secret"]
    page = await client.get("/staff/quests/expo", headers={"accept-language": "zh-Hant"})
    assert "下載任務文件" in page.text
    assert (await client.get("/staff/quests/nope/export")).status_code == 404
