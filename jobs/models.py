"""The job listing module's tables (all prefixed `jobs_`, all on SQLModel.metadata)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from kit.time import UTCDateTime, utcnow


def _when(*, index: bool = False, nullable: bool = False) -> Any:
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Company(SQLModel, table=True):
    """An employer (schema.org Organization)."""

    __tablename__ = "jobs_company"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    sector: str = Field(max_length=32, index=True)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    offices: list[str] = _json_list()


class Job(SQLModel, table=True):
    """A job opening, named after schema.org JobPosting where the names fit."""

    __tablename__ = "jobs_job"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    hiring_organization_id: int = Field(foreign_key="jobs_company.id", index=True)
    sector: str = Field(max_length=32, index=True)
    level: str = Field(max_length=16, index=True)
    degree: str = Field(max_length=16, index=True)  # minimum degree asked for
    programme: str = Field(default="none", max_length=16, index=True)
    open_to: list[str] = _json_list()
    open_to_text: str = Field(default="|", max_length=64)  # "|hk|gba|" for LIKE filters
    employment_type: str = Field(default="FULL_TIME", max_length=32)
    date_posted: datetime = _when(index=True)
    valid_through: datetime | None = _when(nullable=True)
    skills: list[str] = _json_list()


class Candidate(SQLModel, table=True):
    """A jobseeker received through the handoff; erasure deletes the row."""

    __tablename__ = "jobs_candidate"
    __table_args__ = (
        Index("ix_jobs_candidate_consent_score", "consent", "score"),
        Index("ix_jobs_candidate_consent_converted", "consent", "converted_at"),
        # Covers the filter columns so counting a filtered search never touches the rows.
        Index(
            "ix_jobs_candidate_filters",
            "consent",
            "sectors_text",
            "regions_text",
            "education_level",
            "experience_level",
            "percentile",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    candidate_id: str = Field(max_length=64, unique=True)
    account_id: int = Field(index=True)
    full_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    education_level: str = Field(max_length=16, index=True)
    field_of_study: str | None = Field(default=None, max_length=200)
    sectors: list[str] = _json_list()
    sectors_text: str = Field(default="|", max_length=128)  # "|fintech|biotech|"
    experience_level: str = Field(max_length=16, index=True)
    regions: list[str] = _json_list()
    regions_text: str = Field(default="|", max_length=64)
    links: list[str] = _json_list()
    consent: bool = Field(default=False)
    notice_version: str = Field(default="", max_length=64)
    consent_given_at: datetime | None = _when(nullable=True)
    quest: str = Field(default="", max_length=200)
    score: int = Field(default=0, index=True)
    percentile: float = Field(default=0.0, index=True)
    badges: list[str] = _json_list()
    tracks_completed: list[str] = _json_list()
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    converted_at: datetime = _when(index=True)
    event_at: datetime = _when()  # timestamp of the last event applied (older ones are dropped)
    received_at: datetime = _when()
    updated_at: datetime = _when()


class ErasedCandidate(SQLModel, table=True):
    """Tombstone of an erasure (no personal data) so a late, older event cannot revive it."""

    __tablename__ = "jobs_erased_candidate"
    candidate_id: str = Field(max_length=64, primary_key=True)
    erased_at: datetime = _when()


class Interest(SQLModel, table=True):
    """A jobseeker's one-click expression of interest in a job."""

    __tablename__ = "jobs_interest"
    __table_args__ = (UniqueConstraint("candidate_id", "job_id"),)
    id: int | None = Field(default=None, primary_key=True)
    candidate_id: str = Field(max_length=64, index=True)
    job_id: int = Field(foreign_key="jobs_job.id", index=True)
    created_at: datetime = _when()


class Shortlist(SQLModel, table=True):
    __tablename__ = "jobs_shortlist"
    __table_args__ = (UniqueConstraint("recruiter_id", "candidate_id"),)
    id: int | None = Field(default=None, primary_key=True)
    recruiter_id: int = Field(index=True)
    candidate_id: str = Field(max_length=64, index=True)
    created_at: datetime = _when()


class RecruiterNote(SQLModel, table=True):
    """A recruiter's private note on a candidate; other recruiters never see it."""

    __tablename__ = "jobs_recruiter_note"
    __table_args__ = (Index("ix_jobs_recruiter_note_owner", "recruiter_id", "candidate_id"),)
    id: int | None = Field(default=None, primary_key=True)
    recruiter_id: int
    candidate_id: str = Field(max_length=64, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _when()


class RecruiterAudit(SQLModel, table=True):
    """Who looked at which candidates: every view, search and export."""

    __tablename__ = "jobs_recruiter_audit"
    id: int | None = Field(default=None, primary_key=True)
    recruiter_id: int = Field(index=True)
    action: str = Field(max_length=16)  # view | search | export
    candidate_id: str | None = Field(default=None, max_length=64, index=True)
    query: str = Field(default="", sa_column=Column(Text, nullable=False))
    at: datetime = _when(index=True)


class ReceivedWebhook(SQLModel, table=True):
    """Each handoff `webhook-id` applied once."""

    __tablename__ = "jobs_received_webhook"
    id: int | None = Field(default=None, primary_key=True)
    webhook_id: str = Field(max_length=128, unique=True)
    type: str = Field(max_length=64)
    received_at: datetime = _when()


def jobs_tables() -> list[Table]:
    """This module's tables, in dependency order (for tests and tools that own only these)."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name.startswith("jobs_")]
