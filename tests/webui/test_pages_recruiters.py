"""The recruiter console: access, search filters (the API's), audit, private notes, shortlist,
CSV download, CSRF, Chinese. Candidates arrive through the real handoff."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI

from tests.support.app import auth, register
from tests.support.jobs_pages import account, as_user, jobseeker, withdraw
from tests.support.pages import csrf_of

CARD = re.compile(r'<h3 id="c-(js_[0-9a-f]+)-name">')
RESULTS = re.compile(r'<h2 id="results-h">([\d,]+) candidates</h2>')


def ids(text: str) -> list[str]:
    return CARD.findall(text)


def total_of(text: str) -> int:
    match = RESULTS.search(text)
    assert match, "no result count"
    return int(match.group(1).replace(",", ""))


@pytest_asyncio.fixture
async def people(client: httpx.AsyncClient, app: FastAPI, quest: dict[str, Any]) -> dict[str, Any]:
    """Three shared jobseekers with different results, one who withdrew, a recruiter each."""
    ada = await jobseeker(
        client, app, "ada", solve=[(quest["luhn"], 3), (quest["swift"], "A network")],
        full_name="Ada Lovelace", email="ada@example.com", sectors=["fintech"],
        education_level="master", experience_level="entry", regions=["hk"],
        field_of_study="Mathematics",
    )  # fmt: skip
    bo = await jobseeker(
        client, app, "bob", solve=[(quest["dna"], "T")],
        full_name="Bo Chan", email="bo@example.com", sectors=["biotech", "ai-data"],
        education_level="phd", experience_level="senior", regions=["overseas", "gba"],
        field_of_study="Biochemistry",
    )  # fmt: skip
    cy = await jobseeker(
        client, app, "cyw", full_name="Cy Wong", email="cy@example.com", sectors=["robotics"],
        education_level="bachelor", experience_level="mid", regions=["hk", "gba"],
        links=["https://github.com/cywong"],
    )  # fmt: skip
    gone = await jobseeker(client, app, "gone", full_name="Gone Away", email="g@example.com")
    await withdraw(client, app, gone[0])
    return {
        "ada": ada[1],
        "bo": bo[1],
        "cy": cy[1],
        "gone": gone[1],
        "r1": await account(app, "recruiter", "recruit1"),
        "r2": await account(app, "recruiter", "recruit2"),
        "staff": await account(app, "staff", "boss"),
        "player": ada[0],
    }


async def test_access(client: httpx.AsyncClient, app: FastAPI, people: dict[str, Any]) -> None:
    paths = ("/recruiters", f"/recruiters/candidates/{people['ada']}", "/recruiters/shortlist")
    for path in paths:
        r = await client.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=/recruiters"), path
    as_user(client, people["player"])
    for path in paths:
        r = await client.get(path)
        assert r.status_code == 403 and "You are not allowed to see this page." in r.text, path
        assert "text/html" in r.headers["content-type"]
    player_page = await client.get("/jobs")
    refused = await client.post(
        f"/recruiters/candidates/{people['ada']}/notes",
        data={"csrf_token": csrf_of(player_page.text), "text": "hi"},
    )
    assert refused.status_code == 403
    for who in ("r1", "staff"):
        as_user(client, people[who])
        for path in paths:
            assert (await client.get(path)).status_code == 200, (who, path)
    # The nav shows the console to recruiters and staff only.
    assert 'href="/recruiters"' in (await client.get("/jobs")).text


async def test_search_filters_sort_and_consent(
    client: httpx.AsyncClient, app: FastAPI, people: dict[str, Any]
) -> None:
    as_user(client, people["r1"])
    r = await client.get("/recruiters")
    assert total_of(r.text) == 3
    # Sorted by score: ada (150) > bo (80) > cy (0); the one who withdrew is never there.
    assert ids(r.text) == [people["ada"], people["bo"], people["cy"]]
    assert people["gone"] not in r.text and "Gone Away" not in r.text
    assert (await client.get(f"/recruiters/candidates/{people['gone']}")).status_code == 404
    # The game summary on each row.
    ada = r.text.split(f'id="c-{people["ada"]}"', 1)[1].split("</li>\n", 1)[0]
    assert "<dd>150</dd>" in ada and "<dd>100.0</dd>" in ada and "Tracks completed" in ada
    assert "<li>First to solve</li>" in ada
    by_date = await client.get("/recruiters", params={"sort": "date"})
    assert ids(by_date.text) == [people["cy"], people["bo"], people["ada"]]
    cases: list[tuple[dict[str, str], list[str]]] = [
        ({"sector": "biotech"}, ["bo"]),
        ({"sector": "fintech"}, ["ada"]),
        ({"education_level": "phd"}, ["bo"]),
        ({"experience_level": "mid"}, ["cy"]),
        ({"region": "gba"}, ["bo", "cy"]),
        ({"region": "hk", "experience_level": "entry"}, ["ada"]),
        ({"min_percentile": "50"}, ["ada", "bo"]),
        ({"min_percentile": "60.5"}, ["ada"]),
        ({"q": "lovelace"}, ["ada"]),
        ({"q": "biochem"}, ["bo"]),
        ({"sector": "smart-city"}, []),
    ]
    staff = auth(people["staff"])
    for params, expected in cases:
        page = await client.get("/recruiters", params=params)
        assert page.status_code == 200
        assert ids(page.text) == [people[name] for name in expected], params
        api = await client.get("/api/recruiter/candidates", params=params, headers=staff)
        assert [c["id"] for c in api.json()["items"]] == ids(page.text), params
    empty = await client.get("/recruiters", params={"sector": "smart-city"})
    assert "No candidate matches these filters." in empty.text
    bad = await client.get("/recruiters", params={"min_percentile": "200", "sector": "nope"})
    assert bad.status_code == 200 and total_of(bad.text) == 3
    assert 'id="e-min_percentile"' in bad.text and 'aria-invalid="true"' in bad.text


async def test_every_search_and_view_is_audited(
    client: httpx.AsyncClient, app: FastAPI, people: dict[str, Any]
) -> None:
    as_user(client, people["r1"])
    await client.get("/recruiters", params={"sector": "fintech", "sort": "date"})
    await client.get(f"/recruiters/candidates/{people['bo']}")
    await client.get("/recruiters/shortlist")
    csv_page = await client.get("/recruiters", params={"sector": "fintech", "min_percentile": "5"})
    link = re.search(r'href="(/api/recruiter/candidates\.csv[^"]*)"', csv_page.text)
    assert link, "no CSV link"
    url = html.unescape(link.group(1))
    assert url == "/api/recruiter/candidates.csv?sector=fintech&min_percentile=5&sort=score"
    download = await client.get(url)  # the session cookie is enough for the API
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    lines = download.text.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(people["ada"]) and "Ada Lovelace" in lines[1]
    trail = await client.get(
        "/api/admin/recruiter-audit", params={"limit": 10}, headers=auth(people["staff"])
    )
    got = [(e["action"], e["candidate_id"], e["query"]) for e in reversed(trail.json()["items"])]
    assert got == [
        ("search", None, "sector=fintech&sort=date"),
        ("view", people["bo"], ""),
        ("search", None, "shortlist"),
        ("search", None, "sector=fintech&min_percentile=5"),
        ("export", None, "sector=fintech&min_percentile=5&sort=score"),
    ]
    assert len({e["recruiter_id"] for e in trail.json()["items"]}) == 1  # all by r1


async def test_candidate_page_and_private_notes(
    client: httpx.AsyncClient, app: FastAPI, people: dict[str, Any]
) -> None:
    cy = people["cy"]
    as_user(client, people["r1"])
    page = await client.get(f"/recruiters/candidates/{cy}")
    assert page.status_code == 200
    for text in ("Cy Wong", "cy@example.com", "+852 5123-4567", "Robotics", "Mid-level"):
        assert text in page.text, text
    assert (
        'href="https://github.com/cywong"' in page.text
        and 'href="mailto:cy@example.com"' in page.text
    )
    assert "You have no notes on this candidate." in page.text
    token = csrf_of(page.text)
    # CSRF refused: no note.
    assert (
        await client.post(f"/recruiters/candidates/{cy}/notes", data={"text": "x"})
    ).status_code == 403
    # Empty: the form again, with the message next to the field.
    empty = await client.post(
        f"/recruiters/candidates/{cy}/notes", data={"csrf_token": token, "text": "   "}
    )
    assert empty.status_code == 200 and 'id="e-text"' in empty.text
    assert "Write something first." in empty.text
    long = await client.post(
        f"/recruiters/candidates/{cy}/notes", data={"csrf_token": token, "text": "x" * 2001}
    )
    assert "at most 2,000 characters" in long.text
    saved = await client.post(
        f"/recruiters/candidates/{cy}/notes",
        data={"csrf_token": token, "text": "Strong <b>ROS</b> answers"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/recruiters/candidates/{cy}#notes-h"
    mine = await client.get(f"/recruiters/candidates/{cy}")
    assert "Note saved." in mine.text and "Strong &lt;b&gt;ROS&lt;/b&gt; answers" in mine.text
    # Another recruiter does not see it, and their own note stays theirs.
    as_user(client, people["r2"])
    theirs = await client.get(f"/recruiters/candidates/{cy}")
    assert "ROS" not in theirs.text and "You have no notes on this candidate." in theirs.text
    await client.post(
        f"/recruiters/candidates/{cy}/notes",
        data={"csrf_token": csrf_of(theirs.text), "text": "second opinion"},
    )
    as_user(client, people["r1"])
    assert "second opinion" not in (await client.get(f"/recruiters/candidates/{cy}")).text
    api = await client.get(f"/api/recruiter/candidates/{cy}", headers=auth(people["r1"]))
    assert [n["text"] for n in api.json()["notes"]] == ["Strong <b>ROS</b> answers"]
    missing = await client.get("/recruiters/candidates/js_0000000000000000")
    assert missing.status_code == 404 and "There is no such candidate" in missing.text


async def test_shortlist(client: httpx.AsyncClient, app: FastAPI, people: dict[str, Any]) -> None:
    ada, bo = people["ada"], people["bo"]
    as_user(client, people["r1"])
    page = await client.get(f"/recruiters/candidates/{ada}")
    token = csrf_of(page.text)
    assert "Add to my shortlist" in page.text
    assert (await client.post(f"/recruiters/candidates/{ada}/shortlist")).status_code == 403
    added = await client.post(f"/recruiters/candidates/{ada}/shortlist", data={"csrf_token": token})
    assert added.status_code == 303 and added.headers["location"] == f"/recruiters/candidates/{ada}"
    after = await client.get(f"/recruiters/candidates/{ada}")
    assert "Added to your shortlist." in after.text and "On your shortlist" in after.text
    await client.post(
        f"/recruiters/candidates/{bo}/shortlist",
        data={"csrf_token": token, "next": "/recruiters/shortlist"},
    )
    listed = await client.get("/recruiters/shortlist")
    assert ids(listed.text) == [bo, ada]
    assert (await client.get("/api/recruiter/shortlist", headers=auth(people["r1"]))).json()[
        "total"
    ] == 2
    removed = await client.post(
        f"/recruiters/candidates/{bo}/unshortlist",
        data={"csrf_token": token, "next": "/recruiters/shortlist"},
    )
    assert removed.headers["location"] == "/recruiters/shortlist"
    assert ids((await client.get("/recruiters/shortlist")).text) == [ada]
    # Shortlists are per recruiter; a candidate who is not shared cannot be shortlisted.
    as_user(client, people["r2"])
    other = await client.get("/recruiters/shortlist")
    assert ids(other.text) == [] and "Your shortlist is empty." in other.text
    nope = await client.post(
        f"/recruiters/candidates/{people['gone']}/shortlist",
        data={"csrf_token": csrf_of(other.text)},
    )
    assert nope.status_code == 404 and "text/html" in nope.headers["content-type"]
    # A redirect elsewhere is not followed.
    evil = await client.post(
        f"/recruiters/candidates/{ada}/shortlist",
        data={"csrf_token": csrf_of(other.text), "next": "https://evil.example/"},
    )
    assert evil.headers["location"] == f"/recruiters/candidates/{ada}"


async def test_recruiter_pages_in_chinese(
    client: httpx.AsyncClient, app: FastAPI, people: dict[str, Any]
) -> None:
    as_user(client, people["staff"])
    client.cookies.set("lang", "zh-Hant")
    r = await client.get("/recruiters")
    for text in ("搜尋求職者", "最低百分位", "下載 CSV", "3 位求職者", "遊戲分數", "候選名單"):
        assert text in r.text, text
    assert "Download CSV" not in r.text and "Minimum percentile" not in r.text
    page = await client.get(f"/recruiters/candidates/{people['ada']}")
    for text in ("個人資料", "遊戲成績", "你的筆記", "加入我的候選名單", "碩士"):
        assert text in page.text, text
    empty = await client.post(
        f"/recruiters/candidates/{people['ada']}/notes",
        data={"csrf_token": csrf_of(page.text), "text": ""},
    )
    assert "請先輸入內容。" in empty.text


async def test_players_who_never_converted_are_not_candidates(
    client: httpx.AsyncClient, app: FastAPI, people: dict[str, Any]
) -> None:
    """A player who never converted is invisible to recruiters."""
    await register(client, "lurker")
    as_user(client, people["r1"])
    assert total_of((await client.get("/recruiters", params={"q": "lurker"})).text) == 0
