"""Out-of-range integers in paths and queries: 422 with the contract's body, never a 500.

SQL ids are 32-bit INTEGER on PostgreSQL and 64-bit on SQLite: 2**31 breaks the first,
2**63 the second, so both are tried on every id, along with 0 and negatives.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kit.bounds import MAX_OFFSET, SQL_INT_MAX
from tests.support.app import auth, make_account, register

HUGE = 9223372036854775808  # 2**63: past SQLite's INTEGER
PAST_PG = 2**31  # past PostgreSQL's INTEGER
BAD_IDS = [str(HUGE), str(PAST_PG), "0", "-1", "99999999999999999999999999"]

# (method, path with {id}, role of the caller, JSON body)
ID_ROUTES: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("GET", "/api/challenges/{id}", "player", None),
    ("POST", "/api/challenges/{id}/attempts", "player", {"answer": "x"}),
    ("POST", "/api/challenges/{id}/hints/0", "player", None),
    ("GET", "/api/jobs/{id}", "player", None),
    ("POST", "/api/jobs/{id}/interest", "player", None),
    ("POST", "/api/admin/players/{id}/ban", "staff", None),
    ("GET", "/api/admin/players/{id}/attempts", "staff", None),
    ("POST", "/api/admin/handoffs/{id}/redrive", "staff", None),
]

# (path, role): every integer query parameter, with a value past any sensible bound.
QUERIES: list[tuple[str, str]] = [
    ("/api/jobs?offset=1e19", "player"),
    (f"/api/jobs?offset={10**19}", "player"),
    (f"/api/jobs?offset={HUGE}", "player"),
    (f"/api/jobs?limit={HUGE}", "player"),
    ("/api/jobs?offset=-1", "player"),
    (f"/api/me/job-matches?limit={HUGE}", "player"),
    (f"/api/recruiter/candidates?offset={HUGE}", "recruiter"),
    (f"/api/recruiter/candidates?limit={HUGE}", "recruiter"),
    (f"/api/recruiter/candidates.csv?limit={HUGE}", "recruiter"),
    (f"/api/admin/handoffs?offset={HUGE}", "staff"),
    (f"/api/admin/recruiter-audit?offset={HUGE}", "staff"),
    (f"/api/admin/players?limit={HUGE}", "staff"),
    ("/api/admin/players?limit=0", "staff"),
    (f"/api/quests/expo/leaderboard?offset={HUGE}", "player"),
    (f"/api/quests/expo/leaderboard?limit={HUGE}", "player"),
    (f"/api/quests/expo/leaderboard/me?around={HUGE}", "player"),
]


async def tokens(client: httpx.AsyncClient, app: FastAPI) -> dict[str, str]:
    return {
        "player": await register(client, "bounded"),
        "staff": await make_account(app, "boundstaff", "staff"),
        "recruiter": await make_account(app, "boundrecruiter", "recruiter"),
    }


def assert_contract_422(r: httpx.Response) -> None:
    assert r.status_code == 422, (r.request.url, r.status_code, r.text)
    body = r.json()
    assert set(body) >= {"detail", "code"}, body
    assert body["code"] == "invalid_request" and body["detail"], body


@pytest.mark.usefixtures("quest")
async def test_out_of_range_ids_are_422(client: httpx.AsyncClient, app: FastAPI) -> None:
    who = await tokens(client, app)
    for method, template, role, body in ID_ROUTES:
        for bad in BAD_IDS:
            r = await client.request(
                method, template.format(id=bad), json=body, headers=auth(who[role])
            )
            assert_contract_422(r)


@pytest.mark.usefixtures("quest")
async def test_out_of_range_hint_numbers_are_422(
    client: httpx.AsyncClient, app: FastAPI, quest: dict[str, int]
) -> None:
    player = await register(client, "hinter")
    for bad in (str(HUGE), "-1"):
        r = await client.post(f"/api/challenges/{quest['swift']}/hints/{bad}", headers=auth(player))
        assert_contract_422(r)


@pytest.mark.usefixtures("quest")
async def test_out_of_range_queries_are_422(client: httpx.AsyncClient, app: FastAPI) -> None:
    who = await tokens(client, app)
    for path, role in QUERIES:
        assert_contract_422(await client.get(path, headers=auth(who[role])))


@pytest.mark.usefixtures("quest")
async def test_the_largest_values_in_range_are_answered(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    """At the bound itself: an ordinary 404 or an empty page, never a database error."""
    who = await tokens(client, app)
    for method, template, role, body in ID_ROUTES:
        r = await client.request(
            method, template.format(id=SQL_INT_MAX), json=body, headers=auth(who[role])
        )
        assert r.status_code == 404, (method, template, r.status_code, r.text)
    r = await client.get(f"/api/jobs?offset={MAX_OFFSET}", headers=auth(who["player"]))
    assert r.status_code == 200 and r.json()["items"] == []
    r = await client.get(f"/api/admin/handoffs?offset={MAX_OFFSET}", headers=auth(who["staff"]))
    assert r.status_code == 200 and r.json()["items"] == []
    r = await client.get(
        f"/api/recruiter/candidates?offset={MAX_OFFSET}", headers=auth(who["recruiter"])
    )
    assert r.status_code == 200 and r.json()["items"] == []


@pytest.mark.usefixtures("quest")
async def test_huge_numbers_in_an_answer(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    """A JSON number past a float's range (a 400-digit integer) is just a wrong answer,
    never an OverflowError."""
    player = await register(client, "bignumbers")
    headers = {**auth(player), "content-type": "application/json"}
    for raw in ("1" + "0" * 400, "-1" + "0" * 400):
        r = await client.post(
            f"/api/challenges/{quest['luhn']}/attempts",
            content=f'{{"answer": {raw}}}',
            headers=headers,
        )
        assert r.status_code == 200 and r.json()["correct"] is False, (raw[:10], r.text)
    r = await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(player)
    )
    assert r.status_code == 200 and r.json()["correct"] is True, r.text
