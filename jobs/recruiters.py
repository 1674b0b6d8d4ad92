"""The recruiter side: searching consenting candidates, profiles, shortlist, notes, audit.

Never commits. Only candidates with consent are ever shown. Each search, view, export and
shortlist listing writes its audit record here, in the same transaction, so the JSON API
(`jobs.recruiter_routes`) and the pages (`webui.pages.recruiters`) leave the same trail.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, true
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.errors import candidate_not_found
from jobs.models import (
    Candidate,
    Company,
    Interest,
    Job,
    RecruiterAudit,
    RecruiterNote,
    Shortlist,
)
from jobs.responses import (
    AuditEntry,
    AuditPage,
    CandidateItem,
    CandidatePage,
    CandidateProfileOut,
    InterestSeen,
    JobItem,
    NoteOut,
)
from jobs.schemas import EDUCATION_LEVELS, EXPERIENCE_LEVELS, REGIONS, SECTORS
from jobs.service import check_choice, insert_ignore, like_pattern
from kit.time import utcnow

Sort = Literal["score", "date"]
Action = Literal["view", "search", "export"]
SORTS: tuple[Sort, ...] = ("score", "date")
SHORTLIST_QUERY = "shortlist"  # the audit's `query` for a look at one's shortlist
CSV_COLUMNS = (
    "id", "full_name", "email", "phone", "education_level", "field_of_study", "sectors",
    "regions", "experience_level", "score", "percentile", "badges", "tracks_completed",
    "converted_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CandidateFilters:
    """What a recruiter searches by; a choice outside the vocabulary is 422 invalid_filter."""

    sector: str | None = None
    education_level: str | None = None
    experience_level: str | None = None
    region: str | None = None
    min_percentile: float | None = None
    q: str | None = None
    sort: Sort = "score"


def _where(filters: CandidateFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(Candidate.consent) == true()]
    if value := check_choice("sector", filters.sector, SECTORS):
        where.append(col(Candidate.sectors_text).like(f"%|{value}|%"))
    if value := check_choice("education_level", filters.education_level, EDUCATION_LEVELS):
        where.append(col(Candidate.education_level) == value)
    if value := check_choice("experience_level", filters.experience_level, EXPERIENCE_LEVELS):
        where.append(col(Candidate.experience_level) == value)
    if value := check_choice("region", filters.region, REGIONS):
        where.append(col(Candidate.regions_text).like(f"%|{value}|%"))
    if filters.min_percentile is not None:
        where.append(col(Candidate.percentile) >= filters.min_percentile)
    if filters.q and filters.q.strip():
        where.append(col(Candidate.search_text).like(like_pattern(filters.q.strip()), escape="\\"))
    return where


def _order(sort: Sort) -> tuple[ColumnElement[Any], ...]:
    if sort == "date":
        return (col(Candidate.converted_at).desc(), col(Candidate.id).desc())
    return (col(Candidate.score).desc(), col(Candidate.id).desc())


async def _matching(
    session: AsyncSession, filters: CandidateFilters, *, limit: int, offset: int
) -> tuple[int, list[Candidate]]:
    where = _where(filters)
    total = (await session.exec(select(func.count(col(Candidate.id))).where(*where))).one()
    stmt = (
        select(Candidate).where(*where).order_by(*_order(filters.sort)).limit(limit).offset(offset)
    )
    return total, list((await session.exec(stmt)).all())


def _audit(
    session: AsyncSession,
    *,
    recruiter_id: int,
    action: Action,
    candidate_id: str | None = None,
    query: str = "",
) -> None:
    session.add(
        RecruiterAudit(
            recruiter_id=recruiter_id, action=action, candidate_id=candidate_id, query=query
        )
    )


async def search(
    *,
    session: AsyncSession,
    recruiter_id: int,
    filters: CandidateFilters,
    limit: int,
    offset: int,
    query: str,
) -> CandidatePage:
    """One page of consenting candidates; audited as a `search` of `query` (as asked)."""
    total, rows = await _matching(session, filters, limit=limit, offset=offset)
    _audit(session, recruiter_id=recruiter_id, action="search", query=query)
    return CandidatePage(total=total, items=[CandidateItem.of(c) for c in rows])


async def export_csv(
    *, session: AsyncSession, recruiter_id: int, filters: CandidateFilters, limit: int, query: str
) -> str:
    """The search's first `limit` candidates as CSV; audited as an `export` of `query`."""
    _, rows = await _matching(session, filters, limit=limit, offset=0)
    _audit(session, recruiter_id=recruiter_id, action="export", query=query)
    return _to_csv(rows)


async def _consenting(*, session: AsyncSession, candidate_id: str) -> Candidate:
    stmt = select(Candidate).where(
        col(Candidate.candidate_id) == candidate_id, col(Candidate.consent) == true()
    )
    candidate = (await session.exec(stmt)).first()
    if candidate is None:
        raise candidate_not_found(candidate_id)
    return candidate


