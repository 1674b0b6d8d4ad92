"""A deterministic demo catalogue shaped like the HKSTP I&T Career Expo 2023."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs import demo_words as words
from jobs.models import Company, Job
from jobs.schemas import SECTOR_LABELS

POSTED_BEFORE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
INNOHK_SHARE = 540 / 2600
INNOPARK_SHARE = 130 / 2600


def _quota(rng: random.Random, total: int, shares: dict[str, float]) -> list[str]:
    """Exactly round(share * total) of each value (the last one takes the rest), shuffled."""
    values: list[str] = []
    keys = list(shares)
    for key in keys[:-1]:
        values += [key] * round(shares[key] * total)
    values += [keys[-1]] * (total - len(values))
    rng.shuffle(values)
    return values


def _companies(rng: random.Random, count: int) -> list[tuple[Company, str]]:
    """Companies with the programme their jobs belong to."""
    n_innohk = max(1, round(count * 27 / 260))
    n_innopark = max(1, round(count * 13 / 260))
    sectors = _quota(rng, count, words.SECTOR_WEIGHTS)
    topics = [(s, t) for s, ts in words.RESEARCH_TOPICS.items() for t in ts]
    rng.shuffle(topics)
    names = {
        sector: rng.sample(
            [f"{p} {s}" for p in words.NAME_PREFIXES for s in words.NAME_SUFFIXES[sector]],
            k=len(words.NAME_PREFIXES) * len(words.NAME_SUFFIXES[sector]),
        )
        for sector in words.SECTOR_WEIGHTS
    }
    made: list[tuple[Company, str]] = []
    for i, sector in enumerate(sectors):
        programme = (
            "innohk" if i < n_innohk else "innopark" if i < n_innohk + n_innopark else "none"
        )
        offices = ["hk", *rng.choice([[], [], ["gba"], ["gba"], ["overseas"], ["gba", "overseas"]])]
        if programme == "innohk":
            sector, topic = topics[i % len(topics)]
            suffix = f" {i // len(topics) + 1}" if i >= len(topics) else ""
            name = f"Centre for {topic}{suffix}"
            about = f"An InnoHK research centre working on {topic.lower()}."
        elif i < len(words.PARK_COMPANIES) + n_innohk + n_innopark and programme == "none":
            name, sector, about = words.PARK_COMPANIES[i - n_innohk - n_innopark]
        else:
            name = names[sector].pop()
            about = f"{name} {words.ABOUT[sector]}."
        company = Company(id=i + 1, name=name, sector=sector, description=about, offices=offices)
        made.append((company, programme))
    return made


def _title(rng: random.Random, company: Company, level: str, programme: str) -> str:
    sector = company.sector
    if programme == "innohk":
        topic = company.name.removeprefix("Centre for ")
        return f"{rng.choice(words.RESEARCH_TITLES)} in {topic}"
    base = rng.choice(words.TITLES[sector])
    if level == "entry":
        return rng.choice(["Graduate ", "Junior ", "", ""]) + base
    if level == "senior":
        return rng.choice(["Senior ", "Lead ", "Principal "]) + base
    return base


def _open_to(choice: str) -> list[str]:
    return {"all": ["hk", "gba", "overseas"], "gba": ["hk", "gba"], "hk": ["hk"]}[choice]


def generate(
    seed: int = 2026, *, companies: int = 260, jobs: int = 2600
) -> tuple[list[Company], list[Job]]:
    """The same companies and jobs for the same arguments (ids are 1-based positions)."""
    rng = random.Random(seed)
    made = _companies(rng, companies)
    by_programme = {p: [c for c, cp in made if cp == p] for p in ("innohk", "innopark", "none")}
    n_innohk, n_innopark = round(jobs * INNOHK_SHARE), round(jobs * INNOPARK_SHARE)
    owners: list[tuple[Company, str]] = []
    for programme, n in (
        ("innohk", n_innohk),
        ("innopark", n_innopark),
        ("none", jobs - n_innohk - n_innopark),
    ):
        pool = by_programme[programme]
        picks = pool + rng.choices(pool, k=n - len(pool)) if n >= len(pool) else pool[:n]
        owners += [(company, programme) for company in picks]
    levels = _quota(rng, jobs, {"senior": 0.10, "mid": 0.28, "entry": 0.62})
    reach = _quota(rng, jobs, {"hk": 0.10, "gba": 0.16, "all": 0.74})
    # Doctorates mostly for the research centres, then AI and biotech; masters next.
    order = sorted(
        range(jobs),
        key=lambda i: (
            owners[i][1] != "innohk",
            owners[i][0].sector not in ("ai-data", "biotech"),
            rng.random(),
        ),
    )
    n_phd, n_master, n_other = round(jobs * 0.10), round(jobs * 0.20), round(jobs * 0.08)
    degrees = ["bachelor"] * jobs
    for rank, i in enumerate(order):
        if rank < n_phd:
            degrees[i] = "phd"
        elif rank < n_phd + n_master:
            degrees[i] = "master"
    rest = [i for i in range(jobs) if degrees[i] == "bachelor"]
    for i in rng.sample(rest, n_other):
        degrees[i] = "other"
    result: list[Job] = []
    for i, (company, programme) in enumerate(owners):
        sector, level = company.sector, levels[i]
        title = _title(rng, company, level, programme)
        skills = rng.sample(words.SKILLS[sector], k=rng.randint(3, 6))
        posted = POSTED_BEFORE - timedelta(days=rng.randrange(45), minutes=rng.randrange(1440))
        employment = rng.choices(
            ["FULL_TIME", "INTERN", "CONTRACTOR", "PART_TIME"], weights=[84, 8, 6, 2]
        )[0]
        if level != "entry" and employment == "INTERN":
            employment = "FULL_TIME"
        open_to = _open_to(reach[i])
        description = (
            f"{company.name} is hiring a {title} to join its {SECTOR_LABELS[sector]} "
            f"team in Hong Kong. You will work with {', '.join(skills[:-1])} and {skills[-1]}. "
            + (
                "Open to talent from the Greater Bay Area and overseas. "
                if reach[i] == "all"
                else ""
            )
            + ("Part of the InnoHK research clusters. " if programme == "innohk" else "")
            + (
                "Based at an INNOPARK advanced manufacturing site. "
                if programme == "innopark"
                else ""
            )
        ).strip()
        result.append(
            Job(
                id=i + 1,
                title=title,
                description=description,
                hiring_organization_id=company.id or 0,
                sector=sector,
                level=level,
                degree=degrees[i],
                programme=programme,
                open_to=open_to,
                open_to_text="|" + "|".join(open_to) + "|",
                employment_type=employment,
                date_posted=posted,
                valid_through=posted + timedelta(days=60),
                skills=skills,
            )
        )
    return [c for c, _ in made], result


async def _company_ids(session: AsyncSession) -> dict[str, int]:
    rows = (await session.exec(select(Company.name, Company.id))).all()
    return {name: id_ for name, id_ in rows if id_ is not None}


async def insert_catalogue(
    *, session: AsyncSession, companies: list[Company], jobs: list[Job]
) -> int:
    """Bulk-insert generated companies (reusing any of the same name) and their jobs."""
    names = {c.id: c.name for c in companies}
    existing = await _company_ids(session)
    fresh = [c.model_dump(exclude={"id"}) for c in companies if c.name not in existing]
    if fresh:
        await session.exec(insert(Company), params=fresh)
        existing = await _company_ids(session)
    rows = []
    for job in jobs:
        row = job.model_dump(exclude={"id"})
        row["hiring_organization_id"] = existing[names[job.hiring_organization_id]]
        rows.append(row)
    await session.exec(insert(Job), params=rows)
    return len(rows)


async def load_demo(*, session: AsyncSession) -> int:
    """Load the demo catalogue unless jobs exist already; returns how many jobs were added."""
    if (await session.exec(select(func.count()).select_from(Job))).one():
        return 0
    companies, jobs = generate()
    return await insert_catalogue(session=session, companies=companies, jobs=jobs)
