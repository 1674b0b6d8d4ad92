"""The public job pages: the expo's 2,600 jobs with every filter of `GET /api/jobs`, one job,
and for a received jobseeker the matches (with reasons) and one-click interest."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from fastapi import FastAPI

from tests.support.app import auth, register
from tests.support.jobs_pages import account, as_user, demo_jobs, jobseeker, withdraw
from tests.support.pages import csrf_of

TITLE = re.compile(r'<h3 id="(?:job|m)-(\d+)-title"><a href="/jobs/\d+">([^<]*)</a></h3>')
RESULTS = re.compile(r'<h2 id="results-h">([\d,]+) jobs</h2>')


def listed(text: str) -> list[int]:
    """Job ids in the results list (not the "Jobs for you" box), in order."""
    results = text.split('id="results-h"', 1)[1]
    return [int(i) for i, _ in TITLE.findall(results)]


def total_of(text: str) -> int:
    match = RESULTS.search(text)
    assert match, "no result count"
    return int(match.group(1).replace(",", ""))


async def test_all_demo_jobs_paginated(client: httpx.AsyncClient, app: FastAPI) -> None:
    assert await demo_jobs(app) == 2600
    r = await client.get("/jobs")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert total_of(r.text) == 2600 and "Showing 1–20 of 2,600" in r.text
    api = (await client.get("/api/jobs", params={"limit": 20})).json()
    assert listed(r.text) == [j["id"] for j in api["items"]]
    assert 'href="/jobs?page=2" rel="next"' in r.text and "Page 1 of 130" in r.text
    assert 'rel="prev"' not in r.text
    last = await client.get("/jobs?page=130")
    assert "Showing 2,581–2,600 of 2,600" in last.text and 'rel="next"' not in last.text
    assert len(listed(last.text)) == 20
    # Anonymous visitors see no interest buttons and no "Jobs for you".
    assert "I&#39;m interested" not in r.text and "Jobs for you" not in r.text
    # Every filter of the API, as a GET form.
    for name in ("q", "sector", "level", "degree", "region", "programme"):
        assert f'name="{name}"' in r.text, name


async def test_filters_match_the_api(client: httpx.AsyncClient, app: FastAPI) -> None:
    await demo_jobs(app)
    cases: list[dict[str, str]] = [
        {"sector": "fintech"},
        {"level": "senior"},
        {"degree": "bachelor"},
        {"region": "overseas"},
        {"programme": "innohk"},
        {"programme": "innopark"},
        {"q": "centre"},
        {"sector": "biotech", "level": "entry", "degree": "master", "region": "gba"},
        {"programme": "innohk", "q": "research", "page": "2"},
    ]
    for params in cases:
        page = await client.get("/jobs", params=params)
        assert page.status_code == 200, params
        query = {k: v for k, v in params.items() if k != "page"}
        offset = (int(params.get("page", "1")) - 1) * 20
        api = (await client.get("/api/jobs", params={**query, "offset": offset})).json()
        assert total_of(page.text) == api["total"], params
        assert listed(page.text) == [j["id"] for j in api["items"]], params
        for name, value in query.items():
            if name == "q":
                assert f'value="{value}"' in page.text
            else:
                assert f'<option value="{value}" selected>' in page.text, (name, value)
    innohk = await client.get("/jobs", params={"programme": "innohk"})
    assert "InnoHK" in innohk.text and "Clear the filters" in innohk.text
    # The pager keeps the filters.
    assert 'href="/jobs?programme=innohk&amp;page=2"' in innohk.text
    # A tampered value is ignored rather than an error (the form can only send known ones).
    odd = await client.get("/jobs", params={"sector": "astrology", "page": "x"})
    assert odd.status_code == 200 and total_of(odd.text) == 2600
    none = await client.get("/jobs", params={"q": "zzzz-no-such-words"})
    assert total_of(none.text) == 0 and "No job matches these filters." in none.text


async def test_one_job(client: httpx.AsyncClient, app: FastAPI) -> None:
    await demo_jobs(app)
    api = (await client.get("/api/jobs/7")).json()
    r = await client.get("/jobs/7")
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert api["title"] in text and api["description"] in text
    assert api["hiring_organization"]["name"] in text
    assert api["hiring_organization"]["description"] in text
    for skill in api["skills"]:
        assert f"<li>{skill}</li>" in text
    assert "Log in to tell the employer you are interested" in text
    assert 'href="/login?next=%2Fjobs%2F7"' in r.text
    missing = await client.get("/jobs/99999")
    assert missing.status_code == 404 and "There is no such job." in missing.text
    assert "text/html" in missing.headers["content-type"]
    assert (await client.get("/jobs/abc")).status_code == 404


async def test_jobs_for_you_and_interest(
    client: httpx.AsyncClient, app: FastAPI, quest: dict[str, Any]
) -> None:
    await demo_jobs(app)
    token, candidate_id = await jobseeker(client, app, "seeker", solve=[(quest["luhn"], 3)])
    api = (await client.get("/api/me/job-matches", params={"limit": 5}, headers=auth(token))).json()
    as_user(client, token)
    r = await client.get("/jobs")
    assert r.status_code == 200 and "Jobs for you" in r.text
    box = r.text.split('id="for-you-h"', 1)[1].split("</section>", 1)[0]
    assert [int(i) for i, _ in TITLE.findall(box)] == [m["job"]["id"] for m in api["items"]]
    first = api["items"][0]
    shown = html.unescape(box)
    for reason in first["why"]:
        if not reason.startswith("Open to"):  # the page spells out "Greater Bay Area"
            assert f"<li>{reason}</li>" in shown, reason
    assert f"{round(first['score'] * 100)}% fit" in shown
    job_id = first["job"]["id"]
    # No CSRF token: refused, nothing recorded.
    refused = await client.post(f"/jobs/{job_id}/interest", data={"next": "/jobs"})
    assert refused.status_code == 403 and "This form has expired" in refused.text
    forged = await client.post(f"/jobs/{job_id}/interest", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403
    ok = await client.post(
        f"/jobs/{job_id}/interest", data={"csrf_token": csrf_of(r.text), "next": "/jobs"}
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/jobs"
    after = await client.get("/jobs")
    assert "the employer can now see that you are interested" in after.text
    assert "Interest sent" in after.text.split('id="for-you-h"', 1)[1]
    # The same service as the API: the API now says it was already there.
    again = await client.post(f"/api/jobs/{job_id}/interest", headers=auth(token))
    assert again.status_code == 200
    # Twice from the page: still one interest, and a different message.
    twice = await client.post(f"/jobs/{job_id}/interest", data={"csrf_token": csrf_of(r.text)})
    assert twice.headers["location"] == f"/jobs/{job_id}"
    assert "already told this employer" in (await client.get(f"/jobs/{job_id}")).text
    # A missing job is a page, not JSON.
    gone = await client.post("/jobs/99999/interest", data={"csrf_token": csrf_of(r.text)})
    assert gone.status_code == 404 and "There is no such job." in gone.text
    # The interest reaches the recruiter side.
    recruiter = await account(app, "recruiter", "hirer")
    as_user(client, recruiter)
    seen = await client.get(f"/recruiters/candidates/{candidate_id}")
    assert f'href="/jobs/{job_id}"' in seen.text


async def test_interest_needs_a_sharing_jobseeker(client: httpx.AsyncClient, app: FastAPI) -> None:
    await demo_jobs(app)
    anon = await client.get("/login")  # an anonymous page with a form
    anonymous = await client.post("/jobs/3/interest", data={"csrf_token": csrf_of(anon.text)})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert (await client.get("/jobs/3/interest")).headers["location"] == "/jobs/3"

    player = await register(client, "curious")
    as_user(client, player)
    r = await client.get("/jobs")
    assert "Become a jobseeker" in r.text and 'href="/me#convert"' in r.text
    assert "Jobs for you" not in r.text
    no = await client.post("/jobs/3/interest", data={"csrf_token": csrf_of(r.text)})
    assert no.status_code == 404 and "Become a jobseeker first" in no.text

    token, _ = await jobseeker(client, app, "paused")
    await withdraw(client, app, token)
    as_user(client, token)
    page = await client.get("/jobs/3")
    assert "You have stopped sharing your profile" in page.text
    assert 'action="/jobs/3/interest"' not in page.text
    refused = await client.post("/jobs/3/interest", data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403
    assert "Employers can only hear from you while you share your profile." in refused.text


async def test_jobs_in_chinese(
    client: httpx.AsyncClient, app: FastAPI, quest: dict[str, Any]
) -> None:
    await demo_jobs(app)
    token, _ = await jobseeker(client, app, "zhseeker", solve=[(quest["luhn"], 3)])
    as_user(client, token)
    client.cookies.set("lang", "zh-Hant")
    r = await client.get("/jobs", params={"sector": "fintech"})
    assert '<html lang="zh-Hant">' in r.text
    for text in ("為你推薦的職位", "推薦原因：", "搜尋職位", "我有興趣", "顯示職位", "金融科技"):
        assert text in r.text, text
    assert "屬於你的行業" in r.text and "個職位" in r.text
    assert "Jobs for you" not in r.text and "Why it fits" not in r.text
    detail = await client.get("/jobs/1")
    assert "職位簡介" in detail.text and "技能" in detail.text
    missing = await client.get("/jobs/99999")
    assert "找不到這個職位。" in missing.text
