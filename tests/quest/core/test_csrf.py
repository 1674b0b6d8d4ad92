"""The JSON API and the session cookie: an unsafe request authenticated by the cookie alone
must carry the page's CSRF token in `X-CSRF-Token` and come from this site; bearer-token
requests need neither."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.app import QUEST_DOC, auth, make_account, register

UNSAFE = ("post", "put", "patch", "delete")
# Routes that authenticate nobody: sign-up and log-in (a cross-site page cannot read what
# they return) and the handoff receiver (Standard Webhooks signature).
PUBLIC = {("POST", "/api/players"), ("POST", "/api/auth/token"), ("POST", "/api/jobs/handoff")}
META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


async def page_token(client: httpx.AsyncClient, page: str = "/") -> str:
    """The token a page's scripts send (its `csrf-token` meta tag)."""
    r = await client.get(page)
    assert r.status_code == 200, r.text
    match = META.search(r.text)
    assert match, "no csrf-token meta tag on the page"
    return match.group(1)


def unsafe_operations(app: FastAPI, values: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            if method in UNSAFE and (method.upper(), path) not in PUBLIC:
                filled = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)
                found.append((method.upper(), filled))
    return found


async def test_every_unsafe_route_refuses_a_cross_site_cookie_request(
    app: FastAPI, client: httpx.AsyncClient, staff: str, quest: dict[str, int]
) -> None:
    player = await register(client, "victim")
    values = {"slug": "expo", "challenge_id": quest["luhn"], "n": 1, "player_id": 1}
    operations = unsafe_operations(app, values)
    assert ("POST", "/api/admin/players/1/ban") in operations
    for token in (staff, player):
        client.cookies.clear()
        client.cookies.set("tq_session", token)
        for method, path in operations:
            r = await client.request(
                method, path, json={}, headers={"origin": "https://evil.example"}
            )
            assert r.status_code == 403, (method, path, r.status_code, r.text)
            assert r.json()["code"] == "csrf_failed", (method, path, r.text)


async def test_ban_by_cookie_needs_the_token_and_this_origin(
    app: FastAPI, client: httpx.AsyncClient, staff: str
) -> None:
    signed_up = await client.post(
        "/api/players", json={"handle": "target", "password": "pw12345678"}
    )
    assert signed_up.status_code == 201, signed_up.text
    client.cookies.set("tq_session", staff)
    token = await page_token(client, "/staff")
    path = f"/api/admin/players/{signed_up.json()['id']}/ban"
    cases: list[tuple[dict[str, str], int]] = [
        ({"origin": "https://evil.example", "x-csrf-token": token}, 403),
        ({"origin": "http://sub.test", "x-csrf-token": token}, 403),
        ({"sec-fetch-site": "same-site", "x-csrf-token": token}, 403),
        ({"sec-fetch-site": "cross-site", "x-csrf-token": token}, 403),
        ({"origin": "null", "x-csrf-token": token}, 403),
        ({"origin": "http://test"}, 403),  # no token
        ({"origin": "http://test", "x-csrf-token": "0" * 64}, 403),  # a wrong token
    ]
    for headers, status in cases:
        r = await client.post(path, headers=headers)
        assert r.status_code == status, (headers, r.text)
        assert r.json()["code"] == "csrf_failed"
    ok = {"origin": "http://test", "sec-fetch-site": "same-origin", "x-csrf-token": token}
    r = await client.post(path, headers=ok)
    assert r.status_code in (200, 204), r.text
    # no Origin at all (not a browser's cross-site request): the token decides
    r = await client.post(path, headers={"x-csrf-token": token})
    assert r.status_code in (200, 204), r.text


async def test_the_public_url_origin_is_same_origin(
    app: FastAPI, client: httpx.AsyncClient, staff: str
) -> None:
    """Behind a TLS proxy the request is http://test but the browser says the public URL."""
    assert app.state.settings.public_url == "http://test"
    client.cookies.set("tq_session", staff)
    token = await page_token(client, "/staff")
    r = await client.post(
        "/api/admin/announcements",
        json={"quest": "nope", "text": "hi"},
        headers={"origin": "http://test:80", "x-csrf-token": token},
    )
    assert r.json().get("code") != "csrf_failed", r.text


async def test_bearer_requests_need_neither_token_nor_origin(
    client: httpx.AsyncClient, staff: str
) -> None:
    client.cookies.set("tq_session", "whatever")  # a stray cookie: the header wins
    r = await client.post(
        "/api/admin/quests",
        json=QUEST_DOC,
        headers={**auth(staff), "origin": "https://evil.example", "sec-fetch-site": "cross-site"},
    )
    assert r.status_code == 201, r.text


async def test_safe_methods_with_a_cookie_are_not_checked(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    player = await register(client, "reader")
    client.cookies.set("tq_session", player)
    r = await client.get(
        "/api/quests/expo/challenges",
        headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
    )
    assert r.status_code == 200


async def test_page_script_token_answers_a_challenge_by_cookie(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    """What play.js does: the page's meta token in X-CSRF-Token, same origin."""
    client.cookies.set("tq_session", await register(client, "scripted"))
    token = await page_token(client, "/play/expo/luhn")
    r = await client.post(
        f"/api/challenges/{quest['luhn']}/attempts",
        json={"answer": "3"},
        headers={"origin": "http://test", "sec-fetch-site": "same-origin", "x-csrf-token": token},
    )
    assert r.status_code == 200 and r.json()["correct"] is True, r.text


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
async def test_quest_import_needs_json_or_yaml(
    client: httpx.AsyncClient, staff: str, content_type: str | None
) -> None:
    headers = auth(staff)
    if content_type:
        headers["content-type"] = content_type
    r = await client.post("/api/admin/quests", content=b'{"slug": "expo"}', headers=headers)
    assert r.status_code == 415, r.text
    assert r.json()["code"] == "unsupported_media_type"
    assert (await client.get("/api/quests")).json() == []


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/yaml", "text/yaml"],
)
async def test_quest_import_accepts_json_and_yaml(
    client: httpx.AsyncClient, staff: str, content_type: str
) -> None:
    import json

    r = await client.post(
        "/api/admin/quests",
        content=json.dumps(QUEST_DOC).encode(),  # JSON is YAML too
        headers={**auth(staff), "content-type": content_type},
    )
    assert r.status_code == 201, r.text


async def test_make_account_cookie_staff_import_as_text_plain_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The finding's second attack: a cross-site form posts a quest as text/plain."""
    staff = await make_account(app, "boss2", "staff")
    client.cookies.set("tq_session", staff)
    r = await client.post(
        "/api/admin/quests",
        content=b'{"slug": "evil"}',
        headers={"content-type": "text/plain", "origin": "https://evil.example"},
    )
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
