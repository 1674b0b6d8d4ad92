"""More processes, more throughput: `talentquest serve --workers N` against bare FastAPI
with the same number of uvicorn workers, under wrk (bench/wrk.py).

- SQLite + embedded Redis (the defaults): wrong and correct answers, 1 and 2 workers —
  the measurement behind `serve`'s SQLite default (docs/operations.md).
- PostgreSQL + Redis (TQ_BENCH_DATABASE_URL, TQ_BENCH_REDIS_URL; both are WIPED): wrong
  answers and the board top-10, 2 workers vs bare FastAPI with 2 workers.

Run: .venv/bin/python bench/bench_processes.py [--seconds 20] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import wrk

PLAYERS = 2500  # x 50 challenges = 125,000 distinct solves: 5 slices of 25,000
SLICE = 25_000


def wrong_answers(tokens: list[str]) -> list[bytes]:
    """1,000 players' tokens rotating, each a wrong answer to one of the 50 challenges."""
    return [
        wrk.raw_request(
            "POST", f"/api/challenges/{1 + i % 50}/attempts", body={"answer": -1}, token=t
        )
        for i, t in enumerate(tokens[:1000])
    ]


def correct_answers(tokens: list[str]) -> Callable[[int], Sequence[bytes]]:
    """Round n (-1 = warm-up) gets its own 25,000 distinct solves: none is answered twice."""
    players = len(tokens)

    def make(n: int) -> list[bytes]:
        out = []
        for j in range((n + 1) * SLICE, (n + 2) * SLICE):
            token, cid = tokens[j % players], 1 + (j // players) % 50
            body = {"answer": cid - 1}  # the bench quest: challenge c{i} (id i+1) answers i
            out.append(
                wrk.raw_request("POST", f"/api/challenges/{cid}/attempts", body=body, token=token)
            )
        return out

    return make


def top10(tokens: list[str]) -> list[bytes]:
    return [
        wrk.raw_request("GET", "/api/quests/bench/leaderboard?limit=10", token=t)
        for t in tokens[:1000]
    ]


def sqlite_rows() -> list[wrk.Row]:
    rows = []
    for workers in (1, 2):
        with wrk.servers(PLAYERS, workers=workers, database_url="", redis_url="") as (app, bare):
            bare_name = f"bare FastAPI, {workers} worker{'s' if workers > 1 else ''}"
            note = f"SQLite + embedded Redis, {workers} worker{'s' if workers > 1 else ''}"
            rows.append(
                wrk.compare(
                    "wrong answer",
                    app.port,
                    wrong_answers(app.tokens),
                    bare.port,
                    bare_name=bare_name,
                    note=note,
                )
            )
            rows.append(
                wrk.compare(
                    "correct answer (distinct solves)",
                    app.port,
                    correct_answers(app.tokens),
                    bare.port,
                    bare_name=bare_name,
                    note=note,
                )
            )
    return rows


def postgres_rows() -> list[wrk.Row]:
    db = os.environ.get("TQ_BENCH_DATABASE_URL")
    redis_url = os.environ.get("TQ_BENCH_REDIS_URL")
    if not db or not redis_url:
        print("  (PostgreSQL rows skipped: TQ_BENCH_DATABASE_URL / TQ_BENCH_REDIS_URL unset)")
        return []
    rows = []
    with wrk.servers(PLAYERS, workers=2, database_url=db, redis_url=redis_url) as (app, bare):
        note = "PostgreSQL + Redis, 2 workers"
        name = "bare FastAPI, 2 workers"
        rows.append(
            wrk.compare(
                "wrong answer",
                app.port,
                wrong_answers(app.tokens),
                bare.port,
                bare_name=name,
                note=note,
                target="≥ 0.35",
            )
        )
        # A board with players on it: 5 s of correct answers, not measured.
        wrk.run(app.port, correct_answers(app.tokens)(-1), seconds=5)
        rows.append(
            wrk.compare(
                "board top-10",
                app.port,
                top10(app.tokens),
                bare.port,
                bare_name=name,
                note=note,
                target="≥ 0.5, p99 < 20 ms",
            )
        )
    return rows


def run() -> list[wrk.Row]:
    only = os.environ.get("TQ_BENCH_PROCESSES", "")
    rows = []
    if only in ("", "sqlite"):
        rows += sqlite_rows()
    if only in ("", "postgres"):
        rows += postgres_rows()
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--only", choices=["sqlite", "postgres"])
    a = ap.parse_args()
    if a.seconds:
        wrk.SECONDS = a.seconds
    if a.only:
        os.environ["TQ_BENCH_PROCESSES"] = a.only
    wrk.print_table(run())
