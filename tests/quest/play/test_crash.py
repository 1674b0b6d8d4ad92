"""Kill the server with SIGKILL during a burst: every acknowledged solve is on the boards."""

from __future__ import annotations

import asyncio
import signal

import httpx
import redis

from tests.support.app import QUEST_DOC, Server, make_staff_via_cli


async def test_sigkill_during_burst_loses_no_acknowledged_solve(live_server: Server) -> None:
    staff = make_staff_via_cli(live_server.env)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as client:
        r = await client.post(
            "/api/auth/token", data={"username": "crashstaff", "password": "password123"}
        )
        staff_token = r.json()["access_token"]
        r = await client.post(
            "/api/admin/quests", json=QUEST_DOC, headers={"Authorization": f"Bearer {staff_token}"}
        )
        assert r.status_code == 201, r.text
        listing = (await client.get("/api/quests/expo/challenges")).json()
        cid = {c["slug"]: c["id"] for c in listing}
        tokens = []
        for i in range(60):
            r = await client.post(
                "/api/players", json={"handle": f"crash{i}", "password": "password123"}
            )
            tokens.append(r.json()["token"])

        acknowledged: set[str] = set()

        async def play(i: int, token: str) -> None:
            for slug, answer in (("luhn", 3), ("dna", "T"), ("later", "crispr")):
                try:
                    r = await client.post(
                        f"/api/challenges/{cid[slug]}/attempts",
                        json={"answer": answer},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                except httpx.HTTPError:
                    return
                if r.status_code == 200 and r.json()["correct"]:
                    acknowledged.add(f"crash{i}:{slug}")

        burst = asyncio.gather(*(play(i, t) for i, t in enumerate(tokens)))
        for _ in range(300):  # kill mid-burst: some solves acknowledged, others in flight
            await asyncio.sleep(0.01)
            if len(acknowledged) >= 40:
                break
        live_server.kill(signal.SIGKILL)
        await burst
    assert acknowledged, "the burst should have acknowledged some solves before the kill"
    assert staff

    # Lose Redis too (as if it died with the machine): SQL alone must bring the boards back.
    redis.Redis.from_url(live_server.env["TQ_REDIS_URL"]).flushdb()
    live_server.start()
    points = {"luhn": 100, "dna": 80, "later": 60}
    expected: dict[str, int] = {}
    for item in acknowledged:
        handle, slug = item.split(":")
        expected[handle] = expected.get(handle, 0) + points[slug]
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as client:
        for _ in range(80):
            r = await client.get("/api/quests/expo/leaderboard", params={"limit": 1000})
            got = {e["player"]["handle"]: e["score"] for e in r.json()["entries"]}
            if all(got.get(h, 0) >= s for h, s in expected.items()):
                break
            await asyncio.sleep(0.1)
    for handle, score in expected.items():
        assert got.get(handle, 0) >= score, (handle, score, got.get(handle))
