"""Bare board endpoints for bench/bare_app.py (`TQ_BARE_HOOKS=bench.board_bare:routes`).

The same paths as Talent Quest's board reads, doing the same Redis reads the board store
does (leaderboard/board.py: ZCARD + ZREVRANGE, then HMGET of the handles + one ZCOUNT per
distinct score; `me`: ZREVRANK + ZCARD, ZREVRANGE around it, HMGET + ZCOUNTs) and answering
a JSON body of the same shape, with nothing else: no token check (the player id is read
from the bench token's number), no quest look-up, no scope resolution, no response model.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from bench.bare_app import redis
from leaderboard import keys
from leaderboard.keys import TICK_SPAN

QUEST_ID = 1


async def _entries(r: Any, key: str, rows: list[tuple[bytes, float]], offset: int) -> list[Any]:
    ids = [int(m) for m, _ in rows]
    points = [int(s) // TICK_SPAN for _, s in rows]
    distinct = sorted(set(points), reverse=True)
    async with r.pipeline(transaction=False) as pipe:
        pipe.hmget(keys.handles(QUEST_ID), ids)
        for p in distinct:
            pipe.zcount(key, (p + 1) * TICK_SPAN, "+inf")
        handles, *higher = await pipe.execute()
    competition = {p: int(n) + 1 for p, n in zip(distinct, higher, strict=True)}
    return [
        {
            "rank": offset + i + 1,
            "competition_rank": competition[p],
            "player": {"id": pid, "handle": (h or b"").decode()},
            "score": p,
            "reached_at": "2026-01-01T00:00:00Z",
        }
        for i, (pid, h, p) in enumerate(zip(ids, handles, points, strict=True))
    ]


def routes(app: FastAPI) -> None:
    key = keys.board(QUEST_ID, "all")

    @app.get("/api/quests/{slug}/leaderboard")
    async def top(slug: str, limit: int = 10, offset: int = 0) -> dict[str, Any]:
        r = redis()
        async with r.pipeline(transaction=False) as pipe:
            pipe.zcard(key)
            pipe.zrevrange(key, offset, offset + limit - 1, withscores=True)
            total, rows = await pipe.execute()
        return {
            "quest": slug,
            "scope": "all",
            "total": total,
            "frozen": False,
            "entries": await _entries(r, key, rows, offset),
        }

    @app.get("/api/quests/{slug}/leaderboard/me")
    async def me(slug: str, request: Request, around: int = 5) -> dict[str, Any]:
        r = redis()
        token = request.headers.get("authorization", "")
        player = int(token.rsplit("-", 1)[-1]) + 1  # bench-token-0000041 -> player 42
        async with r.pipeline(transaction=False) as pipe:
            pipe.zrevrank(key, player)
            pipe.zcard(key)
            rank, total = await pipe.execute()
        start = max(0, int(rank) - around)
        rows = await r.zrevrange(key, start, int(rank) + around, withscores=True)
        entries = await _entries(r, key, rows, start)
        return {"rank": int(rank) + 1, "total": total, "neighbours": entries}
