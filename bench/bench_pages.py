"""p95 latency of each page against the ASGI app with the demo content loaded.

    .venv/bin/python bench/bench_pages.py [--requests 200] [--players 40]

A temp data dir (SQLite + embedded Redis), `talentquest demo` content, some players with
solves (so the staff charts have data), then N sequential GETs per page through httpx's
ASGI transport. Prints p50/p95 per page and the ratio of p95 to the 50 ms budget.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quest.accounts import service as accounts
from quest.app import create_app
from quest.core.settings import Settings
from quest.play import service as play
from quest.quests.demo.loader import load_demo

BUDGET_MS = 50.0
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


async def seed_players(state: Any, n: int) -> None:
    """n players who each answer some demo challenges (right or wrong)."""
    from sqlmodel import select

    from challenges.models import Challenge

    async with state.readmaker() as session:
        challenges = list((await session.exec(select(Challenge))).all())
    plain = [c for c in challenges if c.kind in ("numeric", "choice") and not c.requires]
    for i in range(n):
        async with state.sessionmaker() as session, session.begin():
            account = await accounts.create_account(
                session=session, handle=f"bench{i:03d}", password="password123"
            )
        principal = accounts.Principal(account.id or 0, "player", account.handle)
        for j, ch in enumerate(plain[: 3 + i % 8]):
            answer = ch.spec["answer"] if (i + j) % 3 else "wrong"
            try:
                await play.submit(
                    state=state, principal=principal, challenge_id=ch.id or 0,
                    answer=answer, idempotency_key=None,
                )  # fmt: skip
            except Exception:  # rate limits and attempt caps are part of the game
                pass


async def login(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/login")
    token = CSRF.search(page.text)
    assert token
    r = await client.post(
        "/login",
        data={"csrf_token": token.group(1), "username": username, "password": "password123"},
    )
    assert r.status_code == 303, r.text


async def measure(client: httpx.AsyncClient, path: str, n: int) -> list[float]:
    for _ in range(10):
        r = await client.get(path)
        assert r.status_code == 200, (path, r.status_code)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        r = await client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200
    return times


async def main(requests: int, players: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="tqbench", dir="/tmp"))
    settings = Settings(
        environment="test", data_dir=data_dir, secret_key="b" * 40, log_level="warning"
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        state = app.state.tq
        print(await load_demo(state))
        await seed_players(state, players)
        async with state.sessionmaker() as session, session.begin():
            await accounts.create_account(
                session=session, handle="benchstaff", password="password123", role="staff"
            )
        transport = httpx.ASGITransport(app=app)
        results: list[tuple[str, list[float]]] = []
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as anon:
            for path in ("/", "/login", "/signup", "/play/talent-quest"):
                results.append((f"anonymous {path}", await measure(anon, path, requests)))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as player:
            await login(player, "bench001")
            for path in (
                "/play/talent-quest",
                "/play/talent-quest/ai-nvidia-dli",
                "/play/talent-quest/ai-expo-2023-jobs",
                "/play/talent-quest/checkin",
                "/me",
            ):
                results.append((f"player {path}", await measure(player, path, requests)))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as staff:
            await login(staff, "benchstaff")
            for path in (
                "/staff",
                "/staff/quests/talent-quest",
                "/staff/quests/talent-quest/preview/ai-nvidia-dli",
                "/staff/players",
                "/staff/accounts",
            ):
                results.append((f"staff {path}", await measure(staff, path, requests)))
    print(f"\n{'page':58} {'p50 ms':>8} {'p95 ms':>8} {'p95/50ms':>9}")
    worst = 0.0
    for name, times in results:
        p95 = statistics.quantiles(times, n=20)[18]
        worst = max(worst, p95 / BUDGET_MS)
        print(f"{name:58} {statistics.median(times):8.2f} {p95:8.2f} {p95 / BUDGET_MS:9.3f}")
    print(f"\nworst p95 / budget: {worst:.3f} ({'OK' if worst < 1 else 'OVER BUDGET'})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--players", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.players))
