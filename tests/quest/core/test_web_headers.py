"""Trusted hosts, TQ_PUBLIC_URL for links, security headers, no-store, and who may read
/metrics."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from quest.core.settings import Settings
from tests.support.app import QUEST_DOC, auth, make_staff, register, running_app


@contextlib.asynccontextmanager
async def app_with(
    settings: Settings, *, reset: bool = True, **changes: Any
) -> AsyncIterator[FastAPI]:
    async with running_app(settings.model_copy(update=changes), reset=reset) as app:
        yield app


def http(app: FastAPI, base: str = "http://test", **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, **kwargs), base_url=base)


async def test_a_forged_host_gets_400(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    for path in ("/board/expo", "/api/quests", "/"):
        r = await client.get(path, headers={"host": "evil.example"})
        assert r.status_code == 400, (path, r.text)
        assert r.json()["code"] == "untrusted_host"
    for host in ("test", "localhost:8000", "127.0.0.1", "[::1]:8000", "TEST"):
        r = await client.get("/board/expo", headers={"host": host})
        assert r.status_code == 200, (host, r.text)


async def test_trusted_hosts_setting(settings: Settings) -> None:
    async with app_with(settings, trusted_hosts="quest.example, *.event.example") as app:
        async with http(app) as c:
            assert (await c.get("/healthz", headers={"host": "quest.example"})).status_code == 200
            assert (await c.get("/healthz", headers={"host": "a.event.example"})).status_code == 200
            assert (await c.get("/healthz", headers={"host": "test"})).status_code == 200  # public
            assert (await c.get("/healthz", headers={"host": "localhost"})).status_code == 400
            assert (await c.get("/healthz", headers={"host": "event.example"})).status_code == 400


async def test_board_links_come_from_the_public_url_not_the_host(settings: Settings) -> None:
    async with app_with(settings, public_url="https://quest.example/") as app:
        staff = await make_staff(app)
        async with http(app, base="http://localhost:8000") as c:
            r = await c.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
            assert r.status_code == 201, r.text
            r = await c.get("/board/expo")
            assert r.status_code == 200
            assert "https://quest.example/play/expo" in r.text
            assert "localhost:8000" not in r.text  # no absolute link from the Host header
            assert 'src="/static/board.js"' in r.text
            r = await c.get("/api/admin/booths/expo/aeroism/code", headers=auth(staff))
            assert r.json()["url"].startswith("https://quest.example/play/expo/checkin?")


async def test_pages_send_a_strict_csp_and_deny_framing(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "style-src 'self';" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in r.headers  # http public URL
    api = await client.get("/api/quests")
    assert api.headers["x-content-type-options"] == "nosniff"
    assert api.headers["x-frame-options"] == "DENY"


async def test_the_board_may_be_framed_as_configured(
    client: httpx.AsyncClient, settings: Settings, quest: dict[str, int]
) -> None:
    r = await client.get("/board/expo")
    assert "frame-ancestors 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    async with app_with(settings, frame_ancestors="https://signage.example", reset=False) as app:
        async with http(app) as c:
            r = await c.get("/board/expo")
            assert r.status_code == 200
            assert "frame-ancestors https://signage.example" in r.headers["content-security-policy"]
            assert "x-frame-options" not in r.headers  # it cannot name an origin
            assert (await c.get("/")).headers["x-frame-options"] == "DENY"


async def test_live_and_personal_responses_are_not_stored(
    client: httpx.AsyncClient, staff: str, quest: dict[str, int]
) -> None:
    player = await register(client, "cached")
    for path, headers in (
        ("/board/expo", {}),
        ("/api/quests/expo/leaderboard", {}),
        ("/api/quests/expo/leaderboard/me", auth(player)),
        ("/api/me/export", auth(player)),
        ("/api/quests/expo/challenges", auth(player)),
        ("/api/admin/funnel", auth(staff)),
        ("/me", {}),
        ("/staff", {}),
        ("/recruiters", {}),
        ("/", {}),
    ):
        r = await client.get(path, headers=headers)
        assert r.headers.get("cache-control") == "no-store", (path, r.status_code, r.headers)
    r = await client.get("/static/app.css")
    assert r.status_code == 200 and r.headers.get("cache-control") != "no-store"


async def test_https_public_url_adds_hsts_and_secure_cookies(settings: Settings) -> None:
    async with app_with(settings, public_url="https://test") as app:
        async with http(app) as c:
            r = await c.get("/login")
            assert r.headers["strict-transport-security"] == "max-age=31536000"
            cookies = r.headers.get_list("set-cookie")
            assert cookies and all("; Secure" in c for c in cookies), cookies
    async with app_with(settings, reset=False) as app:
        async with http(app) as c:
            r = await c.get("/login")
            assert all("secure" not in c.lower() for c in r.headers.get_list("set-cookie"))


async def test_metrics_from_loopback_only_by_default(app: FastAPI) -> None:
    async with http(app) as c:  # httpx's ASGI transport: client 127.0.0.1
        assert (await c.get("/metrics")).status_code == 200
        r = await c.get("/metrics", headers={"x-forwarded-for": "203.0.113.5"})
        assert r.status_code == 403 and r.json()["code"] == "metrics_forbidden"
    async with http(app, client=("203.0.113.5", 4242)) as c:
        r = await c.get("/metrics")
        assert r.status_code == 403 and r.json()["code"] == "metrics_forbidden"


@pytest.mark.parametrize("client_ip", ["127.0.0.1", "203.0.113.5"])
async def test_metrics_token_is_required_when_set(settings: Settings, client_ip: str) -> None:
    token = "m" * 32
    async with app_with(settings, metrics_token=token) as app:
        async with http(app, client=(client_ip, 4242)) as c:
            for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": token}):
                r = await c.get("/metrics", headers=headers)
                assert r.status_code == 401 and r.json()["code"] == "metrics_token_required"
            r = await c.get("/metrics", headers={"authorization": f"Bearer {token}"})
            assert r.status_code == 200 and "tq_" in r.text
