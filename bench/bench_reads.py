"""The read paths against a bare FastAPI GET, measured by wrk in the same run.

Board top-10, `me`, a quest, its challenge list with the caller's state, one challenge, and
the job search: one process, embedded defaults (SQLite + embedded Redis), 1,000 players'
tokens rotating (`me`, challenges: the caller's own state), 300 of them on the board, the
demo job catalogue (2,600 jobs). The bare app gets the very same requests (its catch-all
`GET /api/...` answers a small JSON body). Targets: each >= 0.5 x bare saturated, p99 < 20 ms
at half the saturated rate.

Run: .venv/bin/python bench/bench_reads.py [--seconds 20] [--rounds 3] [--only top10,quest]
`run()` returns the rows for bench/run_all.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.wrk import ROUNDS, SECONDS, AppServer, Row, compare, print_table, raw_request, servers

SOLVERS = 300  # players on the board
TARGET = ">= 0.5 x bare; p99 < 20 ms at half rate"


async def _seed_jobs(database_url: str, tokens: list[str]) -> None:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from jobs.generator import load_demo
    from quest.core.db import make_engine

    engine = make_engine(database_url)
    async with AsyncSession(engine) as session, session.begin():
        await load_demo(session=session)
    await engine.dispose()


async def _solves(app: AppServer) -> None:
    """Players 0..SOLVERS-1 solve 1..5 challenges each: a board with ties and tracks."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{app.port}") as client:
        for i, token in enumerate(app.tokens[:SOLVERS]):
            for cid in range(1, 2 + i % 5):
                r = await client.post(
                    f"/api/challenges/{cid}/attempts",
                    json={"answer": cid - 1},
                    headers={"Authorization": f"Bearer {token}"},
                )
                r.raise_for_status()


def _requests(app: AppServer) -> dict[str, tuple[str, list[bytes]]]:
    tokens = app.tokens
    searches = [
        "sector=fintech&limit=20",
        "level=entry&region=hk&limit=20",
        "degree=master&limit=20&offset=20",
        "q=data&limit=20",
        "limit=20",
    ]
    return {
        "top10": (
            "board top-10 GET /api/quests/{slug}/leaderboard?limit=10",
            [raw_request("GET", "/api/quests/bench/leaderboard?limit=10", token=t) for t in tokens],
        ),
        "me": (
            "board me GET /api/quests/{slug}/leaderboard/me",
            [raw_request("GET", "/api/quests/bench/leaderboard/me", token=t) for t in tokens],
        ),
        "quest": (
            "a quest GET /api/quests/{slug}",
            [raw_request("GET", "/api/quests/bench", token=t) for t in tokens],
        ),
        "challenges": (
            "its challenges, caller's state",
            [raw_request("GET", "/api/quests/bench/challenges", token=t) for t in tokens],
        ),
        "challenge": (
            "one challenge GET /api/challenges/{id}",
            [
                raw_request("GET", f"/api/challenges/{1 + i % 50}", token=t)
                for i, t in enumerate(tokens)
            ],
        ),
        "jobs": (
            "job search GET /api/jobs?...",
            [raw_request("GET", f"/api/jobs?{searches[i % len(searches)]}") for i in range(100)],
        ),
    }


def run(
    seconds: float | None = None, rounds: int = ROUNDS, only: Sequence[str] = ()
) -> list[Row]:
    rows = []
    with servers(1000, seed=_seed_jobs) as (app, bare):
        asyncio.run(_solves(app))
        for key, (name, requests) in _requests(app).items():
            if only and key not in only:
                continue
            rows.append(
                compare(
                    name,
                    app.port,
                    requests,
                    bare.port,
                    rounds=rounds,
                    seconds=seconds,
                    bare_name="bare FastAPI GET",
                    target=TARGET,
                )
            )
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=SECONDS)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--only", default="", help="comma-separated: " + "top10,me,quest,...")
    a = ap.parse_args()
    print_table(run(a.seconds, a.rounds, [s for s in a.only.split(",") if s]))
