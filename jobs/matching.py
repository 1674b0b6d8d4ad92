"""Ranking jobs for a jobseeker, in pure Python over an in-process copy of the catalogue."""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.models import Candidate, Company, Job
from jobs.responses import JobItem, JobMatch, JobMatches
from jobs.schemas import DEGREE_RANK, LEVEL_RANK, REGION_LABELS, SECTOR_LABELS

WEIGHTS = {"sector": 3.0, "level": 2.0, "step": 0.75, "degree": 1.5, "region": 1.5, "field": 1.0}
TOP = sum(w for k, w in WEIGHTS.items() if k != "step")
_WORD = re.compile(r"[a-z0-9+#]+")
_STOP = frozenset({"and", "of", "the", "in", "for", "with", "a", "an", "to", "studies", "science"})
# A field of study hints at skills whose names do not share its words.
FIELD_HINTS: dict[str, tuple[str, ...]] = {
    "computer": ("python", "software", "machine", "learning", "data", "cloud", "java"),
    "computing": ("python", "software", "machine", "learning", "data", "cloud"),
    "data": ("python", "sql", "statistics", "machine", "learning", "analytics"),
    "statistics": ("statistics", "data", "biostatistics", "r", "quantitative", "risk"),
    "mathematics": ("quantitative", "statistics", "modelling", "risk", "data"),
    "physics": ("optics", "signal", "sensors", "simulation", "quantitative"),
    "finance": ("quantitative", "risk", "payments", "finance", "aml/kyc", "trading"),
    "economics": ("quantitative", "risk", "finance", "analytics"),
    "biology": ("molecular", "biology", "genomics", "cell", "culture", "pcr", "microbiology"),
    "biochemistry": ("molecular", "pcr", "cell", "culture", "gmp"),
    "biomedical": ("clinical", "iso", "13485", "medical", "device", "biomedical"),
    "chemistry": ("gmp", "pcr", "process", "quality"),
    "electrical": ("embedded", "firmware", "pcb", "circuits", "rf", "fpga", "power"),
    "electronic": ("embedded", "firmware", "pcb", "circuits", "rf", "fpga", "verilog"),
    "mechanical": ("mechanical", "cad", "robotics", "control", "motion", "design"),
    "mechatronics": ("ros", "control", "embedded", "robotics", "motion"),
    "civil": ("bim", "gis", "transport", "urban", "energy"),
    "urban": ("gis", "transport", "urban", "mobility", "planning"),
    "geography": ("gis", "urban", "transport"),
}


def words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


@dataclass(frozen=True, slots=True)
class CatalogueJob:
    """What scoring needs of a job, tokenised once."""

    item: JobItem
    degree_rank: int
    level_rank: int
    date_posted: datetime
    open_to: frozenset[str]
    title_words: frozenset[str]
    skill_words: frozenset[str]
    skills: tuple[tuple[str, frozenset[str]], ...]


class JobCatalogue:
    """All jobs in memory; reloaded when the jobs table's (count, max id) changes."""

    def __init__(self) -> None:
        self._key: tuple[int, int] | None = None
        self._jobs: list[CatalogueJob] = []

    async def jobs(self, *, session: AsyncSession) -> list[CatalogueJob]:
        row = (await session.exec(select(func.count(col(Job.id)), func.max(Job.id)))).one()
        key = (int(row[0]), int(row[1] or 0))
        if key != self._key:
            stmt = select(Job, Company.name).join(
                Company, col(Job.hiring_organization_id) == col(Company.id)
            )
            rows = (await session.exec(stmt)).all()
            self._jobs = [_catalogue_job(job, name) for job, name in rows]
            self._key = key
        return self._jobs


def _catalogue_job(job: Job, company_name: str) -> CatalogueJob:
    return CatalogueJob(
        item=JobItem.of(job, company_name),
        degree_rank=DEGREE_RANK.get(job.degree, 0),
        level_rank=LEVEL_RANK.get(job.level, 0),
        date_posted=job.date_posted,
        open_to=frozenset(job.open_to),
        title_words=frozenset(words(job.title)),
        skill_words=frozenset(w for skill in job.skills for w in words(skill)),
        skills=tuple((skill, frozenset(words(skill))) for skill in job.skills),
    )


