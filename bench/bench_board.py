"""A board of 1,000,000 players: API read latency, Redis memory per entry, rebuild time.

Targets: top-10 and `me` p99 under 5 ms at 1,000 requests/s (wrk, fixed rate), printed next
to a bare FastAPI endpoint doing the same Redis reads (bench/board_bare.py) measured in the
same run; rebuilding 1,000,000 solves from SQL in under 20 s. The SQLite file of solves is
made once (`--prepare`, outside the bench lock) and reused from TQ_BENCH_CACHE.
Run: .venv/bin/python bench/bench_board.py [--players 1000000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis.asyncio as aioredis

from bench import wrk
from bench.common import bench_quest, data_dir
from leaderboard import keys
from leaderboard.board import composite, encoding_mark
from quest.core.redis_server import EmbeddedRedis
from quest.core.settings import Settings
from quest.quests.content import import_quest, validate


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


CACHE = Path(os.environ.get("TQ_BENCH_CACHE", "/tmp/tq-bench-cache"))
RATE = 1000  # requests/s for the p99 target


def solves_db(solves: int) -> Path:
    """A SQLite database with the bench quest and `solves` solves, made once and reused."""
    path = CACHE / f"board-solves-{solves}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    home = data_dir()
    from quest.app import create_app

    async def schema() -> None:  # the schema as start-up makes it (migrations), and the quest
        app = create_app(Settings(data_dir=home, environment="test"))
        app.state.background = []
        async with app.router.lifespan_context(app):
            async with app.state.tq.sessionmaker() as s, s.begin():
                await import_quest(session=s, doc=validate(bench_quest()))

    asyncio.run(schema())
    seed_solves(home / "talentquest.db", solves // 5, solves)
    tmp = path.with_suffix(".tmp")
    shutil.copy(home / "talentquest.db", tmp)
    tmp.rename(path)
    shutil.rmtree(home, ignore_errors=True)
    return path


async def rebuild_time(redis_url: str, solves: int) -> tuple[float, int]:
    """Seconds `talentquest leaderboard rebuild` takes for `solves` solves (a cached seed)."""
    from quest.app import create_app
    from quest.boards import sync as board_sync

    home = data_dir()
    shutil.copy(solves_db(solves), home / "talentquest.db")
    settings = Settings(data_dir=home, redis_url=redis_url, environment="test")
    app = create_app(settings)
    app.state.background = []
    r = aioredis.from_url(redis_url)
    await r.flushdb()
    # Mark the boards current so start-up's reconcile does not rebuild them first.
    await r.set(keys.applied(1), solves)
    await r.set(keys.encoding(1), encoding_mark(datetime(2025, 12, 31, 16, tzinfo=UTC)))
    try:
        async with app.router.lifespan_context(app):
            state = app.state.tq
            await state.redis.flushdb()
            [quest] = await board_sync.quests(state, "bench")
            t0 = time.perf_counter()
            await board_sync.rebuild(state, quest, reason="bench")
            took = time.perf_counter() - t0
            size = int(await state.redis.zcard(keys.board(quest.id or 0, "all")))
    finally:
        await r.flushdb()
        await r.aclose()
        shutil.rmtree(home, ignore_errors=True)
    return took, size


def run(
    players: int = 1_000_000, solves: int = 1_000_000, seconds: float | None = None
) -> list[wrk.Row]:
    """Rows for bench/run_all.py: top-10 and `me` on a 1,000,000-player board vs bare
    endpoints doing the same Redis reads (saturated ratio, and p99 of both at 1,000/s)."""
    seconds = seconds or min(wrk.SECONDS, 10)
    solves_db(solves)  # outside any lock: made once, reused
    home = data_dir()
    (home / "r").mkdir()
    server = EmbeddedRedis(home / "r")
    server.start()
    rows: list[wrk.Row] = []
    try:
        app = wrk.start_app(
            1000, redis_url=server.url, database_url="", env={"TQ_RECONCILE_INTERVAL_S": "3600"}
        )
        try:
            zset_b, handle_b, fill_s = asyncio.run(_fill(server.url, players))
            bare = wrk.start_bare(
                env={"TQ_BARE_HOOKS": "bench.board_bare:routes", "TQ_BARE_REDIS_URL": server.url}
            )
            try:
                top = [wrk.raw_request("GET", "/api/quests/bench/leaderboard?limit=10")]
                me = [
                    wrk.raw_request("GET", "/api/quests/bench/leaderboard/me?around=5", token=t)
                    for t in app.tokens
                ]
                for name, reqs in (("board top-10", top), ("board me (around 5)", me)):
                    row = wrk.compare(
                        f"{name}, {players:,} players",
                        app.port,
                        reqs,
                        bare.port,
                        seconds=seconds,
                        fixed=False,
                        bare_name="bare FastAPI, same Redis reads",
                        target=f"p99 < 5 ms at {RATE:,}/s",
                    )
                    with wrk._bench_lock():
                        row.fixed = wrk.run(app.port, reqs, seconds=seconds, rate=RATE)
                        bare_fixed = wrk.run(bare.port, reqs, seconds=seconds, rate=RATE)
                    row.note = (
                        f"at {RATE:,}/s p99 {row.fixed.p99:.2f} ms vs bare "
                        f"{bare_fixed.p99:.2f} ms: {row.fixed.p99 / bare_fixed.p99:.1f}x"
                    )
                    print(f"  {row.name}: {row.note}", flush=True)
                    rows.append(row)
            finally:
                bare.stop()
        finally:
            app.stop()
        print(
            f"  filled {players:,} players in {fill_s:.1f} s; Redis memory per entry: sorted set "
            f"{zset_b:.0f} B, handle hash {handle_b:.0f} B",
            flush=True,
        )
        with wrk._bench_lock():
            took, size = asyncio.run(rebuild_time(server.url, solves))
        print(f"  rebuild of {solves:,} solves ({size:,} players on `all`): {took:.1f} s")
        rows.append(
            wrk.Row(
                f"rebuild {solves:,} solves from SQL",
                wrk.Record(rps=solves / took, p50=took * 1000, p99=took * 1000, non2xx=0),
                note=f"{took:.1f} s, {size:,} players on `all`",
                target="< 20 s",
            )
        )
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    return rows


async def _fill(url: str, players: int) -> tuple[float, float, float]:
    r = aioredis.from_url(url)
    try:
        t0 = time.perf_counter()
        zset_b, handle_b = await fill_board(r, players)
        await r.set(keys.encoding(1), encoding_mark(datetime(2025, 12, 31, 16, tzinfo=UTC)))
        return zset_b, handle_b, time.perf_counter() - t0
    finally:
        await r.aclose()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--players", type=int, default=1_000_000)
    ap.add_argument("--solves", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--prepare", action="store_true", help="only make the cached solves file")
    a = ap.parse_args()
    if a.prepare:
        print(solves_db(a.solves))
    else:
        wrk.print_table(run(a.players, a.solves, a.seconds))
