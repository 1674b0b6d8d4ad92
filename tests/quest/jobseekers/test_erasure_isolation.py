"""Erasure depends on nothing a user can choose, and one failure never stops the others.

Player ids are public on every board, so a placeholder handle built from the id alone could be
registered first by anyone; the purge erases each account in its own transaction, so one that
fails is logged (without personal data), left whole, and skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlmodel import col, select, update

from challenges.models import Attempt
from kit.time import utcnow
from quest.accounts.models import Account, ApiToken
from quest.core.redis_server import EmbeddedRedis
from quest.core.settings import Settings
from quest.jobseekers import privacy
from quest.quests.models import Quest
from tests.support.app import QUEST_DOC, auth, make_staff, register, running_app


async def _solve(client: httpx.AsyncClient, token: str, cid: int, answer: object) -> None:
    r = await client.post(
        f"/api/challenges/{cid}/attempts", json={"answer": answer}, headers=auth(token)
    )
    assert r.status_code == 200, r.text


async def _my_id(client: httpx.AsyncClient, token: str) -> int:
    r = await client.get("/api/me/export", headers=auth(token))
    assert r.status_code == 200, r.text
    return int(r.json()["account"]["id"])


async def _board_ids(client: httpx.AsyncClient) -> list[int]:
    board = (await client.get("/api/quests/expo/leaderboard?limit=100")).json()
    return [e["player"]["id"] for e in board["entries"]]


async def _age_everyone(app: FastAPI) -> None:
    """Every account registered long ago, and the quest closed long ago: all are purgeable."""
    now = utcnow()
    async with app.state.tq.sessionmaker() as session, session.begin():
        await session.exec(update(Account).values(created_at=now - timedelta(days=400)))
        await session.exec(update(Quest).values(ends_at=now - timedelta(days=200)))


async def test_a_squatted_placeholder_does_not_block_erasure(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    victim = await register(client, "victim")
    await _solve(client, victim, quest["luhn"], 3)
    victim_id = (await _board_ids(client))[0]
    # The id is public on the board: another player takes the old placeholder name first.
    squatter = await register(client, f"erased-{victim_id}")

    r = await client.delete("/api/me", headers=auth(victim))
    assert r.status_code == 204, r.text
    assert victim_id not in await _board_ids(client)
    async with app.state.tq.readmaker() as session:
        account = await session.get(Account, victim_id)
        assert account is not None and account.erased_at is not None
        assert account.handle == account.handle_key == privacy.placeholder(victim_id)
    # The placeholder is something sign-up can never produce...
    r = await client.post(
        "/api/players", json={"handle": privacy.placeholder(victim_id), "password": "x" * 10}
    )
    assert r.status_code == 422
    # ...and the squatter is untouched.
    assert (await client.get("/api/me/export", headers=auth(squatter))).status_code == 200


async def test_purge_is_not_stopped_by_squatted_placeholders(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    tokens = [await register(client, f"old{i}") for i in range(3)]
    ids = [await _my_id(client, t) for t in tokens]
    squatter = await register(client, f"erased-{ids[0]}")
    await _age_everyone(app)
    async with app.state.tq.sessionmaker() as session, session.begin():
        await session.exec(
            update(Account)
            .where(col(Account.id) == await _my_id(client, squatter))
            .values(created_at=utcnow())
        )
    assert await privacy.purge_unconverted(app.state.tq, now=utcnow()) == 3
    for token in tokens:
        assert (await client.get("/api/me/export", headers=auth(token))).status_code == 401
    assert (await client.get("/api/me/export", headers=auth(squatter))).status_code == 200


async def test_one_failing_erasure_is_logged_skipped_and_left_whole(
    app: FastAPI,
    client: httpx.AsyncClient,
    quest: dict[str, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failure inside one account's erasure (here a row that already holds its placeholder,
    as a hand-edited database might) rolls back that account alone; the batch goes on."""
    tokens = [await register(client, f"zq{i}x") for i in range(5)]
    for token in tokens:
        await _solve(client, token, quest["luhn"], 3)
    ids = [await _my_id(client, t) for t in tokens]
    stuck_token, stuck = tokens[1], ids[1]
    await _age_everyone(app)
    async with app.state.tq.sessionmaker() as session, session.begin():
        await session.exec(
            update(Account).where(col(Account.id) == stuck).values(email="stuck@example.com")
        )
        blocker = privacy.placeholder(stuck)
        session.add(Account(handle=blocker, handle_key=blocker, role="staff", password_hash="x"))

    with caplog.at_level(logging.INFO, logger="talentquest.privacy"):
        assert await privacy.purge_unconverted(app.state.tq, now=utcnow()) == len(ids) - 1
    # Everyone else is erased, on and off the boards.
    for token in tokens:
        if token != stuck_token:
            r = await client.get("/api/me/export", headers=auth(token))
            assert r.status_code == 401
    assert await _board_ids(client) == [stuck]
    # The failing account is whole: nothing half-erased.
    async with app.state.tq.readmaker() as session:
        account = await session.get(Account, stuck)
        assert account is not None
        assert (account.handle, account.email, account.erased_at) == (
            "zq1x",
            "stuck@example.com",
            None,
        )
        assert account.password_hash.startswith("$argon2")
        answers = await session.exec(select(Attempt.answer).where(Attempt.account_id == stuck))
        assert answers.all() == ["3"]
        revoked = await session.exec(
            select(ApiToken.revoked_at).where(ApiToken.account_id == stuck)
        )
        assert revoked.all() == [None]
    assert (await client.get("/api/me/export", headers=auth(stuck_token))).status_code == 200
    # The failure is logged by account id, with no personal data.
    mine = [r for r in caplog.records if r.name == "talentquest.privacy"]
    failures = [r for r in mine if r.levelno >= logging.WARNING]
    assert len(failures) == 1 and f"account {stuck}" in failures[0].getMessage()
    logged = "\n".join(r.getMessage() + str(r.exc_text or "") for r in mine)
    assert "zq" not in logged and "stuck@example.com" not in logged
    # It is tried again on the next run (and fails alone again); the others are done.
    assert await privacy.purge_unconverted(app.state.tq, now=utcnow()) == 0


