"""Helpers for the job and recruiter page tests: the demo catalogue, jobseekers made through
the real handoff (conversion → outbox → relay → `POST /api/jobs/handoff`), acting as someone."""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi import FastAPI

from jobs.generator import load_demo
from quest.core.deps import SESSION_COOKIE
from tests.support.app import auth, make_account, register
from tests.support.handoff import convert, delivered


async def demo_jobs(app: FastAPI) -> int:
    """The expo's 2,600 demo jobs (the same loader as `talentquest demo`)."""
    async with app.state.tq.sessionmaker() as session, session.begin():
        return await load_demo(session=session)


def as_user(client: httpx.AsyncClient, token: str | None) -> None:
    """Be this account in the page cookie (the API token is the session cookie), or nobody."""
    client.cookies.clear()
    if token is not None:
        client.cookies.set(SESSION_COOKIE, token)


async def jobseeker(
    client: httpx.AsyncClient,
    app: FastAPI,
    handle: str,
    *,
    solve: list[tuple[int, Any]] | None = None,
    **profile: Any,
) -> tuple[str, str]:
    """A player who answers `solve` [(challenge id, answer)] and converts; returns (token,
    candidate id) once the handoff has been delivered to the job module."""
    token = await register(client, handle)
    for challenge_id, answer in solve or []:
        r = await client.post(
            f"/api/challenges/{challenge_id}/attempts", json={"answer": answer}, headers=auth(token)
        )
        assert r.status_code in (200, 201), r.text
    candidate_id = await convert(client, token, **profile)
    events = await delivered(app)
    assert all(e.status == "delivered" for e in events), [(e.type, e.status) for e in events]
    return token, candidate_id


async def withdraw(client: httpx.AsyncClient, app: FastAPI, token: str) -> None:
    body = {"consent": {"share_with_employers": False}}
    r = await client.patch("/api/me/jobseeker", json=body, headers=auth(token))
    assert r.status_code == 200, r.text
    await delivered(app)


async def account(app: FastAPI, role: str, name: str | None = None) -> str:
    return await make_account(app, name or f"{role}{time.monotonic_ns() % 10**8}", role)
