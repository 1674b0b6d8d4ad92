"""Handoff under an outage: 2,000 conversions while the job listing module is down, then recovery.

The game runs in this process (the app with its lifespan and relay, requests over ASGI);
the receiver is a separate `talentquest serve` process (its own SQLite and Redis) whose
`/api/jobs/handoff` verifies every signature. It is started only after all conversions were
made; we time until every event is delivered, then count the receiver's rows.

    .venv/bin/python bench/bench_handoff.py [--n 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import secrets
import sqlite3
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlmodel import col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Proc, data_dir, free_port, seed  # noqa: E402
from quest.app import create_app  # noqa: E402
from quest.core.redis_server import EmbeddedRedis  # noqa: E402
from quest.core.settings import Settings  # noqa: E402
from quest.jobseekers.models import HandoffEvent  # noqa: E402
from quest.jobseekers.notice import NOTICE_VERSION  # noqa: E402

LIMIT_S = 60.0


def profile(i: int) -> dict[str, object]:
    return {
        "full_name": f"Bench Seeker {i}",
        "email": f"seeker{i}@example.com",
        "education_level": ("bachelor", "master", "phd")[i % 3],
        "sectors": [("ai-data", "biotech", "fintech", "robotics")[i % 4]],
        "experience_level": ("entry", "mid", "senior")[i % 3],
        "regions": ["hk"],
        "consent": {"share_with_employers": True, "notice_version": NOTICE_VERSION},
    }


async def counts(app: object) -> dict[str, int]:
    maker = app.state.tq.sessionmaker  # type: ignore[attr-defined]
    async with maker() as session:
        rows = await session.exec(
            select(HandoffEvent.status, func.count()).group_by(col(HandoffEvent.status))
        )
        return {s: int(c) for s, c in rows.all()}


async def main(n: int) -> int:
    root = data_dir()
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    redis = EmbeddedRedis(root / "game-redis")
    redis.start()
    port = free_port()
    db = f"sqlite+aiosqlite:///{root / 'game.db'}"
    tokens = await seed(db, n)
    settings = Settings(
        environment="test",
        database_url=db,
        redis_url=redis.url,
        data_dir=root,
        secret_key=secrets.token_urlsafe(40),
        handoff_url=f"http://127.0.0.1:{port}/api/jobs/handoff",
        handoff_secret=secret,
        run_scheduler=False,
    )
    app = create_app(settings)
    receiver: Proc | None = None
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://[::1]") as client:
                gate = asyncio.Semaphore(16)

                async def convert(i: int) -> None:
                    async with gate:
                        r = await client.post(
                            "/api/me/jobseeker",
                            json=profile(i),
                            headers={"Authorization": f"Bearer {tokens[i]}"},
                        )
                        assert r.status_code == 201, r.text

                t0 = time.perf_counter()
                await asyncio.gather(*(convert(i) for i in range(n)))
                convert_s = time.perf_counter() - t0
                down = await counts(app)
                print(f"{n} conversions with the receiver down: {convert_s:.1f} s; outbox {down}")
                await asyncio.sleep(5)  # let the relay fail a few more rounds and back off

                recv_dir = root / "receiver"
                t1 = time.perf_counter()
                receiver = await asyncio.to_thread(
                    Proc,
                    [sys.executable, "-m", "quest.cli", "serve", "--port", str(port)],
                    {
                        "TQ_DATA_DIR": str(recv_dir),
                        "TQ_HANDOFF_SECRET": secret,
                        "TQ_LOG_LEVEL": "warning",
                        "TQ_RUN_SCHEDULER": "false",
                    },
                    port,
                )
                up_s = time.perf_counter() - t1
                t2 = time.perf_counter()
                while (await counts(app)).get("delivered", 0) < n:
                    if time.perf_counter() - t2 > 150:
                        break
                    await asyncio.sleep(0.1)
                recover_s = time.perf_counter() - t2
                final = await counts(app)
                maker = app.state.tq.sessionmaker
                async with maker() as session:
                    attempts = (await session.exec(select(func.sum(HandoffEvent.attempts)))).one()
    finally:
        if receiver is not None:
            receiver.stop()
        redis.stop()
    with sqlite3.connect(recv_dir / "talentquest.db") as conn:
        received = conn.execute("SELECT count(*) FROM jobs_received_webhook").fetchone()[0]
        distinct = conn.execute(
            "SELECT count(DISTINCT webhook_id) FROM jobs_received_webhook"
        ).fetchone()[0]
        candidates = conn.execute("SELECT count(*) FROM jobs_candidate").fetchone()[0]
    print(f"receiver started in {up_s:.1f} s; outbox after recovery {final}")
    print(f"delivery attempts in total: {attempts} (failed while down: {attempts - n})")
    print(f"receiver rows: {received} webhooks ({distinct} distinct), {candidates} candidates")
    ok = final.get("delivered", 0) == n and received == distinct == candidates == n
    print(
        f"all {n} delivered {recover_s:.1f} s after the receiver came back: "
        f"{recover_s / LIMIT_S:.2f} of the {LIMIT_S:.0f} s budget; "
        f"{'none applied twice' if ok else 'MISMATCH'}"
    )
    return 0 if ok and recover_s <= LIMIT_S else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    sys.exit(asyncio.run(main(parser.parse_args().n)))
