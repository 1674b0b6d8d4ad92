"""The handoff's event schema (shared with the game) and the vocabularies it uses.

The game's outbox builds these models and sends `event.model_dump_json()` as a
Standard Webhooks v1 request; the receiver at `POST /api/jobs/handoff` parses them
with `HANDOFF_EVENT.validate_json(body)`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

Sector = Literal["ai-data", "biotech", "fintech", "robotics", "electronics", "smart-city"]
Region = Literal["hk", "gba", "overseas"]
ExperienceLevel = Literal["entry", "mid", "senior"]
EducationLevel = Literal["bachelor", "master", "phd", "other"]
Programme = Literal["innohk", "innopark", "none"]
EventType = Literal[
    "candidate.converted",
    "candidate.updated",
    "candidate.consent_withdrawn",
    "candidate.erased",
]

SECTORS: Final[tuple[str, ...]] = get_args(Sector)
REGIONS: Final[tuple[str, ...]] = get_args(Region)
EXPERIENCE_LEVELS: Final[tuple[str, ...]] = get_args(ExperienceLevel)
EDUCATION_LEVELS: Final[tuple[str, ...]] = get_args(EducationLevel)
PROGRAMMES: Final[tuple[str, ...]] = get_args(Programme)
EVENT_TYPES: Final[tuple[str, ...]] = get_args(EventType)

SECTOR_LABELS: Final[dict[str, str]] = {
    "ai-data": "AI & Data",
    "biotech": "Biotech",
    "fintech": "Fintech",
    "robotics": "Robotics",
    "electronics": "Electronics & Sensors",
    "smart-city": "Smart City",
}
REGION_LABELS: Final[dict[str, str]] = {"hk": "Hong Kong", "gba": "GBA", "overseas": "overseas"}
# "other" means no degree asked for (a job's minimum) or none held (a candidate).
DEGREE_RANK: Final[dict[str, int]] = {"other": 0, "bachelor": 1, "master": 2, "phd": 3}
LEVEL_RANK: Final[dict[str, int]] = {"entry": 0, "mid": 1, "senior": 2}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Consent(_Strict):
    share_with_employers: bool
    notice_version: str = Field(min_length=1, max_length=64)
    given_at: AwareDatetime


class Assessment(_Strict):
    """What the quest says about the jobseeker; percentile is 0–100 (higher is better)."""

    quest: str = Field(max_length=200)
    score: int
    percentile: float = Field(ge=0, le=100)
    badges: list[str] = Field(default_factory=list, max_length=200)
    tracks_completed: list[str] = Field(default_factory=list, max_length=200)


class CandidateProfile(_Strict):
    """`data` of candidate.converted and candidate.updated: the whole profile, every time."""

    candidate_id: str = Field(min_length=1, max_length=64)
    account_id: int
    full_name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    education_level: EducationLevel
    field_of_study: str | None = Field(default=None, max_length=200)
    sectors: list[Sector] = Field(max_length=len(SECTORS))
    experience_level: ExperienceLevel
    regions: list[Region] = Field(max_length=len(REGIONS))
    links: list[str] = Field(default_factory=list, max_length=20)
    consent: Consent
    assessment: Assessment
    converted_at: AwareDatetime


class CandidateRef(_Strict):
    """`data` of candidate.consent_withdrawn and candidate.erased."""

    candidate_id: str = Field(min_length=1, max_length=64)
    account_id: int


class CandidateConverted(_Strict):
    type: Literal["candidate.converted"] = "candidate.converted"
    timestamp: AwareDatetime
    data: CandidateProfile


class CandidateUpdated(_Strict):
    type: Literal["candidate.updated"] = "candidate.updated"
    timestamp: AwareDatetime
    data: CandidateProfile


class CandidateConsentWithdrawn(_Strict):
    type: Literal["candidate.consent_withdrawn"] = "candidate.consent_withdrawn"
    timestamp: AwareDatetime
    data: CandidateRef


class CandidateErased(_Strict):
    type: Literal["candidate.erased"] = "candidate.erased"
    timestamp: AwareDatetime
    data: CandidateRef


HandoffEvent = Annotated[
    CandidateConverted | CandidateUpdated | CandidateConsentWithdrawn | CandidateErased,
    Field(discriminator="type"),
]
HANDOFF_EVENT: Final[TypeAdapter[HandoffEvent]] = TypeAdapter(HandoffEvent)


class EventEnvelope(BaseModel):
    """Only the type, read first so that unknown future types are acknowledged, not failed."""

    model_config = ConfigDict(extra="ignore")
    type: str
    timestamp: datetime | None = None
