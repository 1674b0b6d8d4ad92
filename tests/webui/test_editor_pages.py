"""The quest editor's pages through httpx (JS off): the editor shell, the preview rendered
with the player's template in either language, and the revisions pages (list, diff,
restore, confirmation when solves are affected)."""

from __future__ import annotations

import copy
import json
import re

import httpx
from fastapi import FastAPI

from tests.support.app import QUEST_DOC, auth, make_account, make_staff, register
from tests.support.pages import csrf_of, post_form

META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')
SWIFT = QUEST_DOC["challenges"][1]


def strings(html: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="editor-strings">(.*?)</script>', html)
    assert found, html
    texts: dict[str, str] = json.loads(found.group(1))
    return texts


async def staff_login(client: httpx.AsyncClient, app: FastAPI, name: str = "editor") -> None:
    await make_account(app, name, "staff")
    r = await post_form(client, "/login", username=name, password="password123")
    assert r.status_code == 303


async def meta_token(client: httpx.AsyncClient, page: str = "/staff/quests/new") -> str:
    r = await client.get(page)
    match = META.search(r.text)
    assert match, r.text
    return match.group(1)


async def test_editor_needs_staff_and_says_it_needs_javascript(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    r = await client.get("/staff/quests/new")
    assert r.headers["location"] == "/login?next=/staff/quests/new"
    await staff_login(client, app)
    r = await client.get("/staff/quests/new")
    assert r.status_code == 200
    assert "<noscript>" in r.text and "needs JavaScript" in r.text
    assert 'href="/staff#upload-h"' in r.text  # the document upload is the fallback
    assert '<script type="module" src="/static/editor.js">' in r.text
    assert strings(r.text)["add_challenge"] == "Add a challenge"  # the script's texts
    r = await client.get("/staff/quests/nope/edit")
    assert r.status_code == 404
    r = await client.get("/static/editor.js")
    assert r.status_code == 200 and "/api/admin/quests" in r.text
    console = await client.get("/staff")
    assert 'href="/staff/quests/new"' in console.text


async def test_edit_page_and_console_links(
    client: httpx.AsyncClient, app: FastAPI, quest: dict
) -> None:
    await staff_login(client, app)
    r = await client.get("/staff/quests/expo/edit", headers={"Accept-Language": "zh-HK"})
    assert r.status_code == 200 and 'data-slug="expo"' in r.text
    assert "編輯任務 expo" in r.text and strings(r.text)["add_challenge"] == "新增挑戰"
    console = await client.get("/staff")
    assert 'href="/staff/quests/expo/edit"' in console.text
    assert 'href="/staff/quests/expo/revisions"' in console.text


async def test_preview_renders_the_players_page_in_either_language(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await staff_login(client, app)
    token = await meta_token(client)
    challenge = {**SWIFT, "answer": ["A network", "A bird"], "closes_at": None}
    body = {"quest": {"slug": "expo", "title": "Expo"}, "challenge": challenge, "lang": "en"}
    r = await client.post("/staff/quests/preview", json=body)
    assert r.status_code == 403  # no token
    r = await client.post("/staff/quests/preview", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert html.startswith('<div lang="en" class="phone-page">')
    assert "<h1>SWIFT</h1>" in html and "What is SWIFT?" in html
    assert html.count('type="checkbox" name="answer"') == 3  # multi-select: checkboxes
    assert "Pick every right answer" in html or "checkbox" in html
    assert "2 attempts left" in html and "Multiple choice" in html
    assert '<button type="submit" disabled>' in html  # a preview sends nothing
    assert "<html" not in html and "<header" not in html  # the page's content only
    r = await client.post(
        "/staff/quests/preview", json={**body, "lang": "zh-Hant"}, headers={"X-CSRF-Token": token}
    )
    assert r.text.startswith('<div lang="zh-Hant"') and "選擇題" in r.text
    numeric = {"slug": "n", "title": "Pi", "prompt": "Pi?", "kind": "numeric", "answer": 3.14159}
    r = await client.post(
        "/staff/quests/preview",
        json={"challenge": numeric, "lang": "en"},
        headers={"X-CSRF-Token": token},
    )
    assert 'inputmode="decimal"' in r.text and "3.14159" not in r.text  # never the answer
    r = await client.post(
        "/staff/quests/preview", json={"lang": "en"}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 422


async def test_preview_is_staff_only(client: httpx.AsyncClient) -> None:
    await register(client, "nosy")  # a player with a cookie? no: the API returns a token
    r = await client.post("/staff/quests/preview", json={"challenge": {}})
    assert r.status_code in (303, 403)


async def test_revisions_list_diff_and_restore(client: httpx.AsyncClient, app: FastAPI) -> None:
    staff = await make_staff(app, "importer")
    r = await client.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
    assert r.status_code == 201
    changed = copy.deepcopy(QUEST_DOC)
    changed["title"] = "Expo Quest II"
    changed["challenges"][2]["title"] = "Double helix"
    r = await client.post("/api/admin/quests", json=changed, headers=auth(staff))
    assert r.status_code == 200
    await staff_login(client, app)
    page = await client.get("/staff/quests/expo/revisions")
    assert page.status_code == 200
    rows = re.findall(
        r'<tr>\s*<th scope="row"><a href="/staff/quests/expo/revisions/(\d+)"', page.text
    )
    assert rows == ["2", "1"]  # newest first
    assert (
        "importer" in page.text
        and "title &#39;Expo Quest&#39; → &#39;Expo Quest II&#39;" in page.text
    )
    assert page.text.count("/restore") == 1  # the current revision has no restore button
    diff = await client.get("/staff/quests/expo/revisions/2")
    assert "<ins>+title: Expo Quest II</ins>" in diff.text
    assert "<del>-title: Expo Quest</del>" in diff.text
    assert (await client.get("/staff/quests/expo/revisions/9")).status_code == 404
    r = await client.post("/staff/quests/expo/revisions/1/restore", data={"csrf_token": "forged"})
    assert r.status_code == 403
    assert (await client.get("/api/quests/expo")).json()["title"] == "Expo Quest II"
    r = await post_form(
        client, "/staff/quests/expo/revisions/1", "/staff/quests/expo/revisions/1/restore"
    )
    assert r.status_code == 303 and r.headers["location"] == "/staff/quests/expo/revisions"
    page = await client.get("/staff/quests/expo/revisions")
    assert "Revision 1 restored as revision 3." in page.text
    assert (await client.get("/api/quests/expo", headers=auth(staff))).json()[
        "title"
    ] == "Expo Quest"


async def test_restore_asks_to_confirm_when_solves_are_affected(
    client: httpx.AsyncClient, app: FastAPI, quest: dict
) -> None:
    staff = await make_staff(app, "importer")
    player = await register(client, "solver")
    r = await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(player)
    )
    assert r.json()["correct"] is True
    changed = copy.deepcopy(QUEST_DOC)
    changed["challenges"][0]["points"] = 200
    r = await client.post("/api/admin/quests?confirm=true", json=changed, headers=auth(staff))
    assert r.status_code == 200
    await staff_login(client, app)
    listing = await client.get("/staff/quests/expo/revisions")
    first = re.findall(r"/staff/quests/expo/revisions/(\d+)/restore", listing.text)[-1]
    r = await post_form(
        client,
        f"/staff/quests/expo/revisions/{first}",
        f"/staff/quests/expo/revisions/{first}/restore",
    )
    assert r.status_code == 200 and 'id="restore-confirm"' in r.text
    assert "<code>luhn</code> (1 solve)" in r.text and "points" in r.text
    current = await client.get("/api/admin/quests/expo/document", headers=auth(staff))
    assert current.json()["challenges"][0]["points"] == 200  # nothing changed yet
    r = await client.post(
        f"/staff/quests/expo/revisions/{first}/restore",
        data={"csrf_token": csrf_of(r.text), "confirm": "true"},
    )
    assert r.status_code == 303
    current = await client.get("/api/admin/quests/expo/document", headers=auth(staff))
    assert current.json()["challenges"][0]["points"] == 100
