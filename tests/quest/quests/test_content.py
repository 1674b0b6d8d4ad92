"""Quest documents: validation with field paths, re-import in place, the demo quest."""

from __future__ import annotations

import copy

import httpx
import pytest

from quest.quests.content import ContentError, parse_text, validate
from quest.quests.demo.loader import DEMO_QUEST
from tests.support.app import QUEST_DOC, auth, register


def errors_of(doc: object) -> dict[str, str]:
    with pytest.raises(ContentError) as info:
        validate(doc)
    return {e["path"]: e["message"] for e in info.value.errors}


def test_every_error_has_its_field_path() -> None:
    doc = copy.deepcopy(QUEST_DOC)
    doc["challenges"][1]["answer"] = "A plane"  # not an option
    doc["challenges"][2]["track"] = "nowhere"
    doc["challenges"][3]["requires"] = ["ghost"]
    doc["challenges"][0]["answer"] = "three"
    doc["challenges"][4]["secret"] = "not-base32-at-all!"  # left out is fine: generated
    doc["timezone"] = "Mars/Olympus"
    errs = errors_of(doc)
    assert "challenges[1].answer" in errs
    assert "challenges[2].track" in errs
    assert "challenges[3].requires[0]" in errs
    assert "challenges[4].secret" in errs
    assert "timezone" in errs
    assert any(p.startswith("challenges[0].answer") for p in errs)


def test_structural_errors_have_paths() -> None:
    doc = copy.deepcopy(QUEST_DOC)
    doc["challenges"][2]["kind"] = "essay"
    doc["challenges"][0]["points"] = -5
    del doc["challenges"][1]["title"]
    errs = errors_of(doc)
    assert "challenges[2].kind" in errs
    assert "challenges[0].points" in errs
    assert "challenges[1].title" in errs
    assert errors_of([1, 2]) == {"(document)": "a quest must be a mapping"}


def test_cycles_and_duplicates() -> None:
    doc = copy.deepcopy(QUEST_DOC)
    doc["challenges"][2]["requires"] = ["later"]
    doc["challenges"][1]["slug"] = "luhn"
    errs = errors_of(doc)
    assert "challenges[1].slug" in errs
    assert any("cycle" in m for m in errs.values())


def test_demo_quest_is_valid_and_big_enough() -> None:
    doc = validate(parse_text(DEMO_QUEST.read_text()))
    tracks = {t.slug for t in doc.tracks}
    assert {"ai-data", "biotech", "fintech", "robotics", "electronics", "smart-city"} <= tracks
    assert len([c for c in doc.challenges if c.kind != "checkin"]) >= 30
    assert {c.kind for c in doc.challenges} == {"choice", "text", "numeric", "checkin"}
    assert {"aeroism", "breer"} <= {c.booth for c in doc.challenges if c.booth}


async def test_bad_document_over_http_changes_nothing(
    client: httpx.AsyncClient, staff: str
) -> None:
    doc = copy.deepcopy(QUEST_DOC)
    doc["challenges"][3]["answer"] = None
    r = await client.post("/api/admin/quests", json=doc, headers=auth(staff))
    assert r.status_code == 422 and r.json()["code"] == "invalid_document"
    assert "challenges[3].answer" in r.json()["detail"]
    assert any(e["path"] == "challenges[3].answer" for e in r.json()["errors"])
    assert (await client.get("/api/quests")).json() == []
    r = await client.post(
        "/api/admin/quests",
        content=b"slug: [unclosed",
        headers={**auth(staff), "content-type": "application/yaml"},
    )
    assert r.status_code == 422


async def test_reimport_updates_in_place_and_keeps_scores(
    client: httpx.AsyncClient, staff: str, quest: dict[str, int]
) -> None:
    token = await register(client, "keeper")
    r = await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(token)
    )
    assert r.json()["correct"]
    doc = copy.deepcopy(QUEST_DOC)
    doc["title"] = "Expo Quest II"
    doc["challenges"][0]["title"] = "Luhn, revised"
    doc["challenges"].pop(2)  # retire "dna" ("later" must lose its requirement)
    doc["challenges"][2]["requires"] = []
    r = await client.post("/api/admin/quests", json=doc, headers=auth(staff))
    assert r.status_code == 200 and r.json()["title"] == "Expo Quest II"
    listing = (await client.get("/api/quests/expo/challenges", headers=auth(token))).json()
    by_slug = {c["slug"]: c for c in listing}
    assert "dna" not in by_slug
    assert by_slug["luhn"]["id"] == quest["luhn"] and by_slug["luhn"]["state"] == "solved"
    assert by_slug["luhn"]["title"] == "Luhn, revised"
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    assert board["entries"][0]["score"] == 100


async def test_roles_on_admin_endpoints(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    token = await register(client, "nosy")
    for method, url, body in (
        ("POST", "/api/admin/quests", QUEST_DOC),
        ("PATCH", "/api/admin/quests/expo", {"status": "closed"}),
        ("POST", "/api/admin/players/1/ban", None),
        ("POST", "/api/admin/announcements", {"quest": "expo", "text": "hi"}),
        ("GET", "/api/admin/funnel", None),
    ):
        r = await client.request(method, url, json=body)
        assert r.status_code == 401, url
        r = await client.request(method, url, json=body, headers=auth(token))
        assert r.status_code == 403 and r.json()["code"] == "forbidden", url
