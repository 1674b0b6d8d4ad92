"""PDPO: export everything, erase completely, withdraw consent, purge the unconverted."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select, update

from challenges.models import Attempt, Solve
from kit.time import utcnow
from quest.accounts.models import Account
from quest.jobseekers.models import HandoffEvent, Jobseeker
from quest.jobseekers.notice import NOTICE_VERSION
from quest.jobseekers.privacy import erase, purge_unconverted
from quest.quests.models import Quest
from tests.support.app import auth, make_account, register
from tests.support.handoff import convert, delivered


async def solve(client: httpx.AsyncClient, token: str, cid: int, answer: object) -> None:
    r = await client.post(
        f"/api/challenges/{cid}/attempts", json={"answer": answer}, headers=auth(token)
    )
    assert r.status_code == 200, r.text


async def recruiter_ids(client: httpx.AsyncClient, rec: str) -> list[str]:
    page = (await client.get("/api/recruiter/candidates", headers=auth(rec))).json()
    return [c["id"] for c in page["items"]]


async def board_ids(client: httpx.AsyncClient) -> list[int]:
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    return [e["player"]["id"] for e in board["entries"]]


async def test_export_holds_everything(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "alice")
    await solve(client, token, quest["swift"], "A bird")
    assert (
        await client.post(f"/api/challenges/{quest['swift']}/hints/0", headers=auth(token))
    ).status_code == 200
    await solve(client, token, quest["luhn"], 3)
    jid = await convert(client, token)
    withdraw = {"consent": {"share_with_employers": False}}
    assert (
        await client.patch("/api/me/jobseeker", json=withdraw, headers=auth(token))
    ).status_code == 200
    await delivered(app)
    r = await client.get("/api/me/export", headers=auth(token))
    assert r.status_code == 200
    data = r.json()
    assert data["account"]["handle"] == "alice" and "password_hash" not in data["account"]
    assert "argon2" not in r.text
    assert [(a["challenge"], a["answer"]) for a in data["attempts"]] == [
        ("swift", "A bird"),
        ("luhn", "3"),
    ]
    assert [s["challenge"] for s in data["solves"]] == ["luhn"]
    assert [(h["challenge"], h["n"]) for h in data["hint_unlocks"]] == [("swift", 0)]
    assert data["jobseeker"]["candidate_id"] == jid
    assert data["jobseeker"]["email"] == "tai.man@example.com"
    assert [c["share_with_employers"] for c in data["consent_history"]] == [True, False]
    assert [e["type"] for e in data["handoff_events"]] == [
        "candidate.converted",
        "candidate.consent_withdrawn",
    ]
    assert data["handoff_events"][0]["payload"]["data"]["email"] == "tai.man@example.com"
    assert (await client.get("/api/me/export")).status_code == 401


async def test_erasure_is_complete(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "bob")
    other = await register(client, "carol")
    await solve(client, token, quest["luhn"], 3)
    await solve(client, other, quest["dna"], "T")
    jid = await convert(client, token)
    await delivered(app)
    rec = await make_account(app, "rec", "recruiter")
    assert await recruiter_ids(client, rec) == [jid]
    me = (await client.get("/api/quests/expo/leaderboard/me", headers=auth(token))).json()
    bob_id = (await client.get("/api/me/export", headers=auth(token))).json()["account"]["id"]
    assert bob_id in await board_ids(client) and me["rank"] == 1

    r = await client.delete("/api/me", headers=auth(token))
    assert r.status_code == 204
    rows = await delivered(app)
    assert [e.type for e in rows] == ["candidate.converted", "candidate.erased"]
    assert all(e.status == "delivered" for e in rows)
    assert "tai.man" not in rows[0].payload and json.loads(rows[0].payload)["redacted"]
    assert await recruiter_ids(client, rec) == []
    seen = await client.get(f"/api/recruiter/candidates/{jid}", headers=auth(rec))
    assert seen.status_code == 404
    assert await board_ids(client) != [] and bob_id not in await board_ids(client)
    assert (await client.get("/api/me/export", headers=auth(token))).status_code == 401
    login = await client.post(
        "/api/auth/token", data={"username": "bob", "password": "password123"}
    )
    assert login.status_code == 401
    async with app.state.tq.sessionmaker() as session:
        account = await session.get(Account, bob_id)
        assert account is not None
        assert (account.handle, account.email, account.password_hash) == (
            f"erased:{bob_id}",
            None,
            "",
        )
        assert account.erased_at is not None
        answers = await session.exec(select(Attempt.answer).where(Attempt.account_id == bob_id))
        assert answers.all() == [""]
        assert len((await session.exec(select(Solve).where(Solve.account_id == bob_id))).all()) == 1
        assert (await session.exec(select(Jobseeker))).all() == []
    # the name is free again, and the other player is untouched
    again = await client.post("/api/players", json={"handle": "bob", "password": "x" * 10})
    assert again.status_code == 201
    assert (await client.get("/api/me/export", headers=auth(other))).status_code == 200
    assert (await client.delete("/api/me", headers=auth(token))).status_code == 401


async def test_erasure_of_a_player_who_never_converted(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "dave")
    await solve(client, token, quest["luhn"], 3)
    assert (await client.delete("/api/me", headers=auth(token))).status_code == 204
    assert await board_ids(client) == []
    async with app.state.tq.sessionmaker() as session:
        assert (await session.exec(select(HandoffEvent))).all() == []


async def test_erasure_rolled_back_leaves_redis_alone(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    """The boards and the token cache follow the erasure's commit, never a rolled-back one."""
    token = await register(client, "erin")
    await solve(client, token, quest["luhn"], 3)
    erin = (await client.get("/api/me/export", headers=auth(token))).json()["account"]["id"]
    state = app.state.tq
    with pytest.raises(RuntimeError):
        async with state.sessionmaker() as session, session.begin():
            await erase(session=session, redis=state.redis, boards=state.boards, account_id=erin)
            raise RuntimeError("the transaction fails after the erasure")
    assert await board_ids(client) == [erin]
    assert (await client.get("/api/me/export", headers=auth(token))).status_code == 200