@pytest_asyncio.fixture
async def outage_app(settings: Settings, own_redis: EmbeddedRedis) -> AsyncIterator[FastAPI]:
    """The app on a Redis of the test's own, which the test stops and starts."""
    mine = settings.model_copy(update={"redis_url": own_redis.url})
    async with running_app(mine) as application:
        yield application


async def test_erasure_while_redis_is_down_converges_when_it_returns(
    outage_app: FastAPI, own_redis: EmbeddedRedis
) -> None:
    app = outage_app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        staff = await make_staff(app)
        r = await client.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
        assert r.status_code == 201, r.text
        ids = {c["slug"]: c["id"] for c in (await client.get("/api/quests/expo/challenges")).json()}
        ann, bob = await register(client, "ann"), await register(client, "bob")
        await _solve(client, ann, ids["luhn"], 3)
        await _solve(client, bob, ids["dna"], "T")
        bob_id = await _my_id(client, bob)  # bob's token is now in the Redis cache
        assert len(await _board_ids(client)) == 2

        own_redis.stop()
        r = await client.delete("/api/me", headers=auth(bob))
        # The erasure committed: that is the answer, whatever Redis says.
        assert r.status_code == 204, r.text
        async with app.state.tq.readmaker() as session:
            account = await session.get(Account, bob_id)
            assert account is not None and account.erased_at is not None

        own_redis.start()  # with its data: bob's cached token and board entries came back too
        for _ in range(100):
            board = (await client.get("/api/quests/expo/leaderboard")).json()
            export = await client.get("/api/me/export", headers=auth(bob))
            if export.status_code == 401 and board["total"] == 1:
                break
            await asyncio.sleep(0.1)
        assert export.status_code == 401
        assert [e["player"]["handle"] for e in board["entries"]] == ["ann"]
        for scope in ("all", "daily", "weekly", "track:fintech", "track:biotech"):
            r = await client.get(f"/api/quests/expo/leaderboard?scope={scope}")
            assert bob_id not in [e["player"]["id"] for e in r.json()["entries"]], scope
