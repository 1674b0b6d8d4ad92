"""The game summary a jobseeker carries: score, percentile, badges, tracks completed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from fastapi import FastAPI
from sqlmodel import col, select

from challenges.models import Solve
from quest.jobseekers.schemas import Assessment
from quest.jobseekers.summary import game_summary, longest_streak
from tests.support.app import auth, register
from tests.support.handoff import convert


async def solve(client: httpx.AsyncClient, token: str, cid: int, answer: object) -> None:
    r = await client.post(
        f"/api/challenges/{cid}/attempts", json={"answer": answer}, headers=auth(token)
    )
    assert r.status_code == 200 and r.json()["correct"], r.text


async def set_times(app: FastAPI, account_id: int, times: list[datetime]) -> None:
    async with app.state.tq.sessionmaker() as session, session.begin():
        rows = (
            await session.exec(
                select(Solve).where(Solve.account_id == account_id).order_by(col(Solve.id))
            )
        ).all()
        for row, at in zip(rows, times, strict=True):
            row.solved_at = at
            session.add(row)


async def summary(app: FastAPI, account_id: int) -> Assessment:
    state = app.state.tq
    async with state.readmaker() as session:
        return await game_summary(session=session, boards=state.boards, account_id=account_id)


async def test_badges_and_standing(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    alice = await register(client, "alice")
    bob = await register(client, "bob")
    carol = await register(client, "carol")
    for cid, answer in ((quest["dna"], "T"), (quest["later"], "crispr"), (quest["luhn"], 3)):
        await solve(client, alice, cid, answer)
    await solve(client, bob, quest["dna"], "thymine")
    ids = {}
    for name, token in (("alice", alice), ("bob", bob), ("carol", carol)):
        export = (await client.get("/api/me/export", headers=auth(token))).json()
        ids[name] = export["account"]["id"]
    # 23:30, 00:30 and 00:30 in Hong Kong: three days there, two in UTC
    await set_times(
        app,
        ids["alice"],
        [
            datetime(2026, 3, 1, 15, 30, tzinfo=UTC),
            datetime(2026, 3, 1, 16, 30, tzinfo=UTC),
            datetime(2026, 3, 2, 16, 30, tzinfo=UTC),
        ],
    )
    await set_times(app, ids["bob"], [datetime(2026, 3, 5, 12, 0, tzinfo=UTC)])

    top = await summary(app, ids["alice"])
    assert top == Assessment(
        quest="expo",
        score=240,
        percentile=100.0,
        badges=["first-solve", "streak:3", "track:biotech"],
        tracks_completed=["biotech"],
    )
    second = await summary(app, ids["bob"])
    assert (second.score, second.percentile, second.badges) == (80, 50.0, [])
    assert await summary(app, ids["carol"]) == Assessment(
        quest="", score=0, percentile=0.0, badges=[], tracks_completed=[]
    )
    # the conversion carries it to employers
    await convert(client, alice)
    mine = (await client.get("/api/me/jobseeker", headers=auth(alice))).json()
    assert mine["assessment"]["badges"] == ["first-solve", "streak:3", "track:biotech"]


def test_longest_streak() -> None:
    assert longest_streak(set()) == 0
    days = {date(2026, 3, d) for d in (1, 2, 3, 5, 6, 7, 8, 10)}
    assert longest_streak(days) == 4
    assert longest_streak({date(2026, 2, 28), date(2026, 3, 1)}) == 2
