"""A quest document with `scoring:` blocks, played through the API: exact points for each rule.

points = base + speed bonus + first-solve bonus - hint costs, never below 0. The speed bonus
decays linearly from `max` at the challenge's `opens_at` (or the quest's start) to 0 after
`window_s`; times are set through the document, relative to now, with margins of minutes.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio

from kit.time import utcnow
from tests.support.app import auth, register

SPEED = {"speed_bonus": {"max": 100, "window_s": 100_000}}


def _challenge(slug: str, points: int = 100, **extra: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "track": "main",
        "title": slug.title(),
        "prompt": "Say yes.",
        "kind": "text",
        "points": points,
        "answer": "yes",
        **extra,
    }


def scored_doc(now: datetime) -> dict[str, Any]:
    def ago(seconds: int) -> str:
        return (now - timedelta(seconds=seconds)).isoformat()

    return {
        "slug": "scored",
        "title": "Scored",
        "timezone": "Asia/Hong_Kong",
        "starts_at": ago(10 * 86_400),
        "ends_at": (now + timedelta(days=10)).isoformat(),
        "tracks": [{"slug": "main", "title": "Main"}],
        "challenges": [
            _challenge("plain"),
            _challenge("first", scoring={"first_solves": {"count": 2, "bonus": 30}}),
            _challenge("rush", scoring={"first_solves": {"count": 2, "bonus": 30}}),
            # 500 s into a 100,000 s window: 100 x (1 - 500/100000) = 99.5, rounded down
            _challenge("fast", opens_at=ago(500), scoring=SPEED),
            _challenge("half", opens_at=ago(49_500), scoring=SPEED),  # 50.5 -> 50
            _challenge("slow", opens_at=ago(200_000), scoring=SPEED),  # past the window: 0
            # no opens_at: from the quest's start, 864,000 s into 2,000,000 s: 56.8 -> 56
            _challenge("from-start", scoring={"speed_bonus": {"max": 100, "window_s": 2_000_000}}),
            _challenge("floor", points=20, hints=[{"text": "It is yes.", "cost": 50}]),
            _challenge(
                "combo",
                opens_at=ago(500),
                hints=[{"text": "Yes.", "cost": 10}],
                scoring=SPEED | {"first_solves": {"count": 1, "bonus": 30}},
            ),
        ],
    }


@pytest_asyncio.fixture
async def scored(client: httpx.AsyncClient, staff: str) -> dict[str, int]:
    now = utcnow().replace(microsecond=0)
    r = await client.post("/api/admin/quests", json=scored_doc(now), headers=auth(staff))
    assert r.status_code == 201, r.text
    listing = (await client.get("/api/quests/scored/challenges")).json()
    return {c["slug"]: c["id"] for c in listing}


async def solve(client: httpx.AsyncClient, token: str, cid: int) -> dict[str, Any]:
    r = await client.post(
        f"/api/challenges/{cid}/attempts", json={"answer": "yes"}, headers=auth(token)
    )
    assert r.status_code == 200 and r.json()["correct"] is True, r.text
    return dict(r.json())


async def scores(client: httpx.AsyncClient) -> dict[str, int]:
    r = await client.get("/api/quests/scored/leaderboard", params={"limit": 100})
    return {e["player"]["handle"]: e["score"] for e in r.json()["entries"]}


async def test_first_solvers_get_the_bonus_later_solvers_do_not(
    client: httpx.AsyncClient, scored: dict[str, int]
) -> None:
    awarded = []
    for handle in ("ann", "ben", "cat"):
        token = await register(client, handle)
        awarded.append((await solve(client, token, scored["first"]))["points_awarded"])
    assert awarded == [130, 130, 100]
    assert await scores(client) == {"ann": 130, "ben": 130, "cat": 100}


async def test_first_solve_bonus_is_exact_under_concurrency(
    client: httpx.AsyncClient, scored: dict[str, int]
) -> None:
    tokens = [await register(client, f"racer{i}") for i in range(6)]
    replies = await asyncio.gather(*(solve(client, t, scored["rush"]) for t in tokens))
    assert sorted(r["points_awarded"] for r in replies) == [100, 100, 100, 100, 130, 130]
    assert sorted((await scores(client)).values()) == [100, 100, 100, 100, 130, 130]


async def test_speed_bonus_decays_from_the_opening(
    client: httpx.AsyncClient, scored: dict[str, int]
) -> None:
    token = await register(client, "speedy")
    points = {
        slug: (await solve(client, token, scored[slug]))["points_awarded"]
        for slug in ("fast", "half", "slow", "from-start")
    }
    assert points == {"fast": 199, "half": 150, "slow": 100, "from-start": 156}
    assert await scores(client) == {"speedy": 605}


async def test_hints_are_deducted_and_points_never_go_below_zero(
    client: httpx.AsyncClient, scored: dict[str, int]
) -> None:
    token = await register(client, "hinted")
    assert (await solve(client, token, scored["plain"]))["score"] == 100
    r = await client.post(f"/api/challenges/{scored['floor']}/hints/0", headers=auth(token))
    assert r.status_code == 200 and r.json()["cost"] == 50
    floored = await solve(client, token, scored["floor"])
    assert (floored["points_awarded"], floored["score"]) == (0, 100)  # 20 - 50 -> 0, not -30
    r = await client.post(f"/api/challenges/{scored['combo']}/hints/0", headers=auth(token))
    assert r.status_code == 200
    combo = await solve(client, token, scored["combo"])
    assert (combo["points_awarded"], combo["score"]) == (219, 319)  # 100 + 99 + 30 - 10
    assert await scores(client) == {"hinted": 319}
