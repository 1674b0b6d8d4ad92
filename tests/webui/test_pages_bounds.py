"""Out-of-range integers in page addresses: the page's own 404, never a 500."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.support.jobs_pages import account, as_user
from tests.support.pages import csrf_of

HUGE = "9223372036854775808"  # 2**63: past SQLite's INTEGER
BAD_IDS = [HUGE, str(2**31), "0", "-1", "99999999999999999999999999"]


def assert_404_page(r: httpx.Response) -> None:
    assert r.status_code == 404, (r.request.method, r.request.url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")


async def csrf(client: httpx.AsyncClient, page: str) -> str:
    r = await client.get(page)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


async def test_job_pages(client: httpx.AsyncClient, app: FastAPI) -> None:
    for bad in BAD_IDS:
        assert_404_page(await client.get(f"/jobs/{bad}"))
        assert_404_page(await client.get(f"/jobs/{bad}/interest"))
    as_user(client, await account(app, "player", "pagebound"))
    token = await csrf(client, "/jobs")
    for bad in BAD_IDS:
        assert_404_page(await client.post(f"/jobs/{bad}/interest", data={"csrf_token": token}))
    for page in (HUGE, "1e19", "-5", "99999999999999999999", "\u00b2", "9" * 5000):
        r = await client.get("/jobs", params={"page": page})
        assert r.status_code == 200, (page, r.status_code)


async def test_staff_player_pages(client: httpx.AsyncClient, app: FastAPI) -> None:
    as_user(client, await account(app, "staff", "pagestaff"))
    token = await csrf(client, "/staff/players")
    for bad in BAD_IDS:
        assert_404_page(await client.get(f"/staff/players/{bad}"))
        assert_404_page(await client.post(f"/staff/players/{bad}/ban", data={"csrf_token": token}))


@pytest.mark.usefixtures("quest")
async def test_hint_numbers_and_board_rows(client: httpx.AsyncClient, app: FastAPI) -> None:
    as_user(client, await account(app, "player", "pagehinter"))
    token = await csrf(client, "/play/expo/swift")
    for bad in (HUGE, "-1", "99999999999999999999"):
        r = await client.post(f"/play/expo/swift/hints/{bad}", data={"csrf_token": token})
        assert_404_page(r)
    for rows in (HUGE, "-1", "1e19", "\u00b2", "9" * 5000):
        r = await client.get("/board/expo", params={"limit": rows})
        assert r.status_code == 200, (rows, r.status_code)


async def test_recruiter_pages(client: httpx.AsyncClient, app: FastAPI) -> None:
    as_user(client, await account(app, "recruiter", "pagerecruiter"))
    for page in (HUGE, "1e19", "-5", "\u00b2", "9" * 5000):
        r = await client.get("/recruiters", params={"page": page})
        assert r.status_code == 200, (page, r.status_code)
    assert_404_page(await client.get(f"/recruiters/candidates/{HUGE}"))
