"""Text with the NUL character (U+0000): PostgreSQL cannot store or compare it, so it is
refused before it reaches SQL (422 `nul_character`), the same on SQLite; never a 500, and
never a failed attempt batch that takes other players' attempts down with it."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.support.app import auth, make_account, register
from tests.support.jobs_pages import as_user


@pytest.mark.usefixtures("quest")
async def test_nul_in_api_input_is_refused(
    client: httpx.AsyncClient, app: FastAPI, quest: dict[str, int]
) -> None:
    player = await register(client, "nully")
    r = await client.post(
        f"/api/challenges/{quest['dna']}/attempts", json={"answer": "T\x00"}, headers=auth(player)
    )
    assert r.status_code == 422 and r.json()["code"] == "nul_character", r.text
    r = await client.post(
        f"/api/challenges/{quest['dna']}/attempts", json={"answer": "T"}, headers=auth(player)
    )
    assert r.status_code == 200 and r.json()["correct"] is True, r.text
    staff = await make_account(app, "nulstaff", "staff")
    for method, path, kwargs in [
        ("POST", "/api/auth/token", {"data": {"username": "a\x00b", "password": "x" * 8}}),
        ("GET", "/api/quests/ex%00po/challenges", {}),
        ("GET", "/api/quests/ex%00po/leaderboard", {}),
        ("GET", "/api/jobs?q=a%00b", {}),
        ("GET", "/api/admin/players?q=a%00b", {"headers": auth(staff)}),
        ("POST", "/api/players", {"json": {"handle": "nul", "password": "p\x00ssword1"}}),
    ]:
        r = await client.request(method, path, **kwargs)
        assert r.status_code < 500, (method, path, r.status_code, r.text)


@pytest.mark.usefixtures("quest")
async def test_nul_in_a_page_address_is_an_error_page(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    as_user(client, await register(client, "nulpages"))
    for path in ("/play/ex%00po", "/play/expo/dn%00a", "/board/ex%00po", "/jobs?q=a%00b"):
        r = await client.get(path)
        assert r.status_code < 500, (path, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), path
