"""The recruiter API: who may call it, search, profiles, notes, shortlist, CSV, audit."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.support.jobs import Send, as_, envelope, profile

RECRUITER, OTHER, STAFF, PLAYER = (
    as_(1, "recruiter"),
    as_(2, "recruiter"),
    as_(3, "staff"),
    as_(4, "player"),
)
ENDPOINTS = [
    ("GET", "/api/recruiter/candidates"),
    ("GET", "/api/recruiter/candidates.csv"),
    ("GET", "/api/recruiter/candidates/rc_1"),
    ("POST", "/api/recruiter/candidates/rc_1/notes"),
    ("GET", "/api/recruiter/shortlist"),
    ("POST", "/api/recruiter/shortlist/rc_1"),
    ("DELETE", "/api/recruiter/shortlist/rc_1"),
]


@pytest.fixture(autouse=True)
async def _candidates(demo: int, send: Send) -> None:
    """Three consenting candidates (sent once per module: the webhook ids are fixed)."""
    people = [
        profile("rc_1", 11, full_name="Chan Tai Man", sectors=["fintech", "ai-data"]),
        profile(
            "rc_2",
            12,
            full_name="Wong Siu Ming",
            education_level="phd",
            sectors=["biotech"],
            regions=["overseas"],
            experience_level="mid",
            assessment={
                "quest": "tq",
                "score": 900,
                "percentile": 99.0,
                "badges": ["=HYPERLINK()"],
                "tracks_completed": ["biotech"],
            },
        ),
        profile("rc_3", 13, full_name="Lee Ka Yan", sectors=["robotics"], regions=["hk"]),
    ]
    for person in people:
        r = await send(envelope("converted", person), msg_id=f"msg_seed_{person['candidate_id']}")
        assert r.status_code == 200


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_access(client: httpx.AsyncClient, method: str, path: str) -> None:
    body = {"json": {"text": "hello"}} if path.endswith("/notes") else {}
    anonymous = await client.request(method, path, **body)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")
    player = await client.request(method, path, headers=PLAYER, **body)
    assert (player.status_code, player.json()["code"]) == (403, "forbidden")
    for who in (RECRUITER, STAFF):
        allowed = await client.request(method, path, headers=who, **body)
        assert allowed.status_code in (200, 201, 204), allowed.text


async def test_audit_is_staff_only(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/admin/recruiter-audit")).status_code == 401
    for who in (PLAYER, RECRUITER):
        assert (await client.get("/api/admin/recruiter-audit", headers=who)).status_code == 403
    assert (await client.get("/api/admin/recruiter-audit", headers=STAFF)).status_code == 200


async def test_search_filters_and_sort(client: httpx.AsyncClient) -> None:
    async def ids(**params: str | float) -> list[str]:
        r = await client.get("/api/recruiter/candidates", params=params, headers=RECRUITER)
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    assert await ids(sort="score") == ["rc_2", "rc_3", "rc_1"]  # equal scores: newer id first
    assert await ids(sector="fintech") == ["rc_1"]
    assert await ids(education_level="phd") == ["rc_2"]
    assert await ids(experience_level="mid") == ["rc_2"]
    assert set(await ids(region="hk")) == {"rc_1", "rc_3"}
    assert await ids(min_percentile=95) == ["rc_2"]
    assert await ids(q="ka yan") == ["rc_3"]
    assert set(await ids(sort="date")) == {"rc_1", "rc_2", "rc_3"}
    for field in ("sector", "education_level", "experience_level", "region", "sort"):
        r = await client.get("/api/recruiter/candidates", params={field: "x"}, headers=RECRUITER)
        assert (r.status_code, r.json()["code"]) == (422, "invalid_filter")
    r = await client.get("/api/recruiter/candidates", params={"min_percentile": 101}, headers=STAFF)
    assert r.status_code == 422


async def test_item_shape(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/recruiter/candidates", params={"q": "chan"}, headers=RECRUITER)
    (item,) = r.json()["items"]
    assert set(item) == {
        "id", "full_name", "education_level", "sectors", "regions", "experience_level",
        "assessment", "converted_at",
    }  # fmt: skip
    assert set(item["assessment"]) == {"score", "percentile", "badges", "tracks_completed"}
    assert "email" not in item


async def test_notes_are_private_per_recruiter(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/recruiter/candidates/rc_2/notes", json={"text": "Strong in CRISPR"}, headers=RECRUITER
    )
    assert r.status_code == 201
    mine = (await client.get("/api/recruiter/candidates/rc_2", headers=RECRUITER)).json()
    assert [n["text"] for n in mine["notes"]] == ["Strong in CRISPR"]
    theirs = (await client.get("/api/recruiter/candidates/rc_2", headers=OTHER)).json()
    assert theirs["notes"] == []
    for bad in ("", "x" * 2001, "   "):
        r = await client.post(
            "/api/recruiter/candidates/rc_2/notes", json={"text": bad}, headers=RECRUITER
        )
        assert r.status_code == 422
    r = await client.post(
        "/api/recruiter/candidates/nobody/notes", json={"text": "hi"}, headers=OTHER
    )
    assert (r.status_code, r.json()["code"]) == (404, "candidate_not_found")


async def test_shortlist(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/recruiter/shortlist/rc_3", headers=OTHER)).status_code == 201
    assert (await client.post("/api/recruiter/shortlist/rc_3", headers=OTHER)).status_code == 200
    listed = (await client.get("/api/recruiter/shortlist", headers=OTHER)).json()
    assert [i["id"] for i in listed["items"]] == ["rc_3"]
    view = (await client.get("/api/recruiter/candidates/rc_3", headers=OTHER)).json()
    assert view["shortlisted"] is True
    elsewhere = (await client.get("/api/recruiter/candidates/rc_3", headers=STAFF)).json()
    assert elsewhere["shortlisted"] is False
    assert (await client.delete("/api/recruiter/shortlist/rc_3", headers=OTHER)).status_code == 204
    assert (await client.get("/api/recruiter/shortlist", headers=OTHER)).json()["items"] == []
    missing = await client.post("/api/recruiter/shortlist/nobody", headers=OTHER)
    assert missing.status_code == 404


async def test_csv_export_with_filter(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/api/recruiter/candidates.csv", params={"sector": "biotech"}, headers=RECRUITER
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["id"] for row in rows] == ["rc_2"]
    assert rows[0]["email"] == "rc_2@example.com"
    assert rows[0]["badges"] == "'=HYPERLINK()"  # never a live formula


async def test_every_view_search_and_export_is_audited(client: httpx.AsyncClient) -> None:
    who = as_(77, "recruiter")
    await client.get("/api/recruiter/candidates", params={"sector": "robotics"}, headers=who)
    await client.get("/api/recruiter/candidates/rc_1", headers=who)
    await client.get("/api/recruiter/candidates.csv", params={"region": "hk"}, headers=who)
    r = await client.get("/api/admin/recruiter-audit", params={"limit": 500}, headers=STAFF)
    mine = [e for e in r.json()["items"] if e["recruiter_id"] == 77]
    assert [(e["action"], e["candidate_id"], e["query"]) for e in mine] == [
        ("export", None, "region=hk"),
        ("view", "rc_1", ""),
        ("search", None, "sector=robotics"),
    ]


async def test_unknown_candidate_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/recruiter/candidates/nobody", headers=RECRUITER)
    assert (r.status_code, r.json()["code"]) == (404, "candidate_not_found")
