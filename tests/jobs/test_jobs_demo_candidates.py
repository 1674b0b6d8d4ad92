"""The demo's made-up candidates: in the recruiter search like delivered ones, idempotent, and
never matched to a player of the game."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.demo_candidates import load_demo_candidates, profiles

RECRUITER = {"X-Test-Account": "7:recruiter"}


def test_profiles_follow_the_expo_mix_and_use_no_real_identity() -> None:
    made = profiles(200, quest="Talent Quest 2026")
    again = profiles(200, quest="Talent Quest 2026")  # the same people every time
    assert [(p.full_name, p.sectors) for p in made] == [(p.full_name, p.sectors) for p in again]
    assert all(p.account_id < 0 for p in made)  # no account of the game has one
    assert all(p.email.endswith("@example.com") for p in made)
    assert all(p.consent.share_with_employers for p in made)
    bachelors = sum(p.education_level == "bachelor" for p in made) / len(made)
    entry = sum(p.experience_level == "entry" for p in made) / len(made)
    assert 0.5 < bachelors < 0.8 and 0.45 < entry < 0.75


async def test_demo_candidates_reach_the_recruiter_search_once(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as session, session.begin():
        assert await load_demo_candidates(session=session, quest="Talent Quest 2026", n=12) == 12
    async with sessionmaker() as session, session.begin():
        assert await load_demo_candidates(session=session, quest="Talent Quest 2026", n=12) == 0
    r = await client.get("/api/recruiter/candidates?limit=50", headers=RECRUITER)
    assert r.status_code == 200, r.text
    listed = r.json()
    assert listed["total"] == 12
    first = listed["items"][0]
    assert first["assessment"]["percentile"] >= listed["items"][-1]["assessment"]["percentile"]
    detail = await client.get(f"/api/recruiter/candidates/{first['id']}", headers=RECRUITER)
    assert detail.status_code == 200 and detail.json()["full_name"] == first["full_name"]
