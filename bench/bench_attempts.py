"""Submissions over HTTP, one server process, embedded defaults (SQLite + embedded Redis).

Targets: >= 1,000 attempts/s sustained; p99 < 50 ms at 300/s. Prints the ratio to a
bare FastAPI endpoint measured by the same load generator in the same run.
Run: .venv/bin/python bench/bench_attempts.py [--seconds 10] [--players 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import data_dir, seed, serve_app, serve_bare
from bench.loadgen import Result, build, fixed_rate, saturate


def attempt_factory(tokens: list[str], challenge_ids: list[int]) -> object:
    rng = random.Random(7)

    def make(n: int) -> bytes:
        token = tokens[n % len(tokens)]
        cid = rng.choice(challenge_ids)
        answer = cid - 1 if rng.random() < 0.5 else -1  # half right, half wrong
        body = json.dumps({"answer": answer}).encode()
        return build(
            "POST", f"/api/challenges/{cid}/attempts", body, {"Authorization": f"Bearer {token}"}
        )

    return make


def line(name: str, r: Result) -> str:
    return (
        f"{name:<28} {r.rate:8.0f} req/s  p50 {r.pct(50):6.1f} ms  p99 {r.pct(99):6.1f} ms  "
        f"statuses {dict(sorted(r.statuses.items()))}"
    )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--players", type=int, default=2000)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()

    home = data_dir()
    db = f"sqlite+aiosqlite:///{home / 'talentquest.db'}"
    tokens = await seed(db, args.players)
    env = {
        "TQ_DATA_DIR": str(home),
        "TQ_WRONG_ANSWER_LIMIT": "100000",
        "TQ_ENVIRONMENT": "development",
    }
    make = attempt_factory(tokens, list(range(1, 51)))

    app = serve_app(env)
    try:
        # Warm-up: every player's first request (token cache, content cache); players then
        # keep playing, which is what the measured runs see.
        warm = await fixed_rate(app.port, make, rate=400, seconds=args.players / 400)
        app_sat = await saturate(app.port, make, connections=args.connections, seconds=args.seconds)
        app_300 = await fixed_rate(app.port, make, rate=300, seconds=args.seconds)
    finally:
        app.stop()
    bare = serve_bare()
    try:
        await saturate(bare.port, make, connections=8, seconds=1)
        bare_sat = await saturate(
            bare.port, make, connections=args.connections, seconds=args.seconds
        )
        bare_300 = await fixed_rate(bare.port, make, rate=300, seconds=args.seconds)
    finally:
        bare.stop()

    print(f"# attempts benchmark: {args.players} players, 50 challenges, half the answers right")
    print(line("warm-up", warm))
    print(line("app, saturated", app_sat))
    print(line("bare FastAPI, saturated", bare_sat))
    print(line("app, 300/s open loop", app_300))
    print(line("bare FastAPI, 300/s", bare_300))
    print(
        f"throughput: app {app_sat.rate:.0f}/s = {app_sat.rate / bare_sat.rate:.2f} x bare; "
        f"target 1000/s -> {app_sat.rate / 1000:.2f} x target"
    )
    print(
        f"p99 at 300/s: app {app_300.pct(99):.1f} ms vs bare {bare_300.pct(99):.1f} ms; "
        f"target 50 ms -> {app_300.pct(99) / 50:.2f} x target"
    )
    errors = sum(n for s, n in app_sat.statuses.items() if s >= 500)
    print(f"server errors during the run: {errors}")


if __name__ == "__main__":
    asyncio.run(main())
