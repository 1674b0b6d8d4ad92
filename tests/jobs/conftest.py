"""Fixtures for the job listing module: a real database, the router in a small app,
and signed handoff requests.

`X-Test-Account: 5:recruiter` stands in for the game's auth (tested elsewhere).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI, Header
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession
from standardwebhooks import Webhook

from jobs.deps import Caller
from jobs.errors import JobsError, install_error_handler
from jobs.generator import load_demo
from jobs.models import jobs_tables
from jobs.router import create_router
from tests.support.jobs import SECRET, Send


@pytest_asyncio.fixture(scope="module")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    url = os.environ.get("TQ_TEST_DATABASE_URL")
    if not url:
        path: Path = tmp_path_factory.mktemp("jobs") / "jobs.db"
        url = f"sqlite+aiosqlite:///{path}"
    eng = create_async_engine(url)
    if url.startswith("sqlite"):

        @event.listens_for(eng.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    tables = jobs_tables()
    async with eng.begin() as conn:
        await conn.run_sync(lambda c: SQLModel.metadata.drop_all(c, tables=tables))
        await conn.run_sync(lambda c: SQLModel.metadata.create_all(c, tables=tables))
    yield eng
    await eng.dispose()


@pytest_asyncio.fixture(scope="module")
async def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def test_principal(x_test_account: str | None = Header(default=None)) -> Caller:
    if not x_test_account:
        raise JobsError(401, "unauthenticated", "Sign in first.")
    account, role = x_test_account.split(":")
    return Caller(id=int(account), role=role)


@pytest_asyncio.fixture(scope="module")
async def app(sessionmaker: async_sessionmaker[AsyncSession]) -> FastAPI:
    application = FastAPI()
    application.state.sessionmaker = sessionmaker
    application.state.readmaker = sessionmaker
    application.include_router(
        create_router(current_principal=test_principal, handoff_secret=SECRET)
    )
    install_error_handler(application)
    return application


@pytest_asyncio.fixture(scope="module")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://jobs.test") as c:
        yield c


@pytest_asyncio.fixture(scope="module")
async def demo(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session, session.begin():
        return await load_demo(session=session)


@pytest.fixture
def send(client: httpx.AsyncClient) -> Send:
    """POST one handoff event, signed the way the game's relay signs it."""

    async def post(
        payload: dict[str, Any],
        *,
        msg_id: str | None = None,
        sent_at: datetime | None = None,
        secret: str = SECRET,
    ) -> httpx.Response:
        body = json.dumps(payload)
        msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
        sent_at = sent_at or datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, sent_at, body),
        }
        return await client.post("/api/jobs/handoff", content=body, headers=headers)

    return post


@pytest.fixture
def recent() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=1)
