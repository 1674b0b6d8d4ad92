"""Which day and week a solve counts for, around midnight and Monday 00:00 in Hong Kong.

The attempt path takes its time from the clock, so these solves go through the same writer
and board update the attempt endpoint uses, with explicit solve times; then the boards are
rebuilt from SQL and must say the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from challenges.writer import AttemptJob
from kit.time import as_utc
from quest.accounts.service import Principal, resolve_token
from quest.boards import sync as board_sync
from quest.core.state import AppState
from quest.play import service as play
from tests.support.app import register

HK = ZoneInfo("Asia/Hong_Kong")
SUNDAY_2359 = datetime(2026, 3, 1, 23, 59, tzinfo=HK)  # 15:59 UTC, Sunday
MONDAY_0000_30 = datetime(2026, 3, 2, 0, 0, 30, tzinfo=HK)  # 16:00:30 UTC, still Sunday in UTC
MONDAY_0001 = datetime(2026, 3, 2, 0, 1, tzinfo=HK)  # 16:01 UTC, still Sunday in UTC
MONDAY_0759 = datetime(2026, 3, 2, 7, 59, tzinfo=HK)  # 23:59 UTC, a UTC "evening"


async def principal(app: FastAPI, token: str) -> Principal:
    async with app.state.tq.readmaker() as session:
        return await resolve_token(session=session, redis=None, raw=token)


async def solve_at(
    state: AppState, who: Principal, challenge_id: int, answer: Any, at: datetime
) -> None:
    """One correct attempt recorded and put on the boards as if the clock said `at`."""
    _, quest, snapshot = await state.caches.content.get(state, challenge_id)
    job = AttemptJob(
        account_id=who.id,
        challenge=snapshot,
        answer=answer,
        now=at,
        opened_at=as_utc(quest.starts_at),
    )
    outcome = await state.writer.submit(job)
    assert outcome.correct and outcome.solve is not None
    assert outcome.solve.solved_at == at
    standing = await play.after_commit(state, who, quest, outcome)
    assert standing is not None  # applied to the boards, not left to the reconciler


async def board(client: httpx.AsyncClient, scope: str) -> list[tuple[str, int]]:
    r = await client.get("/api/quests/expo/leaderboard", params={"scope": scope})
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == scope
    return [(e["player"]["handle"], e["score"]) for e in r.json()["entries"]]


EXPECTED = {
    "daily:2026-02-28": [],
    "daily:2026-03-01": [("ann", 100)],
    "daily:2026-03-02": [("bob", 100), ("ann", 80), ("cat", 80)],  # ann got there first
    "weekly:2026-W09": [("ann", 100)],
    "weekly:2026-W10": [("bob", 100), ("ann", 80), ("cat", 80)],
    "all": [("ann", 180), ("bob", 100), ("cat", 80)],
}


async def test_solves_count_for_the_day_and_week_of_hong_kong(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    state: AppState = app.state.tq
    ann, bob, cat = [await principal(app, await register(client, h)) for h in ("ann", "bob", "cat")]
    await solve_at(state, ann, quest["luhn"], 3, SUNDAY_2359)
    await solve_at(state, ann, quest["dna"], "T", MONDAY_0000_30)
    await solve_at(state, bob, quest["luhn"], 3, MONDAY_0001)
    await solve_at(state, cat, quest["dna"], "T", MONDAY_0759)
    live = {scope: await board(client, scope) for scope in EXPECTED}
    assert live == EXPECTED

    [found] = await board_sync.quests(state, "expo")
    await board_sync.rebuild(state, found)
    assert {scope: await board(client, scope) for scope in EXPECTED} == EXPECTED
