"""Revisions: every change of a quest's content is recorded once, with who, when, what and the
document; risky changes to solved challenges ask for confirmation; restore re-imports."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import yaml

from tests.support.app import QUEST_DOC, auth, register


def changed(**points: int) -> dict[str, Any]:
    doc = copy.deepcopy(QUEST_DOC)
    for ch in doc["challenges"]:
        if ch["slug"] in points:
            ch["points"] = points[ch["slug"]]
    return doc


async def revisions(client: httpx.AsyncClient, staff: str) -> list[dict[str, Any]]:
    r = await client.get("/api/admin/quests/expo/revisions", headers=auth(staff))
    assert r.status_code == 200, r.text
    return list(r.json())


async def test_a_change_is_a_revision_and_an_identical_import_is_none(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    first = await revisions(client, staff)
    assert [(r["n"], r["by"], r["summary"]) for r in first] == [(1, "staffer", "created")]
    r = await client.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
    assert r.status_code == 200
    assert await revisions(client, staff) == first  # the same document: no revision
    doc = changed(swift=70)
    doc["challenges"].append({**QUEST_DOC["challenges"][2], "slug": "rna", "title": "RNA"})
    r = await client.post("/api/admin/quests", json=doc, headers=auth(staff))
    assert r.status_code == 200, r.text
    listed = await revisions(client, staff)
    assert [r["n"] for r in listed] == [2, 1]
    assert listed[0]["summary"] == "challenge swift: points 50 → 70; added challenge rna"
    assert listed[0]["at"] >= first[0]["at"] and listed[0]["by"] == "staffer"
    r = await client.get("/api/admin/quests/expo/revisions/2", headers=auth(staff))
    detail = r.json()
    assert detail["changes"] == ["challenge swift: points 50 → 70", "added challenge rna"]
    assert [c["slug"] for c in detail["document"]["challenges"]][-1] == "rna"
    assert "-  points: 50\n+  points: 70\n" in detail["diff"]
    assert "+- slug: rna\n" in detail["diff"] and detail["diff"].startswith("--- revision 1")
    r = await client.get("/api/admin/quests/expo/revisions/9", headers=auth(staff))
    assert r.status_code == 404 and r.json()["code"] == "revision_not_found"


async def test_the_document_and_revisions_are_staff_only(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    player = await register(client, "curious")
    paths = ["document", "document?format=yaml", "revisions", "revisions/1"]
    for path in paths:
        url = f"/api/admin/quests/expo/{path}"
        assert (await client.get(url)).status_code == 401
        assert (await client.get(url, headers=auth(player))).status_code == 403
    r = await client.post("/api/admin/quests/expo/revisions/1/restore", headers=auth(player))
    assert r.status_code == 403
    r = await client.get("/api/admin/quests/expo/document", headers=auth(staff))
    document = r.json()
    assert document["challenges"][4]["secret"] == QUEST_DOC["challenges"][4]["secret"]
    r = await client.get("/api/admin/quests/expo/document?format=yaml", headers=auth(staff))
    assert r.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(r.text) == document
    r = await client.get("/api/admin/quests/nope/document", headers=auth(staff))
    assert r.status_code == 404


async def test_changing_points_of_a_solved_challenge_asks_first_and_keeps_old_solves(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    early = await register(client, "early")
    for _ in range(2):
        r = await client.post(
            f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(early)
        )
    assert r.status_code == 409  # solved once
    r = await client.post("/api/admin/quests", json=changed(luhn=200), headers=auth(staff))
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "confirmation_required"
    assert body["affected"] == [
        {
            "challenge": "luhn",
            "solves": 1,
            "change": "points",
            "effect": "points change applies to new solves only; existing 1 solves keep 100 "
            "points (plus any bonus they were awarded)",
        }
    ]
    assert len(await revisions(client, staff)) == 1  # nothing changed
    listing = (await client.get("/api/quests/expo/challenges", headers=auth(early))).json()
    assert {c["slug"]: c["points"] for c in listing}["luhn"] == 100
    # a change to a challenge nobody solved needs no confirmation
    r = await client.post("/api/admin/quests", json=changed(swift=5), headers=auth(staff))
    assert r.status_code == 200
    r = await client.post(
        "/api/admin/quests?confirm=true", json=changed(luhn=200, swift=5), headers=auth(staff)
    )
    assert r.status_code == 200, r.text
    late = await register(client, "late")
    r = await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(late)
    )
    assert r.json()["points_awarded"] == 200
    board = (await client.get("/api/quests/expo/leaderboard")).json()["entries"]
    assert [(e["player"]["handle"], e["score"]) for e in board] == [("late", 200), ("early", 100)]


async def test_answer_changes_and_removals_of_solved_challenges_are_listed(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    player = await register(client, "solver")
    for slug, answer in (("luhn", 3), ("dna", "T")):
        r = await client.post(
            f"/api/challenges/{quest[slug]}/attempts", json={"answer": answer}, headers=auth(player)
        )
        assert r.json()["correct"] is True
    doc = copy.deepcopy(QUEST_DOC)
    doc["challenges"][0]["answer"] = 4
    doc["challenges"] = [c for c in doc["challenges"] if c["slug"] not in {"dna", "later"}]
    r = await client.post("/api/admin/quests", json=doc, headers=auth(staff))
    assert r.status_code == 409
    affected = [(a["challenge"], a["solves"], a["change"]) for a in r.json()["affected"]]
    assert affected == [("luhn", 1, "answer"), ("dna", 1, "removed")]
    assert "keep counting on the boards" in r.json()["affected"][1]["effect"]
    r = await client.post("/api/admin/quests?confirm=true", json=doc, headers=auth(staff))
    assert r.status_code == 200
    me = (await client.get("/api/quests/expo/leaderboard")).json()["entries"][0]
    assert me["score"] == 180  # the retired challenge's solve still counts


async def test_restore_imports_an_old_revision_as_a_new_one(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    r = await client.post("/api/admin/quests", json=changed(swift=70), headers=auth(staff))
    assert r.status_code == 200
    player = await register(client, "fast")
    r = await client.post(
        f"/api/challenges/{quest['swift']}/attempts",
        json={"answer": "A network"},
        headers=auth(player),
    )
    assert r.json()["points_awarded"] == 70
    url = "/api/admin/quests/expo/revisions/1/restore"
    r = await client.post(url, headers=auth(staff))
    assert r.status_code == 409 and r.json()["affected"][0]["challenge"] == "swift"
    r = await client.post(url + "?confirm=true", headers=auth(staff))
    assert r.status_code == 200, r.text
    assert r.json()["revision"] == 3 and r.json()["quest"]["slug"] == "expo"
    listed = await revisions(client, staff)
    assert listed[0]["summary"] == "challenge swift: points 70 → 50"
    one = (await client.get("/api/admin/quests/expo/revisions/1", headers=auth(staff))).json()
    three = (await client.get("/api/admin/quests/expo/revisions/3", headers=auth(staff))).json()
    assert three["document"] == one["document"]
    r = await client.post(url, headers=auth(staff))  # already the current document
    assert r.status_code == 200 and r.json()["revision"] is None
    board = (await client.get("/api/quests/expo/leaderboard")).json()["entries"]
    assert [e["score"] for e in board] == [70]


async def test_restore_keeps_the_quest_status(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    """A quest saved as a draft, then opened: restoring that first revision keeps it open."""
    doc = {**changed(swift=70), "status": "draft"}
    r = await client.post("/api/admin/quests", json=doc, headers=auth(staff))
    assert r.status_code == 200, r.text
    r = await client.patch("/api/admin/quests/expo", json={"status": "open"}, headers=auth(staff))
    assert r.status_code == 200, r.text
    current = (await client.get("/api/admin/quests/expo/document", headers=auth(staff))).json()
    assert "status" not in current  # the event's state is not content
    r = await client.post("/api/admin/quests/expo/revisions/1/restore", headers=auth(staff))
    assert r.status_code == 200, r.text
    listed = (await client.get("/api/quests")).json()
    assert [q["status"] for q in listed if q["slug"] == "expo"] == ["open"]
