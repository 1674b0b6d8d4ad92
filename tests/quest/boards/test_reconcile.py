"""The reconciler's "boards behind SQL" branch, against a real server and a real Redis that stops.

The boards exist, a solve commits while Redis is unreachable, Redis comes back with its data
(AOF): the boards are there but miss the solve, and only the reconciler can put it on them.
"""

from __future__ import annotations

import asyncio

import httpx

from quest.core.redis_server import EmbeddedRedis
from tests.support.app import QUEST_DOC, Server, auth, free_port, make_staff_via_cli


async def _board(client: httpx.AsyncClient) -> dict[str, int]:
    r = await client.get("/api/quests/expo/leaderboard", params={"limit": 100})
    assert r.status_code == 200, r.text
    return {e["player"]["handle"]: e["score"] for e in r.json()["entries"]}


def _rebuilds(metrics: str, reason: str) -> float:
    prefix = f'tq_board_rebuilds_total{{reason="{reason}"}} '
    lines = [line for line in metrics.splitlines() if line.startswith(prefix)]
    return float(lines[0].removeprefix(prefix)) if lines else 0.0


async def test_solve_committed_while_redis_was_down_reaches_the_existing_boards(
    own_redis: EmbeddedRedis, server_env: dict[str, str]
) -> None:
    env = server_env | {"TQ_REDIS_URL": own_redis.url}
    make_staff_via_cli(env, "keeper")
    server = Server(env, free_port())
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            r = await client.post(
                "/api/auth/token", data={"username": "keeper", "password": "password123"}
            )
            staff = r.json()["access_token"]
            r = await client.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
            assert r.status_code == 201, r.text
            ids = {
                c["slug"]: c["id"] for c in (await client.get("/api/quests/expo/challenges")).json()
            }
            tokens = {}
            for handle in ("ann", "bob"):
                r = await client.post(
                    "/api/players", json={"handle": handle, "password": "password123"}
                )
                tokens[handle] = r.json()["token"]
            r = await client.post(
                f"/api/challenges/{ids['luhn']}/attempts",
                json={"answer": 3},
                headers=auth(tokens["ann"]),
            )
            assert r.json()["rank"] == 1  # the boards exist
            await asyncio.sleep(3.5)  # ann's solve is settled: the boards are not behind
            # The reconciler may have raced ann's first award (boards not made yet: "missing");
            # what counts is that bob's solve comes back through the "behind" branch.
            before = (await client.get("/metrics")).text
            missing_before = _rebuilds(before, "missing")
            behind_before = _rebuilds(before, "behind")

            own_redis.stop()
            r = await client.post(
                f"/api/challenges/{ids['dna']}/attempts",
                json={"answer": "T"},
                headers=auth(tokens["bob"]),
            )
            assert r.status_code == 200, r.text
            assert r.json() == {
                "correct": True,
                "points_awarded": 80,
                "score": 80,  # from SQL
                "rank": None,
                "attempts_left": None,
            }
            own_redis.start()  # the same data directory: the boards come back from the AOF

            # Back, but behind: ann is there, bob's solve is not (yet).
            assert await _board(client) == {"ann": 100}
            for _ in range(150):
                if await _board(client) == {"ann": 100, "bob": 80}:
                    break
                await asyncio.sleep(0.1)
            assert await _board(client) == {"ann": 100, "bob": 80}
            metrics = (await client.get("/metrics")).text
            assert _rebuilds(metrics, "behind") >= behind_before + 1
            assert _rebuilds(metrics, "missing") == missing_before
    finally:
        server.stop()
