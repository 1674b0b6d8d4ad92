"""Shared set-up for benchmarks: a data dir with a quest and many players, and servers."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kit.time import utcnow  # noqa: E402
from quest.accounts.models import Account, ApiToken  # noqa: E402
from quest.accounts.service import _hasher  # noqa: E402
from quest.core.db import create_schema, make_engine, make_sessionmaker  # noqa: E402
from quest.quests.content import import_quest, validate  # noqa: E402


def bench_quest(n: int = 50) -> dict[str, Any]:
    return {
        "slug": "bench",
        "title": "Bench Quest",
        "starts_at": "2026-01-01T00:00:00+08:00",
        "ends_at": "2030-01-01T00:00:00+08:00",
        "tracks": [{"slug": f"t{i}", "title": f"Track {i}"} for i in range(5)],
        "challenges": [
            {
                "slug": f"c{i}",
                "track": f"t{i % 5}",
                "title": f"C{i}",
                "prompt": "?",
                "kind": "numeric",
                "points": 10 + i,
                "answer": i,
                "tolerance": 0,
            }
            for i in range(n)
        ],
    }


async def seed(db_url: str, players: int) -> list[str]:
    """A quest and `players` accounts with known tokens, written straight to SQL."""
    engine = make_engine(db_url)
    await create_schema(engine)
    maker = make_sessionmaker(engine)
    async with maker() as session, session.begin():
        await import_quest(session=session, doc=validate(bench_quest()))
    pw = _hasher.hash("password123")
    tokens = [f"bench-token-{i:07d}" for i in range(players)]
    expires = utcnow() + timedelta(days=1)
    async with maker() as session, session.begin():
        for start in range(0, players, 5000):
            chunk = range(start, min(players, start + 5000))
            await session.execute(
                insert(Account),
                [
                    {
                        "id": i + 1,
                        "handle": f"bench{i}",
                        "handle_key": f"bench{i}",
                        "role": "player",
                        "password_hash": pw,
                        "created_at": utcnow(),
                    }
                    for i in chunk
                ],
            )
            await session.execute(
                insert(ApiToken),
                [
                    {
                        "token_hash": hashlib.sha256(tokens[i].encode()).hexdigest(),
                        "account_id": i + 1,
                        "created_at": utcnow(),
                        "expires_at": expires,
                    }
                    for i in chunk
                ],
            )
    await engine.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def data_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="tqb", dir="/tmp"))


class Proc:
    """A server process (uvicorn), stopped on exit."""

    def __init__(self, args: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        # The server's output, to read when a benchmark fails (`TQ_LOG_LEVEL=warning`).
        fd, name = tempfile.mkstemp(prefix=f"tqb-{port}-", suffix=".log", dir="/tmp")
        self.log = Path(name)
        with os.fdopen(fd, "wb") as out:
            self.proc = subprocess.Popen(
                args,
                env={**os.environ, **env},
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        ok = 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server on {port} exited with {self.proc.returncode}")
            try:
                httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                ok += 1
                if ok >= 3:  # several workers: give the others time to come up too
                    return
                time.sleep(0.5)
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"server on {port} did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def serve_app(env: dict[str, str], workers: int = 1) -> Proc:
    """`talentquest serve --workers N` (always explicit: serve's default is 2 on SQLite)."""
    port = free_port()
    args = [sys.executable, "-m", "quest.cli", "serve", "--port", str(port)]
    args += ["--workers", str(workers)]
    return Proc(args, {"TQ_LOG_LEVEL": "warning", **env}, port)


def serve_bare(workers: int = 1, env: dict[str, str] | None = None) -> Proc:
    """bench/bare_app.py under uvicorn, with `workers` processes (its hooks read `env`)."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.bare_app:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if workers > 1:
        args += ["--workers", str(workers)]
    return Proc(args, env or {}, port)
