"""Jobseekers and the handoff outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from kit.time import UTCDateTime, utcnow


class Jobseeker(SQLModel, table=True):
    """A player who chose to become a jobseeker; `candidate_id` is the id employers see."""

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", unique=True)
    full_name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    education_level: str = Field(max_length=16)
    field_of_study: str | None = Field(default=None, max_length=200)
    sectors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    experience_level: str = Field(max_length=16)
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    links: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    consent: bool = False  # share_with_employers, as last given
    notice_version: str = Field(max_length=64)
    consent_given_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Every consent decision: [{share_with_employers, notice_version, at}], oldest first.
    consent_history: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    assessment: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    converted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class HandoffEvent(SQLModel, table=True):
    """The transactional outbox: one row per event, written with the change it describes."""

    __tablename__ = "handoff_event"
    __table_args__ = (
        Index("ix_handoff_due", "status", "next_attempt_at"),
        Index("ix_handoff_candidate", "candidate_id", "status", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    webhook_id: str = Field(max_length=64, unique=True)  # the same on every retry
    type: str = Field(max_length=64)
    account_id: int = Field(index=True)  # no foreign key: the record outlives erasure
    candidate_id: str = Field(max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # the exact JSON body sent
    status: str = Field(default="pending", max_length=16)  # pending|delivered|dead
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    retry_until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    delivered_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
