"""The app under test: the quest document, accounts, tokens, and a real server process."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import redis
from fastapi import FastAPI
from sqlmodel import SQLModel

from quest.app import create_app
from quest.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


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


@contextlib.asynccontextmanager
async def running_app(
    settings: Settings,
    *,
    reset: bool = True,
    background: bool = True,
    leave_out: tuple[str, ...] = (),
) -> AsyncIterator[FastAPI]:
    """The app inside its lifespan; `leave_out` names background tasks not to start."""
    if reset:
        reset_stores(settings)
    app = create_app(settings)
    app.state.background = [
        task for task in app.state.background if background and task.__name__ not in leave_out
    ]
    async with app.router.lifespan_context(app):
        yield app


def short_tmp() -> Path:
    return Path(tempfile.mkdtemp(prefix="tq", dir="/tmp"))


def reset_stores(settings: Settings) -> None:
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

        engine = sqlalchemy.create_engine(sync_url(url))
        with engine.begin() as conn:
            SQLModel.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")  # the next start migrates
        engine.dispose()


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


def sync_url(database_url: str) -> str:
    """The blocking-driver form of an async database URL, for reading SQL from a test."""
    return database_url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")


def sql_rows(database_url: str, sql: str) -> list[Any]:
    """The rows of one SQL statement, read with a short-lived sync engine (disposed)."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sqlalchemy.text(sql)).all())
    finally:
        engine.dispose()


def sql_solves(database_url: str) -> list[tuple[str, str, str, int]]:
    """Every solve in SQL as (handle, challenge slug, track, points): the record itself."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sqlalchemy.text(
                    "SELECT a.handle, c.slug, s.track, s.points FROM solve s "
                    "JOIN account a ON a.id = s.account_id "
                    "JOIN challenge c ON c.id = s.challenge_id ORDER BY s.id"
                )
            ).all()
    finally:
        engine.dispose()
    return [(str(h), str(c), str(t), int(p)) for h, c, t, p in rows]


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


# One process, as the tests expect (kills, per-process limits), whatever `serve`'s default
# worker count on the database (the cores on PostgreSQL).
SERVE_ONE = [sys.executable, "-m", "quest.cli", "serve", "--workers", "1"]


class Server:
    """A real `talentquest serve` process on a free port, killable for crash tests."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self, timeout: float = 30.0) -> None:
        # In the data directory (the test's tmp_path), so the log goes when that goes.
        self.log = Path(self.env["TQ_DATA_DIR"]) / f"server-{self.port}.log"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [*SERVE_ONE, "--port", str(self.port)],
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