async def view(
    *, session: AsyncSession, recruiter_id: int, candidate_id: str
) -> CandidateProfileOut:
    """One candidate as this recruiter sees it (their own notes only); audited as a `view`."""
    candidate = await _consenting(session=session, candidate_id=candidate_id)
    interests = (
        await session.exec(
            select(Interest, Job, Company.name)
            .join(Job, col(Interest.job_id) == col(Job.id))
            .join(Company, col(Job.hiring_organization_id) == col(Company.id))
            .where(col(Interest.candidate_id) == candidate_id)
            .order_by(col(Interest.created_at).desc())
        )
    ).all()
    notes = (
        await session.exec(
            select(RecruiterNote)
            .where(
                col(RecruiterNote.recruiter_id) == recruiter_id,
                col(RecruiterNote.candidate_id) == candidate_id,
            )
            .order_by(col(RecruiterNote.created_at).desc(), col(RecruiterNote.id).desc())
        )
    ).all()
    shortlisted = await _shortlisted(session, recruiter_id, candidate_id)
    _audit(session, recruiter_id=recruiter_id, action="view", candidate_id=candidate_id)
    return CandidateProfileOut(
        **CandidateItem.of(candidate).model_dump(),
        email=candidate.email,
        phone=candidate.phone,
        links=list(candidate.links),
        field_of_study=candidate.field_of_study,
        quest=candidate.quest,
        interests=[
            InterestSeen(job=JobItem.of(job, name), created_at=interest.created_at)
            for interest, job, name in interests
        ],
        notes=[NoteOut(id=n.id or 0, text=n.text, created_at=n.created_at) for n in notes],
        shortlisted=shortlisted,
    )


async def _shortlisted(session: AsyncSession, recruiter_id: int, candidate_id: str) -> bool:
    stmt = select(Shortlist.id).where(
        col(Shortlist.recruiter_id) == recruiter_id, col(Shortlist.candidate_id) == candidate_id
    )
    return (await session.exec(stmt)).first() is not None


def _cell(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "|".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _to_csv(candidates: Sequence[Candidate]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in candidates:
        row = [c.candidate_id, *(getattr(c, name) for name in CSV_COLUMNS[1:-1])]
        writer.writerow([_cell(v) for v in row] + [c.converted_at.isoformat()])
    return out.getvalue()


async def shortlist(*, session: AsyncSession, recruiter_id: int, candidate_id: str) -> bool:
    """Add to this recruiter's shortlist; True if it was not there yet."""
    await _consenting(session=session, candidate_id=candidate_id)
    return await insert_ignore(
        session=session,
        model=Shortlist,
        values={"recruiter_id": recruiter_id, "candidate_id": candidate_id, "created_at": utcnow()},
        keys=["recruiter_id", "candidate_id"],
    )


async def unshortlist(*, session: AsyncSession, recruiter_id: int, candidate_id: str) -> None:
    await session.exec(
        delete(Shortlist).where(
            col(Shortlist.recruiter_id) == recruiter_id,
            col(Shortlist.candidate_id) == candidate_id,
        )
    )


async def shortlisted(*, session: AsyncSession, recruiter_id: int) -> CandidatePage:
    """This recruiter's shortlist, newest first; audited as a `search` of "shortlist"."""
    stmt = (
        select(Candidate)
        .join(Shortlist, col(Shortlist.candidate_id) == col(Candidate.candidate_id))
        .where(col(Shortlist.recruiter_id) == recruiter_id, col(Candidate.consent) == true())
        .order_by(col(Shortlist.created_at).desc(), col(Shortlist.id).desc())
    )
    rows = (await session.exec(stmt)).all()
    _audit(session, recruiter_id=recruiter_id, action="search", query=SHORTLIST_QUERY)
    return CandidatePage(total=len(rows), items=[CandidateItem.of(c) for c in rows])


async def add_note(
    *, session: AsyncSession, recruiter_id: int, candidate_id: str, text: str
) -> NoteOut:
    await _consenting(session=session, candidate_id=candidate_id)
    note = RecruiterNote(recruiter_id=recruiter_id, candidate_id=candidate_id, text=text)
    session.add(note)
    await session.flush()
    return NoteOut(id=note.id or 0, text=note.text, created_at=note.created_at)


async def audit_page(*, session: AsyncSession, limit: int, offset: int) -> AuditPage:
    """The audit trail, newest first (for staff)."""
    total = (await session.exec(select(func.count(col(RecruiterAudit.id))))).one()
    stmt = (
        select(RecruiterAudit)
        .order_by(col(RecruiterAudit.at).desc(), col(RecruiterAudit.id).desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.exec(stmt)).all()
    return AuditPage(
        total=total, items=[AuditEntry.model_validate(row, from_attributes=True) for row in rows]
    )
