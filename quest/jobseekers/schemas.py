"""Request and response shapes of the jobseeker conversion (vocabularies owned by jobs.schemas)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from jobs.schemas import EducationLevel, ExperienceLevel, Region, Sector
from quest.jobseekers.models import HandoffEvent

_PHONE = re.compile(r"\+[0-9][0-9 \-]*")


def _phone(value: str) -> str:
    value = value.strip()
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE.fullmatch(value) or not 8 <= digits <= 15:
        raise ValueError("a phone number starts with + and has 8 to 15 digits (spaces, dashes ok)")
    return value


def _url(value: str) -> str:
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError("not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("a link must be an http:// or https:// URL")
    if any(ch.isspace() for ch in value):
        raise ValueError("a link cannot contain spaces")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, Field(max_length=64), AfterValidator(_phone)]
Link = Annotated[str, Field(max_length=500), AfterValidator(_url)]
Study = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class ConsentIn(BaseModel):
    """The player's answer to the collection notice; only `true` converts."""

    model_config = ConfigDict(extra="forbid")
    share_with_employers: bool = False
    notice_version: str | None = Field(default=None, max_length=64)


class ConsentPatch(BaseModel):
    """A change of consent: `false` withdraws; `true` needs the current notice version."""

    model_config = ConfigDict(extra="forbid")
    share_with_employers: bool
    notice_version: str | None = Field(default=None, max_length=64)


class JobseekerIn(BaseModel):
    """`POST /api/me/jobseeker`. `consent` is checked by the service (422 consent_required)."""

    model_config = ConfigDict(extra="forbid")
    full_name: Name
    email: EmailStr = Field(max_length=320)
    phone: Phone | None = None
    education_level: EducationLevel
    field_of_study: Study | None = None
    sectors: list[Sector] = Field(min_length=1, max_length=6)
    experience_level: ExperienceLevel
    regions: list[Region] = Field(min_length=1, max_length=3)
    links: list[Link] = Field(default_factory=list, max_length=20)
    consent: ConsentIn | None = None


class JobseekerPatch(BaseModel):
    """`PATCH /api/me/jobseeker`: any subset; `consent.share_with_employers=false` withdraws."""

    model_config = ConfigDict(extra="forbid")
    full_name: Name | None = None
    email: EmailStr | None = Field(default=None, max_length=320)
    phone: Phone | None = None
    education_level: EducationLevel | None = None
    field_of_study: Study | None = None
    sectors: list[Sector] | None = Field(default=None, min_length=1, max_length=6)
    experience_level: ExperienceLevel | None = None
    regions: list[Region] | None = Field(default=None, min_length=1, max_length=3)
    links: list[Link] | None = Field(default=None, max_length=20)
    consent: ConsentPatch | None = None


class HandoffStatus(BaseModel):
    status: str  # pending|delivered|dead, of the latest event about this jobseeker


class ConvertedOut(BaseModel):
    jobseeker_id: str
    handoff: HandoffStatus


class Assessment(BaseModel):
    """The game summary: the player's main quest, standing there, badges, completed tracks."""

    quest: str
    score: int
    percentile: float
    badges: list[str]
    tracks_completed: list[str]


class ConsentOut(BaseModel):
    """The consent as last given."""

    share_with_employers: bool
    notice_version: str
    given_at: datetime


class ConsentEntry(BaseModel):
    """One consent decision, as the jobseeker's history records it."""

    share_with_employers: bool
    notice_version: str
    at: str  # ISO 8601, as recorded


class JobseekerOut(BaseModel):
    jobseeker_id: str
    full_name: str
    email: str
    phone: str | None
    education_level: str
    field_of_study: str | None
    sectors: list[str]
    experience_level: str
    regions: list[str]
    links: list[str]
    consent: ConsentOut
    consent_history: list[ConsentEntry]
    assessment: Assessment
    converted_at: datetime
    updated_at: datetime
    handoff: HandoffStatus


class Notice(BaseModel):
    """The personal information collection statement in one language."""

    version: str
    lang: str
    title: str
    purpose: str
    recipients: str
    required: str
    voluntary: str
    access_and_deletion: str
    retention: str
    required_fields: list[str]
    optional_fields: list[str]


class NoticeOut(BaseModel):
    """`GET /api/me/jobseeker/notice`: the statement in every language it is written in."""

    model_config = ConfigDict(populate_by_name=True)
    version: str
    en: Notice
    zh_hant: Notice = Field(alias="zh-Hant")


class HandoffItem(BaseModel):
    id: int
    webhook_id: str
    type: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, row: HandoffEvent) -> HandoffItem:
        assert row.id is not None
        return cls(
            id=row.id,
            webhook_id=row.webhook_id,
            type=row.type,
            status=row.status,
            attempts=row.attempts,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
            delivered_at=row.delivered_at,
            created_at=row.created_at,
        )


class HandoffPage(BaseModel):
    total: int
    items: list[HandoffItem]
    counts: dict[str, int]


@dataclass(frozen=True)
class ExportedEvent:
    """A handoff event about the caller, with the exact body that was (or will be) sent."""

    webhook_id: str
    type: str
    status: str
    created_at: datetime
    delivered_at: datetime | None
    payload: Any


@dataclass(frozen=True)
class DataExport:
    """`GET /api/me/export`: every row held on one account (the password hash excepted);
    rows of play carry their challenge's and quest's slugs."""

    generated_at: datetime
    account: dict[str, Any]
    attempts: list[dict[str, Any]]
    solves: list[dict[str, Any]]
    hint_unlocks: list[dict[str, Any]]
    progress: list[dict[str, Any]]
    jobseeker: dict[str, Any] | None
    consent_history: list[dict[str, Any]]
    handoff_events: list[ExportedEvent]
