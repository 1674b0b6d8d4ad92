"""Bare board endpoints for bench/bare_app.py (`TQ_BARE_HOOKS=bench.board_bare:routes`).

The same paths as Talent Quest's board reads, doing the same Redis read the board store
does (leaderboard/board.py: one EVALSHA of `lua/read.lua`: the page, handles and
competition counts) and answering a JSON body of the same shape, with nothing else: no
token check (the player id is read from the bench token's number), no quest look-up, no
scope resolution, no read coalescing, no response model.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from bench.bare_app import redis
from leaderboard import keys
from leaderboard.board import READ_LUA
from leaderboard.keys import TICK_SPAN

QUEST_ID = 1
KEY = keys.board(QUEST_ID, "all")


_script: Any = None


async def _read(*args: Any) -> list[Any]:
    global _script
    if _script is None:
        _script = redis().register_script(READ_LUA)
    return list(await _script(keys=[KEY, keys.handles(QUEST_ID)], args=[*args, TICK_SPAN]))


def _entries(rows: list[Any], handles: list[Any], higher: list[Any], start: int) -> list[Any]:
    return [
        {
            "rank": start + i + 1,
            "competition_rank": int(higher[i]) + 1,
            "player": {"id": int(rows[2 * i]), "handle": handles[i].decode()},
            "score": int(float(rows[2 * i + 1])) // TICK_SPAN,
            "reached_at": "2026-01-01T00:00:00Z",
        }
        for i in range(len(handles))
    ]


def routes(app: FastAPI) -> None:
    @app.get("/api/quests/{slug}/leaderboard")
    async def top(slug: str, limit: int = 10, offset: int = 0) -> dict[str, Any]:
        total, start, _, rows, handles, higher = await _read("top", offset, limit)
        return {
            "quest": slug,
            "scope": "all",
            "total": total,
            "frozen": False,
            "entries": _entries(rows, handles, higher, start),
        }

    @app.get("/api/quests/{slug}/leaderboard/me")
    async def me(slug: str, request: Request, around: int = 5) -> dict[str, Any]:
        token = request.headers.get("authorization", "")
        player = int(token.rsplit("-", 1)[-1]) + 1  # bench-token-0000041 -> player 42
        total, start, rank, rows, handles, higher = await _read("me", player, around)
        return {
            "rank": rank + 1,
            "total": total,
            "neighbours": _entries(rows, handles, higher, start),
        }
