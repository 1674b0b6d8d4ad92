"""Request and response shapes of the job listing HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from jobs.models import Candidate, Company, Job


class JobItem(BaseModel):
    id: int
    title: str
    company: str
    sector: str
    level: str
    degree: str
    programme: str
    open_to: list[str]

    @classmethod
    def of(cls, job: Job, company_name: str) -> JobItem:
        assert job.id is not None
        return cls(
            id=job.id,
            title=job.title,
            company=company_name,
            sector=job.sector,
            level=job.level,
            degree=job.degree,
            programme=job.programme,
            open_to=list(job.open_to),
        )


class JobPage(BaseModel):
    total: int
    items: list[JobItem]


class HiringOrganization(BaseModel):
    id: int
    name: str
    sector: str
    description: str
    offices: list[str]

    @classmethod
    def of(cls, company: Company) -> HiringOrganization:
        assert company.id is not None
        return cls(
            id=company.id,
            name=company.name,
            sector=company.sector,
            description=company.description,
            offices=list(company.offices),
        )


class JobDetail(JobItem):
    """The full posting (schema.org JobPosting names where they fit)."""

    description: str
    hiring_organization: HiringOrganization
    employment_type: str
    date_posted: datetime
    valid_through: datetime | None
    skills: list[str]


class JobMatch(BaseModel):
    job: JobItem
    score: float
    why: list[str]


class JobMatches(BaseModel):
    items: list[JobMatch]


class InterestOut(BaseModel):
    job_id: int
    created_at: datetime


class HandoffAck(BaseModel):
    status: Literal["applied", "duplicate", "ignored"]


class AssessmentOut(BaseModel):
    score: int
    percentile: float
    badges: list[str]
    tracks_completed: list[str]


class CandidateItem(BaseModel):
    id: str
    full_name: str
    education_level: str
    sectors: list[str]
    regions: list[str]
    experience_level: str
    assessment: AssessmentOut
    converted_at: datetime

    @classmethod
    def of(cls, candidate: Candidate) -> CandidateItem:
        return cls(
            id=candidate.candidate_id,
            full_name=candidate.full_name,
            education_level=candidate.education_level,
            sectors=list(candidate.sectors),
            regions=list(candidate.regions),
            experience_level=candidate.experience_level,
            assessment=AssessmentOut(
                score=candidate.score,
                percentile=candidate.percentile,
                badges=list(candidate.badges),
                tracks_completed=list(candidate.tracks_completed),
            ),
            converted_at=candidate.converted_at,
        )


class CandidatePage(BaseModel):
    total: int
    items: list[CandidateItem]


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class NoteOut(BaseModel):
    id: int
    text: str
    created_at: datetime


class InterestSeen(BaseModel):
    job: JobItem
    created_at: datetime


class CandidateProfileOut(CandidateItem):
    """What a recruiter sees on one candidate: contact details, interests, own notes."""

    email: str
    phone: str | None
    links: list[str]
    field_of_study: str | None
    quest: str
    interests: list[InterestSeen]
    notes: list[NoteOut]
    shortlisted: bool


class ShortlistOut(BaseModel):
    candidate_id: str
    shortlisted: bool


class AuditEntry(BaseModel):
    id: int
    recruiter_id: int
    action: str
    candidate_id: str | None
    query: str
    at: datetime


class AuditPage(BaseModel):
    total: int
    items: list[AuditEntry]
