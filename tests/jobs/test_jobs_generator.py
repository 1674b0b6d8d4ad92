"""The demo catalogue: the expo's mix, deterministic, loaded once and fast."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.generator import generate, load_demo
from jobs.models import Company, Job
from jobs.schemas import SECTORS


def test_mix_matches_the_expo() -> None:
    companies, jobs = generate()
    n = len(jobs)
    assert (len(companies), n) == (260, 2600)
    assert len({c.name for c in companies}) == 260
    both = sum(1 for j in jobs if {"gba", "overseas"} <= set(j.open_to))
    assert both / n >= 0.70
    levels = Counter(j.level for j in jobs)
    assert levels["entry"] / n >= 0.60
    assert levels["mid"] / n >= 0.25
    assert set(levels) == {"entry", "mid", "senior"}
    degrees = Counter(j.degree for j in jobs)
    assert (degrees["bachelor"] + degrees["other"]) / n >= 0.65
    assert degrees["phd"] / n >= 0.08
    programmes = Counter(j.programme for j in jobs)
    assert abs(programmes["innohk"] - 540) <= 10
    assert abs(programmes["innopark"] - 130) <= 5
    assert {j.sector for j in jobs} == set(SECTORS)
    titles = {j.title for j in jobs}
    for expected in ("Machine Learning Engineer", "Quantitative Developer"):
        assert any(expected in t for t in titles)
    assert {"Aeroism", "Breer"} <= {c.name for c in companies}
    ids = {c.id for c in companies}
    assert all(j.hiring_organization_id in ids for j in jobs)


def test_generate_is_deterministic() -> None:
    first, second = generate(), generate()
    assert [c.model_dump() for c in first[0]] == [c.model_dump() for c in second[0]]
    assert [j.model_dump() for j in first[1]] == [j.model_dump() for j in second[1]]
    assert [j.model_dump() for j in generate(7)[1]] != [j.model_dump() for j in first[1]]


async def test_load_demo_is_fast_and_idempotent(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    started = time.perf_counter()
    async with sessionmaker() as session, session.begin():
        assert await load_demo(session=session) == 2600
    assert time.perf_counter() - started < 2.0
    async with sessionmaker() as session, session.begin():
        assert await load_demo(session=session) == 0
    async with sessionmaker() as session:
        assert (await session.exec(select(func.count()).select_from(Job))).one() == 2600
        assert (await session.exec(select(func.count()).select_from(Company))).one() == 260
        job = (await session.exec(select(Job).limit(1))).one()
        assert job.date_posted.tzinfo is not None
