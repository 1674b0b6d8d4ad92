"""SIGKILL the server mid-burst: afterwards the boards equal the SQL record, exactly.

Every acknowledged solve is in SQL with the points it was acknowledged with, and on the
boards exactly once; solves that committed but whose reply (or board update) died with the
process are on the boards too, because the boards are rebuilt from SQL, not from replies.
Once with Redis intact (the process died between a commit and a board update) and once
with Redis wiped as well (SQL alone brings the boards back).
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter

import httpx
import pytest
import redis

from quest.core.settings import Settings
from tests.support.app import QUEST_DOC, Server, auth, make_staff_via_cli, sql_solves

PLAYERS = 24
KILL_AFTER = 15  # acknowledged solves
PATH = (("luhn", 3), ("dna", "T"), ("later", "crispr"))  # `later` requires `dna`
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


@pytest.mark.parametrize("wipe_redis", [False, True], ids=["redis-intact", "redis-wiped"])
async def test_sigkill_mid_burst_boards_equal_sql(
    live_server: Server, settings: Settings, wipe_redis: bool
) -> None:
    make_staff_via_cli(live_server.env)
    acknowledged: dict[tuple[str, str], int] = {}
    unexpected: list[str] = []
    in_flight = unanswered = 0
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
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

        async def play(handle: str, token: str) -> None:
            nonlocal in_flight, unanswered
            for slug, answer in PATH:
                in_flight += 1
                try:
                    r = await client.post(
                        f"/api/challenges/{cid[slug]}/attempts",
                        json={"answer": answer},
                        headers=auth(token),
                    )
                except httpx.HTTPError:
                    unanswered += 1
                    return
                finally:
                    in_flight -= 1
                if r.status_code != 200 or not r.json()["correct"]:
                    unexpected.append(f"{handle} {slug}: {r.status_code} {r.text}")
                    return
                acknowledged[(handle, slug)] = r.json()["points_awarded"]

        burst = asyncio.gather(*(play(h, t) for h, t in tokens.items()))
        for _ in range(3000):
            await asyncio.sleep(0.01)
            if len(acknowledged) >= KILL_AFTER:
                break
        in_flight_at_kill = in_flight
        live_server.kill(signal.SIGKILL)
        await burst
    assert not unexpected, unexpected
    assert KILL_AFTER <= len(acknowledged) < PLAYERS * len(PATH), len(acknowledged)
    assert in_flight_at_kill > 0, "the kill should land while requests are in flight"
    assert unanswered > 0, "some requests should have died with the server"

    solves = sql_solves(settings.database_url or "")
    recorded = {(handle, slug): points for handle, slug, _, points in solves}
    assert len(recorded) == len(solves)  # one solve per player and challenge
    for solve, points in acknowledged.items():
        assert recorded.get(solve) == points, (solve, points, recorded.get(solve))

    if wipe_redis:  # as if Redis died with the machine
        redis.Redis.from_url(live_server.env["TQ_REDIS_URL"]).flushdb()
    live_server.start()
    expected = expected_boards(solves)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as client:
        for _ in range(200):  # the reconciler runs every 0.5 s; solves settle after 3 s
            shown = await shown_boards(client)
            if shown == expected:
                break
            await asyncio.sleep(0.1)
    assert shown == expected
