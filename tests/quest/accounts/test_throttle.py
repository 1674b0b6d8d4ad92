"""Log-in and sign-up throttling (issue 9): failed log-ins per account and per address with
backoff, refused before any password hash; sign-ups per address, generous for a venue NAT."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from quest.accounts import service as accounts
from quest.core.settings import Settings
from tests.support.app import register
from tests.support.pages import post_form

VENUE = ("203.0.113.9", 40000)
ELSEWHERE = ("198.51.100.7", 40000)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"login_address_free_failures": 12})


@pytest_asyncio.fixture
async def elsewhere(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=ELSEWHERE)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 computation the accounts service starts (the real ones still run)."""
    calls: list[str] = []
    real_hash, real_verify = accounts.hash_password, accounts.verify_password

    async def hash_password(password: str) -> str:
        calls.append("hash")
        return await real_hash(password)

    async def verify_password(hashed: str, password: str) -> bool:
        calls.append("verify")
        return await real_verify(hashed, password)

    monkeypatch.setattr(accounts, "hash_password", hash_password)
    monkeypatch.setattr(accounts, "verify_password", verify_password)
    return calls


async def log_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/token", data={"username": username, "password": password})


async def test_failed_log_ins_back_off_per_account_before_hashing(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, hashes: list[str]
) -> None:
    await register(client, "target")
    await register(client, "bystander")
    for _ in range(5):  # the free failures
        r = await log_in(client, "target", "wrong-password")
        assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    hashes.clear()
    for who in (client, elsewhere):  # per account: another address is refused too
        r = await log_in(who, "TARGET", "password123")  # even the right password must wait
        assert r.status_code == 429 and r.json()["code"] == "rate_limited", r.text
        assert int(r.headers["Retry-After"]) >= 1
    assert hashes == []  # refused before any argon2 work
    # Another account logs in from the same address meanwhile.
    r = await log_in(client, "bystander", "password123")
    assert r.status_code == 200, r.text


async def test_concurrent_guesses_on_one_account_hash_at_most_the_free_ones(
    client: httpx.AsyncClient, hashes: list[str]
) -> None:
    await register(client, "rushed")
    hashes.clear()
    replies = await asyncio.gather(*(log_in(client, "rushed", f"guess-{n}") for n in range(30)))
    assert sorted(r.status_code for r in replies) == [401] * 5 + [429] * 25
    assert len(hashes) == 5


async def test_the_address_limit_is_looser_and_separate(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, hashes: list[str]
) -> None:
    await register(client, "regular")
    for n in range(12):  # a spray over many handles: each handle fails only once
        r = await log_in(client, f"nobody{n}", "wrong-password")
        assert r.status_code == 401, r.text
    hashes.clear()
    r = await log_in(client, "regular", "password123")
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert hashes == []
    r = await log_in(elsewhere, "regular", "password123")
    assert r.status_code == 200, r.text


async def test_a_success_clears_the_account_failures(client: httpx.AsyncClient) -> None:
    await register(client, "forgetful")
    for _ in range(4):
        assert (await log_in(client, "forgetful", "wrong-password")).status_code == 401
    assert (await log_in(client, "forgetful", "password123")).status_code == 200
    for _ in range(4):
        assert (await log_in(client, "forgetful", "wrong-password")).status_code == 401


async def test_a_venue_signs_up_150_players_in_a_minute(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app, client=VENUE)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as venue:
        for batch in range(15):
            await asyncio.gather(*(register(venue, f"fan{batch}_{n}") for n in range(10)))


@pytest.mark.parametrize("limit", [3])
async def test_sign_ups_per_address_are_limited(
    app: FastAPI,
    client: httpx.AsyncClient,
    elsewhere: httpx.AsyncClient,
    limit: int,
    hashes: list[str],
) -> None:
    app.state.tq.settings = app.state.tq.settings.model_copy(update={"signup_address_limit": limit})
    for n in range(limit):
        await register(client, f"farm{n}")
    hashes.clear()
    r = await client.post("/api/players", json={"handle": "farm_x", "password": "password123"})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) >= 1
    assert hashes == []
    await register(elsewhere, "farm_y")


async def test_pages_show_a_readable_error_when_throttled(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await register(client, "paged")
    for _ in range(5):
        await log_in(client, "paged", "wrong-password")
    r = await post_form(client, "/login", username="paged", password="password123")
    assert r.status_code == 200 and "Too many failed log-ins" in r.text
    assert 'value="paged"' in r.text
    app.state.tq.settings = app.state.tq.settings.model_copy(update={"signup_address_limit": 1})
    r = await post_form(client, "/signup", handle="paged_two", password="password123")
    assert r.status_code == 200 and "Too many sign-ups" in r.text
