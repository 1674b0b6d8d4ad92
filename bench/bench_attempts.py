"""Attempts over HTTP, one server process, embedded defaults (SQLite + embedded Redis), on wrk.

Two rows, each measured against the bare FastAPI POST (`bench/bare_app.py`) in the same run,
interleaved rounds, medians (`bench/wrk.py`):

- wrong answers: 1,000 players' tokens rotating over 20 challenges, every answer wrong (the
  wrong-answer limit is lifted: they are the load here, not abuse);
- correct answers: every request a distinct (player, challenge) solve, so each one commits a
  solve and moves the boards. Players rotate fastest (1,000 in a row, then the next
  challenge); each round has its own block of challenges (a second quest holds them), sized
  so that no round runs out and repeats a solve (that would be a 409 and fail the run).

Then each at half its saturated rate for p99. Targets: >= 0.35 x bare, p99 < 25 ms.
Run: .venv/bin/python bench/bench_attempts.py [--seconds 20] [--rounds 3] [--only wrong|correct]
`run()` returns the rows for `bench/run_all.py`.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.wrk import ROUNDS, SECONDS, Row, compare, print_table, raw_request, servers

PLAYERS = 1000
WRONG_CHALLENGES = 20
MOST_PER_S = 3000  # a round's block holds this many solves per second of the round
ANSWER = 7  # every challenge of the solves quest takes 7


def solves_quest(n: int) -> dict[str, Any]:
    """A second quest of `n` numeric challenges, all answered 7, for distinct solves."""
    return {
        "slug": "solves",
        "title": "Solves",
        "starts_at": "2026-01-01T00:00:00+08:00",
        "ends_at": "2030-01-01T00:00:00+08:00",
        "tracks": [{"slug": f"s{i}", "title": f"S{i}"} for i in range(5)],
        "challenges": [
            {
                "slug": f"s{i}",
                "track": f"s{i % 5}",
                "title": f"S{i}",
                "prompt": "?",
                "kind": "numeric",
                "points": 10,
                "answer": ANSWER,
                "tolerance": 0,
            }
            for i in range(n)
        ],
    }


class SolvesSeed:
    """The start_app seed hook: imports the solves quest and keeps its challenge ids."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.ids: list[int] = []

    async def __call__(self, database_url: str, tokens: list[str]) -> None:
        from sqlmodel import col, select

        from challenges.models import Challenge
        from quest.core.db import make_engine, make_sessionmaker
        from quest.quests.content import import_quest, validate

        engine = make_engine(database_url)
        maker = make_sessionmaker(engine)
        async with maker() as session, session.begin():
            found, _ = await import_quest(session=session, doc=validate(solves_quest(self.n)))
            rows = await session.exec(
                select(Challenge.id)
                .where(Challenge.quest_id == found.id)
                .order_by(col(Challenge.id))
            )
            self.ids = [i for i in rows.all() if i is not None]
        await engine.dispose()


def wrong_requests(tokens: list[str]) -> list[bytes]:
    """Players rotate fastest; challenges 1..20 of the bench quest; every answer wrong."""
    n = len(tokens) * WRONG_CHALLENGES
    return [
        raw_request(
            "POST",
            f"/api/challenges/{1 + (i // len(tokens)) % WRONG_CHALLENGES}/attempts",
            body={"answer": -1},
            token=tokens[i % len(tokens)],
        )
        for i in range(n)
    ]


def correct_requests(tokens: list[str], challenge_ids: list[int]) -> list[bytes]:
    """One distinct solve per request: every player on a challenge, then the next challenge."""
    return [
        raw_request(
            "POST", f"/api/challenges/{cid}/attempts", body={"answer": ANSWER}, token=token
        )
        for cid in challenge_ids
        for token in tokens
    ]


def run(seconds: float = SECONDS, rounds: int = ROUNDS, only: str | None = None) -> list[Row]:
    per_round = math.ceil(MOST_PER_S * seconds / PLAYERS)
    warm = math.ceil(MOST_PER_S * 2 / PLAYERS)  # the harness warms up for 2 s
    seed = SolvesSeed(warm + per_round * (rounds + 1))  # + the fixed-rate round
    rows: list[Row] = []
    with servers(PLAYERS, seed=seed) as (app, bare):
        tokens = app.tokens
        if only in (None, "wrong"):
            rows.append(
                compare(
                    "wrong answer",
                    app.port,
                    wrong_requests(tokens),
                    bare.port,
                    rounds=rounds,
                    seconds=seconds,
                    target=">= 0.35, p99 < 25 ms",
                    note="1 process, SQLite + embedded Redis",
                )
            )
        if only in (None, "correct"):
            blocks: list[list[int]] = [seed.ids[:warm]]
            for n in range(rounds + 1):
                start = warm + n * per_round
                blocks.append(seed.ids[start : start + per_round])

            def solves(n: int) -> list[bytes]:  # -1 warm-up, 0.. rounds, `rounds` fixed rate
                return correct_requests(tokens, blocks[n + 1])

            wrong_for_bare = wrong_requests(tokens)
            rows.append(
                compare(
                    "correct answer",
                    app.port,
                    solves,
                    bare.port,
                    lambda n: wrong_for_bare,
                    rounds=rounds,
                    seconds=seconds,
                    target=">= 0.35, p99 < 25 ms",
                    note=f"distinct solves, {PLAYERS:,} players x {per_round} per round",
                )
            )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seconds", type=float, default=SECONDS)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--only", choices=["wrong", "correct"])
    args = ap.parse_args()
    print_table(run(args.seconds, args.rounds, args.only))


if __name__ == "__main__":
    main()
