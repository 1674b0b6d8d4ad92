"""SIGKILL the server between SQL commits and board updates: the boards then equal SQL, exactly.

A burst of solves is committed in SQL while Redis holds every write back (`CLIENT PAUSE
WRITE`), so each request is stuck after its commit, on its board update, when the process
is killed. After a restart every acknowledged solve is in SQL with the points it was
acknowledged with, and every board shows each solve in SQL exactly once: once with Redis
intact (the boards are there but behind) and once with Redis wiped as well (SQL alone
brings the boards back).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx
import pytest
import redis

from quest.core.redis_server import EmbeddedRedis
from quest.core.settings import Settings
from tests.support.app import QUEST_DOC, Server, auth, free_port, make_staff_via_cli, sql_solves

PLAYERS = 24
SCOPES = ("all", "track:fintech", "track:biotech")


def expected_boards(solves: list[tuple[str, str, str, int]]) -> dict[str, dict[str, int]]:
    """What each board must show: per handle, the sum of its solves' points in SQL."""
    boards: dict[str, Counter[str]] = {scope: Counter() for scope in SCOPES}
    for handle, _, track, points in solves:
        boards["all"][handle] += points
        boards[f"track:{track}"][handle] += points
    return {scope: dict(scores) for scope, scores in boards.items()}


async def shown_boards(client: httpx.AsyncClient) -> dict[str, dict[str, int]]:
    shown = {}
    for scope in SCOPES:
        r = await client.get("/api/quests/expo/leaderboard", params={"scope": scope, "limit": 1000})
        assert r.status_code == 200, r.text
        entries = r.json()["entries"]
        assert r.json()["total"] == len(entries)
        shown[scope] = {e["player"]["handle"]: e["score"] for e in entries}
    return shown


def rebuilds(metrics: str, reason: str) -> float:
    prefix = f'tq_board_rebuilds_total{{reason="{reason}"}} '
    lines = [line for line in metrics.splitlines() if line.startswith(prefix)]
    return float(lines[0].removeprefix(prefix)) if lines else 0.0


async def until(check: Callable[[], Awaitable[bool]], within: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("wipe_redis", [False, True], ids=["redis-intact", "redis-wiped"])
async def test_sigkill_between_commit_and_board_update(
    own_redis: EmbeddedRedis, server_env: dict[str, str], settings: Settings, wipe_redis: bool
) -> None:
    database_url = settings.database_url or ""
    env = server_env | {"TQ_REDIS_URL": own_redis.url}
    make_staff_via_cli(env)
    # The first process's reconciler stays out of it: a rebuild of its (racing the first
    # awards, more likely under load) caught by the pause would die holding the rebuild lock,
    # and the restarted process would wait out the lock's 300 s timeout.
    server = Server(env | {"TQ_RECONCILE_INTERVAL_S": "3600"}, free_port())
    server.start()
    admin = redis.Redis.from_url(own_redis.url)
    acknowledged: dict[tuple[str, str], int] = {}
    in_flight = unanswered = 0
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            r = await client.post(
                "/api/auth/token", data={"username": "crashstaff", "password": "password123"}
            )
            r = await client.post(
                "/api/admin/quests", json=QUEST_DOC, headers=auth(r.json()["access_token"])
            )
            assert r.status_code == 201, r.text
            listing = (await client.get("/api/quests/expo/challenges")).json()
            cid = {c["slug"]: c["id"] for c in listing}
            gate = asyncio.Semaphore(4)  # password hashing is slow on purpose: a few at a time

            async def sign_up(handle: str) -> tuple[str, str]:
                async with gate:
                    body = {"handle": handle, "password": "pw123456"}
                    r = await client.post("/api/players", json=body)
                assert r.status_code == 201, r.text
                return handle, r.json()["token"]

            tokens = dict(await asyncio.gather(*(sign_up(f"crash{i}") for i in range(PLAYERS))))

            async def play(handle: str, *path: tuple[str, object]) -> None:
                nonlocal in_flight, unanswered
                for slug, answer in path:
                    in_flight += 1
                    try:
                        r = await client.post(
                            f"/api/challenges/{cid[slug]}/attempts",
                            json={"answer": answer},
                            headers=auth(tokens[handle]),
                        )
                    except httpx.HTTPError:
                        unanswered += 1
                        return
                    finally:
                        in_flight -= 1
                    assert r.status_code == 200 and r.json()["correct"], r.text
                    acknowledged[(handle, slug)] = r.json()["points_awarded"]

            # The boards exist (and every token is in the Redis cache).
            await asyncio.gather(*(play(h, ("luhn", 3)) for h in tokens))
            assert len(acknowledged) == PLAYERS

            admin.execute_command("CLIENT", "PAUSE", 60_000, "WRITE")  # reads still answer
            burst = asyncio.gather(*(play(h, ("dna", "T"), ("later", "crispr")) for h in tokens))

            async def all_committed() -> bool:
                return len(await asyncio.to_thread(sql_solves, database_url)) == 2 * PLAYERS

            await until(all_committed)  # every dna solve is in SQL, none is answered
            in_flight_at_kill = in_flight
            server.kill(signal.SIGKILL)
            admin.execute_command("CLIENT", "UNPAUSE")
            await burst
        assert in_flight_at_kill == PLAYERS, "each player's dna solve was in flight"
        assert unanswered == PLAYERS and len(acknowledged) == PLAYERS

        solves = sql_solves(database_url)
        recorded = {(handle, slug): points for handle, slug, _, points in solves}
        assert len(recorded) == len(solves) == 2 * PLAYERS  # one solve per player and challenge
        for solve, points in acknowledged.items():
            assert recorded[solve] == points, solve

        if wipe_redis:  # as if Redis died with the machine
            admin.flushdb()
        server = Server(env, server.port)  # restarted with the reconciler every 0.5 s
        server.start()
        expected = expected_boards(solves)
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:

            async def caught_up() -> bool:
                return await shown_boards(client) == expected

            with contextlib.suppress(AssertionError):  # the comparison below tells what differs
                await until(caught_up)  # the reconciler runs every 0.5 s; solves settle in 3 s
            assert await shown_boards(client) == expected
            metrics = (await client.get("/metrics")).text
        assert rebuilds(metrics, "missing" if wipe_redis else "behind") >= 1
    finally:
        admin.execute_command("CLIENT", "UNPAUSE")
        admin.close()
        server.stop()
