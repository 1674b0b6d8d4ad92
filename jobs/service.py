"""Jobs and interests: listing, one posting, one-click interest. Never commits.

The JSON API (`jobs.router`) and the pages (`webui.pages.jobs`) call these same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.errors import JobsError, invalid_filter, job_not_found, not_a_jobseeker
from jobs.models import Candidate, Company, Interest, Job
from jobs.responses import HiringOrganization, JobDetail, JobItem, JobPage
from jobs.schemas import (
    DEGREE_RANK,
    EDUCATION_LEVELS,
    EXPERIENCE_LEVELS,
    PROGRAMMES,
    REGIONS,
    SECTORS,
)
from kit.time import utcnow


def check_choice(field: str, value: str | None, allowed: Sequence[str]) -> str | None:
    """The value if it is one of `allowed` (or empty: no filter), else 422 invalid_filter."""
    if value is None or value == "":
        return None
    if value not in allowed:
        raise invalid_filter(field, value, tuple(allowed))
    return value


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards escaped (use with escape="\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


async def insert_ignore(
    *, session: AsyncSession, model: type[SQLModel], values: dict[str, Any], keys: list[str]
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True if the row was new. Safe under concurrency."""
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        stmt = sqlite_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    else:  # pragma: no cover - the two databases we support are above
        raise NotImplementedError(dialect)
    result = await session.exec(stmt)
    return bool(result.rowcount == 1)


@dataclass(frozen=True, slots=True)
class JobFilters:
    """The job list's filters; `degree` keeps the jobs a holder of it qualifies for."""

    sector: str | None = None
    level: str | None = None
    degree: str | None = None
    region: str | None = None
    programme: str | None = None
    q: str | None = None


def check_filters(filters: JobFilters) -> None:
    """422 invalid_filter for an unknown choice, before any query."""
    _job_where(filters)


def _job_where(filters: JobFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses for the filters; an unknown choice is 422 invalid_filter."""
    where: list[ColumnElement[bool]] = []
    if value := check_choice("sector", filters.sector, SECTORS):
        where.append(col(Job.sector) == value)
    if value := check_choice("level", filters.level, EXPERIENCE_LEVELS):
        where.append(col(Job.level) == value)
    if value := check_choice("degree", filters.degree, EDUCATION_LEVELS):
        rank = DEGREE_RANK[value]
        where.append(col(Job.degree).in_([d for d, r in DEGREE_RANK.items() if r <= rank]))
    if value := check_choice("region", filters.region, REGIONS):
        where.append(col(Job.open_to_text).like(f"%|{value}|%"))
    if value := check_choice("programme", filters.programme, PROGRAMMES):
        where.append(col(Job.programme) == value)
    if filters.q and filters.q.strip():
        pattern = like_pattern(filters.q.strip())
        where.append(
            or_(
                func.lower(col(Job.title)).like(pattern, escape="\\"),
                func.lower(col(Job.description)).like(pattern, escape="\\"),
                func.lower(col(Company.name)).like(pattern, escape="\\"),
            )
        )
    return where


async def search_jobs(
    *, session: AsyncSession, filters: JobFilters, limit: int, offset: int
) -> JobPage:
    """One page of jobs (newest first) with their company names, and the total."""
    where = _job_where(filters)
    joined = and_(col(Job.hiring_organization_id) == col(Company.id))
    count = select(func.count()).select_from(Job).join(Company, joined).where(*where)
    total = (await session.exec(count)).one()
    page = (
        select(Job, Company.name)
        .join(Company, joined)
        .where(*where)
        .order_by(col(Job.date_posted).desc(), col(Job.id).desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.exec(page)).all()
    return JobPage(total=total, items=[JobItem.of(job, name) for job, name in rows])


async def job_detail(*, session: AsyncSession, job_id: int) -> JobDetail:
    """The whole posting and its employer; 404 job_not_found."""
    row = (
        await session.exec(
            select(Job, Company)
            .join(Company, col(Job.hiring_organization_id) == col(Company.id))
            .where(col(Job.id) == job_id)
        )
    ).first()
    if row is None:
        raise job_not_found(job_id)
    job, company = row
    return JobDetail(
        **JobItem.of(job, company.name).model_dump(),
        description=job.description,
        hiring_organization=HiringOrganization.of(company),
        employment_type=job.employment_type,
        date_posted=job.date_posted,
        valid_through=job.valid_through,
        skills=list(job.skills),
    )


async def jobseeker_for(*, session: AsyncSession, account_id: int) -> Candidate | None:
    """The candidate received for this account, if the handoff has brought one."""
    stmt = select(Candidate).where(col(Candidate.account_id) == account_id)
    return (await session.exec(stmt)).first()


async def require_jobseeker(*, session: AsyncSession, account_id: int) -> Candidate:
    """The caller's candidate record; 404 not_a_jobseeker if none has arrived."""
    candidate = await jobseeker_for(session=session, account_id=account_id)
    if candidate is None:
        raise not_a_jobseeker()
    return candidate


@dataclass(frozen=True, slots=True)
class Interested:
    created_at: datetime  # when the interest was first expressed
    created: bool  # whether this call expressed it


async def express_interest(*, session: AsyncSession, account_id: int, job_id: int) -> Interested:
    """One click: record the jobseeker's interest in a job, once."""
    candidate = await require_jobseeker(session=session, account_id=account_id)
    if not candidate.consent:
        raise JobsError(
            403,
            "consent_required",
            "Employers can only hear from you while you share your profile.",
        )
    await job_detail(session=session, job_id=job_id)
    created = await insert_ignore(
        session=session,
        model=Interest,
        values={"candidate_id": candidate.candidate_id, "job_id": job_id, "created_at": utcnow()},
        keys=["candidate_id", "job_id"],
    )
    stmt = select(Interest.created_at).where(
        col(Interest.candidate_id) == candidate.candidate_id, col(Interest.job_id) == job_id
    )
    return Interested(created_at=(await session.exec(stmt)).one(), created=created)


async def interested_job_ids(*, session: AsyncSession, candidate_id: str) -> set[int]:
    """The jobs this candidate has said they are interested in."""
    stmt = select(Interest.job_id).where(col(Interest.candidate_id) == candidate_id)
    return set((await session.exec(stmt)).all())