async def test_consent_withdrawal_and_return(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "erin")
    jid = await convert(client, token)
    await delivered(app)
    rec = await make_account(app, "rec", "recruiter")
    assert await recruiter_ids(client, rec) == [jid]
    withdraw = {"consent": {"share_with_employers": False}}
    r = await client.patch("/api/me/jobseeker", json=withdraw, headers=auth(token))
    assert r.status_code == 200 and r.json()["consent"]["share_with_employers"] is False
    await delivered(app)
    assert await recruiter_ids(client, rec) == []
    assert (
        await client.get(f"/api/recruiter/candidates/{jid}", headers=auth(rec))
    ).status_code == 404
    # while withdrawn, edits stay in the game
    await client.patch("/api/me/jobseeker", json={"full_name": "New Name"}, headers=auth(token))
    rows = await delivered(app)
    assert [e.type for e in rows] == ["candidate.converted", "candidate.consent_withdrawn"]
    stale = {"consent": {"share_with_employers": True, "notice_version": "old"}}
    r = await client.patch("/api/me/jobseeker", json=stale, headers=auth(token))
    assert (r.status_code, r.json()["code"]) == (422, "notice_outdated")
    back = {"consent": {"share_with_employers": True, "notice_version": NOTICE_VERSION}}
    r = await client.patch("/api/me/jobseeker", json=back, headers=auth(token))
    assert r.status_code == 200 and len(r.json()["consent_history"]) == 3
    rows = await delivered(app)
    assert rows[-1].type == "candidate.updated"
    assert await recruiter_ids(client, rec) == [jid]
    seen = (await client.get(f"/api/recruiter/candidates/{jid}", headers=auth(rec))).json()
    assert seen["full_name"] == "New Name"


async def test_purge_unconverted(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    state = app.state.tq
    old = await register(client, "oldie")
    kept = await register(client, "convert")
    fresh = await register(client, "fresh")
    for token in (old, kept):
        await solve(client, token, quest["luhn"], 3)
    await convert(client, kept)
    await delivered(app)
    now = utcnow()
    async with state.sessionmaker() as session, session.begin():
        await session.exec(update(Account).values(created_at=now - timedelta(days=200)))
        await session.exec(
            update(Account).where(col(Account.handle) == "fresh").values(created_at=now)
        )
        await session.exec(update(Quest).values(ends_at=now - timedelta(days=10)))
    assert state.settings.purge_after_days == 90
    assert await purge_unconverted(state, now=now) == 0  # their quest closed only 10 days ago
    async with state.sessionmaker() as session, session.begin():
        await session.exec(update(Quest).values(ends_at=now - timedelta(days=91)))
    assert await purge_unconverted(state, now=now) == 1
    assert await purge_unconverted(state, now=now) == 0
    assert (await client.get("/api/me/export", headers=auth(old))).status_code == 401
    for token in (kept, fresh):
        assert (await client.get("/api/me/export", headers=auth(token))).status_code == 200
    async with state.sessionmaker() as session:
        handles = (await session.exec(select(Account.handle).order_by(col(Account.id)))).all()
    assert handles[-3].startswith("erased:") and handles[-2:] == ["convert", "fresh"]
    assert len(await board_ids(client)) == 1


def test_purge_is_a_scheduled_job() -> None:
    from quest.tasks import SCHEDULED_JOBS

    job = next(j for j in SCHEDULED_JOBS if j.name == "privacy.purge_unconverted")
    assert job.catch_up
