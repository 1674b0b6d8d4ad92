"""A board of 1,000,000 players: API read latency, Redis memory per entry, rebuild time.

Targets: top-10 and `me` reads under 5 ms p99 at the API; rebuilding 1,000,000
solves from SQL in under 60 s. Run: .venv/bin/python bench/bench_board.py [--players 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis.asyncio as aioredis

from bench.common import data_dir, seed, serve_app
from bench.loadgen import build, fixed_rate
from leaderboard import keys
from leaderboard.board import composite
from quest.core.redis_server import EmbeddedRedis
from quest.core.settings import Settings


async def fill_board(r: aioredis.Redis, players: int) -> tuple[float, float]:
    """ZADD `players` members to quest 1's `all` board; returns bytes/entry (zset, handles)."""
    rng = random.Random(1)
    await r.flushdb()
    base = await r.info("memory")
    for start in range(1, players + 1, 20_000):
        chunk = range(start, min(players + 1, start + 20_000))
        await r.zadd(
            keys.board(1, "all"),
            {str(i): composite(rng.randint(0, 5000), rng.randint(0, 10**9)) for i in chunk},
        )
    zset = (await r.info("memory"))["used_memory"] - base["used_memory"]
    for start in range(1, players + 1, 20_000):
        chunk = range(start, min(players + 1, start + 20_000))
        await r.hset(keys.handles(1), mapping={str(i): f"bench{i - 1}" for i in chunk})
    total = (await r.info("memory"))["used_memory"] - base["used_memory"]
    await r.sadd(keys.scopes(1), "all")
    return zset / players, (total - zset) / players


def seed_solves(path: Path, players: int, solves: int) -> None:
    """`solves` solves by `players` players over 50 challenges, written with raw sqlite3."""
    conn = sqlite3.connect(path)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    pw = "x"
    conn.executemany(
        "INSERT OR IGNORE INTO account (id, handle, handle_key, role, password_hash, created_at) "
        "VALUES (?, ?, ?, 'player', ?, ?)",
        ((i, f"p{i}", f"p{i}", pw, "2026-01-01 00:00:00.000000") for i in range(1, players + 1)),
    )
    per = solves // players

    def rows():  # type: ignore[no-untyped-def]
        for p in range(1, players + 1):
            for k in range(per):
                t = now + timedelta(seconds=p * 7 + k * 3600)
                yield (p, k + 1, 1, f"t{k % 5}", 10 + k, 10 + k, t.strftime("%Y-%m-%d %H:%M:%S.%f"))

    conn.executemany(
        "INSERT INTO solve (account_id, challenge_id, quest_id, track, points, base, speed_bonus, "
        "first_bonus, hint_cost, solved_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?)",
        rows(),
    )
    conn.commit()
    conn.close()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--players", type=int, default=1_000_000)
    ap.add_argument("--solves", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=8)
    args = ap.parse_args()

    home = data_dir()
    server = EmbeddedRedis(home / "r")
    (home / "r").mkdir()
    server.start()
    try:
        r = aioredis.from_url(server.url)
        tokens = await seed(f"sqlite+aiosqlite:///{home / 'talentquest.db'}", 1000)
        t0 = time.perf_counter()
        zset_bytes, handle_bytes = await fill_board(r, args.players)
        fill_s = time.perf_counter() - t0
        app = serve_app(
            {
                "TQ_DATA_DIR": str(home),
                "TQ_REDIS_URL": server.url,
                "TQ_RECONCILE_INTERVAL_S": "3600",
            }
        )
        try:

            def me(n: int) -> bytes:
                return build(
                    "GET",
                    "/api/quests/bench/leaderboard/me?around=5",
                    headers={"Authorization": f"Bearer {tokens[n % len(tokens)]}"},
                )

            # Warm-up: each player's first request fills the token cache, as in real play.
            await fixed_rate(app.port, me, rate=250, seconds=len(tokens) / 250, connections=16)
            top = build("GET", "/api/quests/bench/leaderboard?limit=10")
            top_r = await fixed_rate(
                app.port, lambda n: top, rate=200, seconds=args.seconds, connections=16
            )
            me_r = await fixed_rate(app.port, me, rate=200, seconds=args.seconds, connections=16)
        finally:
            app.stop()
        await r.aclose()

        # Rebuild from SQL through the code `talentquest leaderboard rebuild` runs.
        rb_home = data_dir()
        from quest.app import create_app

        settings = Settings(data_dir=rb_home, redis_url=server.url, environment="test")
        app2 = create_app(settings)
        app2.state.background = []
        async with app2.router.lifespan_context(app2):
            pass  # schema
        seed_solves(rb_home / "talentquest.db", args.solves // 5, args.solves)
        from bench.common import bench_quest
        from quest.boards import sync as board_sync
        from quest.quests.content import import_quest, validate

        async with app2.router.lifespan_context(app2):
            state = app2.state.tq
            async with state.sessionmaker() as s, s.begin():
                await import_quest(session=s, doc=validate(bench_quest()))
            await state.redis.flushdb()
            [quest] = await board_sync.quests(state, "bench")
            t0 = time.perf_counter()
            await board_sync.rebuild(state, quest, reason="bench")
            rebuild_s = time.perf_counter() - t0
            size = await state.redis.zcard(keys.board(quest.id or 0, "all"))
    finally:
        server.stop()

    print(f"# board benchmark: {args.players:,} players on one board")
    print(
        f"filled in {fill_s:.1f} s; Redis memory per entry: sorted set {zset_bytes:.0f} B, "
        f"handle hash {handle_bytes:.0f} B, together {zset_bytes + handle_bytes:.0f} B"
    )
    print(
        f"top-10 at 200/s: p50 {top_r.pct(50):.2f} ms  p99 {top_r.pct(99):.2f} ms  "
        f"-> {top_r.pct(99) / 5:.2f} x the 5 ms target  statuses {top_r.statuses}"
    )
    print(
        f"me (around 5) at 200/s: p50 {me_r.pct(50):.2f} ms  p99 {me_r.pct(99):.2f} ms  "
        f"-> {me_r.pct(99) / 5:.2f} x the 5 ms target  statuses {me_r.statuses}"
    )
    print(
        f"rebuild of {args.solves:,} solves ({size:,} players on `all`): {rebuild_s:.1f} s "
        f"-> {rebuild_s / 60:.2f} x the 60 s target"
    )


if __name__ == "__main__":
    asyncio.run(main())