@dataclass(frozen=True, slots=True)
class Seeker:
    """The parts of a candidate that matching looks at."""

    sectors: frozenset[str]
    level_rank: int
    degree_rank: int
    regions: frozenset[str]
    field: str | None
    keywords: frozenset[str]

    @classmethod
    def of(cls, candidate: Candidate) -> Seeker:
        field_words = words(candidate.field_of_study or "")
        hints = {hint for w in field_words for hint in FIELD_HINTS.get(w, ())}
        return cls(
            sectors=frozenset(candidate.sectors),
            level_rank=LEVEL_RANK.get(candidate.experience_level, 0),
            degree_rank=DEGREE_RANK.get(candidate.education_level, 0),
            regions=frozenset(candidate.regions),
            field=candidate.field_of_study,
            keywords=frozenset(field_words | hints),
        )


def score(seeker: Seeker, job: CatalogueJob) -> tuple[float, list[str]]:
    """A 0–1 fit and the reasons, in the order they weigh."""
    points, why = 0.0, []
    item = job.item
    if item.sector in seeker.sectors:
        points += WEIGHTS["sector"]
        why.append(f"In your sector: {SECTOR_LABELS.get(item.sector, item.sector)}")
    if job.level_rank == seeker.level_rank:
        points += WEIGHTS["level"]
        why.append(f"{item.level.capitalize()} level, like you")
    elif job.level_rank == seeker.level_rank + 1:
        points += WEIGHTS["step"]
        why.append(f"{item.level.capitalize()} level: a step up")
    if job.degree_rank <= seeker.degree_rank:
        points += WEIGHTS["degree"]
        why.append(_degree_reason(item.degree))
    else:
        points -= WEIGHTS["degree"]
    shared = seeker.regions & job.open_to
    if shared:
        points += WEIGHTS["region"]
        best = next(r for r in ("overseas", "gba", "hk") if r in shared)
        why.append(
            "Based in Hong Kong, like you"
            if best == "hk"
            else f"Open to {REGION_LABELS[best]} talent"
        )
    else:
        points -= WEIGHTS["region"]
    if seeker.keywords:
        matched = [skill for skill, ws in job.skills if ws & seeker.keywords]
        if matched or job.title_words & seeker.keywords:
            points += WEIGHTS["field"] * (1.0 if matched else 0.5)
            tail = f": {', '.join(matched[:3])}" if matched else ""
            why.append(f"Uses your {seeker.field} background{tail}")
    return max(points, 0.0) / TOP, why


def points(seeker: Seeker, job: CatalogueJob) -> float:
    """The same fit as `score`, without the reasons: the hot path over every job."""
    total = WEIGHTS["sector"] if job.item.sector in seeker.sectors else 0.0
    if job.level_rank == seeker.level_rank:
        total += WEIGHTS["level"]
    elif job.level_rank == seeker.level_rank + 1:
        total += WEIGHTS["step"]
    total += WEIGHTS["degree"] if job.degree_rank <= seeker.degree_rank else -WEIGHTS["degree"]
    total += WEIGHTS["region"] if seeker.regions & job.open_to else -WEIGHTS["region"]
    if seeker.keywords:
        if job.skill_words & seeker.keywords:
            total += WEIGHTS["field"]
        elif job.title_words & seeker.keywords:
            total += WEIGHTS["field"] * 0.5
    return max(total, 0.0) / TOP


def _degree_reason(degree: str) -> str:
    return {
        "other": "No degree required",
        "bachelor": "Open to bachelor's graduates",
        "master": "Your degree meets the master's requirement",
        "phd": "Your PhD meets the requirement",
    }.get(degree, "Your degree meets the requirement")


def best_matches(
    seeker: Seeker, jobs: list[CatalogueJob], limit: int
) -> list[tuple[float, list[str], CatalogueJob]]:
    """The `limit` best jobs: highest score, then newest, then lowest id."""
    top = heapq.nlargest(
        limit,
        ((points(seeker, job), job.date_posted, -job.item.id, job) for job in jobs),
        key=lambda ranked: ranked[:3],
    )
    return [(round(fit, 4), score(seeker, job)[1], job) for fit, _, _, job in top]


async def job_matches(
    *, session: AsyncSession, catalogue: JobCatalogue, candidate: Candidate, limit: int
) -> JobMatches:
    """The jobs that fit this candidate best, each with the reasons (in English)."""
    jobs = await catalogue.jobs(session=session)
    ranked = best_matches(Seeker.of(candidate), jobs, limit)
    return JobMatches(
        items=[JobMatch(job=job.item, score=fit, why=why) for fit, why, job in ranked]
    )
