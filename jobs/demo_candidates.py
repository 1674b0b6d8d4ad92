"""Fictional candidates for the demo's recruiter pages (`talentquest demo`, living demo only).

The demo's simulated players never reach recruiters (simulated accounts send no handoff), so
a fresh demo would show recruiters an empty list. These candidates are made up: names from
a fixed list, `@example.com` addresses (a reserved domain), `demo-NNN` ids and negative
account ids, which no account of the game can have, so no player is ever matched to one.
They enter through `upsert`, the function the handoff receiver applies `candidate.converted`
with, so they look and behave like delivered candidates; erasing one works the same way.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.handoff import upsert
from jobs.models import Candidate
from jobs.schemas import CandidateProfile
from kit.time import utcnow

PREFIX = "demo-"
GIVEN = (
    "Ka Yan", "Chi Hung", "Wing Sze", "Tsz Ching", "Hoi Lam", "Ming Fai", "Pui Yee",
    "Jun Hao", "Xin Yi", "Zi Han", "Priya", "Arjun", "Sofia", "Lucas", "Amara", "Kenji",
)  # fmt: skip
FAMILY = (
    "Chan", "Wong", "Lee", "Cheung", "Lau", "Ng", "Ho", "Leung", "Tang", "Yip", "Lam",
    "Zhang", "Liu", "Sharma", "Rossi", "Tanaka", "Okafor", "Silva",
)  # fmt: skip
SECTORS = ("ai-data", "biotech", "fintech", "robotics", "electronics", "smart-city")
FIELDS = (
    "Computer Science", "Data Science", "Biomedical Engineering", "Electronic Engineering",
    "Finance", "Mechanical Engineering", "Statistics", "Physics", "Urban Planning",
)  # fmt: skip
TRACKS = ("ai-data", "biotech", "fintech", "robotics", "electronics", "smart-city")


def profiles(n: int, *, quest: str, seed: int = 2026) -> list[CandidateProfile]:
    """`n` made-up candidates, the same every time for the same seed."""
    rng = random.Random(seed)
    now = utcnow()
    out = []
    for i in range(1, n + 1):
        # The expo's mix: 65% bachelor's, 8% PhDs; 60% entry level, 25% mid.
        education = rng.choices(("bachelor", "master", "phd", "other"), (65, 22, 8, 5))[0]
        experience = rng.choices(("entry", "mid", "senior"), (60, 25, 15))[0]
        sectors = rng.sample(SECTORS, rng.randint(1, 3))
        regions = rng.sample(("hk", "gba", "overseas"), rng.randint(1, 3))
        percentile = round(rng.uniform(5, 99), 1)
        tracks = rng.sample(TRACKS, rng.choices((0, 1, 2), (50, 35, 15))[0])
        converted = now - timedelta(hours=rng.uniform(1, 24 * 14))
        profile = {
            "candidate_id": f"{PREFIX}{i:03d}",
            "account_id": -i,
            "full_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
            "email": f"{PREFIX}{i:03d}@example.com",
            "education_level": education,
            "field_of_study": rng.choice(FIELDS),
            "sectors": sectors,
            "experience_level": experience,
            "regions": regions,
            "consent": {
                "share_with_employers": True,
                "notice_version": "demo",
                "given_at": converted,
            },
            "assessment": {
                "quest": quest,
                "score": int(percentile * 12),
                "percentile": percentile,
                "badges": [f"track:{t}" for t in tracks],
                "tracks_completed": tracks,
            },
            "converted_at": converted,
        }
        out.append(CandidateProfile.model_validate(profile))
    return out


async def load_demo_candidates(*, session: AsyncSession, quest: str, n: int = 36) -> int:
    """Add the demo's made-up candidates unless they are there; returns how many were added."""
    have = (
        await session.exec(
            select(func.count())
            .select_from(Candidate)
            .where(col(Candidate.candidate_id).startswith(PREFIX))
        )
    ).one()
    if have:
        return 0
    for profile in profiles(n, quest=quest):
        await upsert(session=session, profile=profile, at=profile.converted_at)
    return n
