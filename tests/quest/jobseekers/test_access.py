"""Every recruiter and staff endpoint through the real token auth: anonymous, player, recruiter."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.support.app import auth, make_account, make_staff, register
from tests.support.handoff import convert, delivered

RECRUITER_ROUTES = [
    ("GET", "/api/recruiter/candidates", None),
    ("GET", "/api/recruiter/candidates.csv", None),
    ("GET", "/api/recruiter/candidates/{jid}", None),
    ("POST", "/api/recruiter/candidates/{jid}/notes", {"text": "Strong on data"}),
    ("GET", "/api/recruiter/shortlist", None),
    ("POST", "/api/recruiter/shortlist/{jid}", None),
    ("DELETE", "/api/recruiter/shortlist/{jid}", None),
]
STAFF_ROUTES = [
    ("GET", "/api/admin/recruiter-audit", None),
    ("GET", "/api/admin/handoffs", None),
    ("GET", "/api/admin/handoffs?status=delivered", None),
]


@pytest.fixture
async def world(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    player = await register(client, "alice")
    jid = await convert(client, player)
    await delivered(app)
    return {
        "jid": jid,
        "player": player,
        "recruiter": await make_account(app, "rec", "recruiter"),
        "staff": await make_staff(app),
    }


async def call(
    client: httpx.AsyncClient, route: tuple[str, str, object], jid: str, token: str | None
) -> httpx.Response:
    method, path, json_body = route
    headers = auth(token) if token else {}
    return await client.request(method, path.format(jid=jid), json=json_body, headers=headers)


async def test_recruiter_routes(client: httpx.AsyncClient, world: dict[str, str]) -> None:
    for route in RECRUITER_ROUTES:
        anonymous = await call(client, route, world["jid"], None)
        assert (anonymous.status_code, route) == (401, route)
        player = await call(client, route, world["jid"], world["player"])
        assert (player.status_code, player.json()["code"], route) == (403, "forbidden", route)
        for role in ("recruiter", "staff"):
            allowed = await call(client, route, world["jid"], world[role])
            assert allowed.status_code in (200, 201, 204), (route, role, allowed.text)
    csv = await call(client, RECRUITER_ROUTES[1], world["jid"], world["recruiter"])
    assert world["jid"] in csv.text and "tai.man@example.com" in csv.text


async def test_staff_routes(client: httpx.AsyncClient, world: dict[str, str]) -> None:
    for route in STAFF_ROUTES:
        assert (await call(client, route, "", None)).status_code == 401
        for role in ("player", "recruiter"):
            assert (await call(client, route, "", world[role])).status_code == 403, (route, role)
        assert (await call(client, route, "", world["staff"])).status_code == 200
    redrive = ("POST", "/api/admin/handoffs/1/redrive", None)
    assert (await call(client, redrive, "", None)).status_code == 401
    assert (await call(client, redrive, "", world["recruiter"])).status_code == 403
    page = (await call(client, STAFF_ROUTES[1], "", world["staff"])).json()
    assert page["counts"] == {"pending": 0, "delivered": 1, "dead": 0}
    [item] = page["items"]
    assert set(item) >= {
        "id",
        "webhook_id",
        "type",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    }


async def test_jobseeker_routes_need_a_player(
    client: httpx.AsyncClient, world: dict[str, str]
) -> None:
    for method, path in (
        ("GET", "/api/me/jobseeker"),
        ("PATCH", "/api/me/jobseeker"),
        ("DELETE", "/api/me"),
    ):
        assert (await client.request(method, path, json={})).status_code == 401
        r = await client.request(method, path, json={}, headers=auth(world["recruiter"]))
        assert r.status_code == 403
    assert (await client.get("/api/me/jobseeker/notice")).status_code == 200
