"""Request and response shapes of the game API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Handle = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{3,32}$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]


class PlayerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    handle: Handle
    password: Password
    email: EmailStr | None = None


class PlayerOut(BaseModel):
    id: int
    handle: str
    token: str


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    role: str


class TrackOut(BaseModel):
    slug: str
    title: str


class QuestOut(BaseModel):
    slug: str
    title: str
    status: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    frozen: bool
    tracks: list[TrackOut]


class QuestPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["draft", "open", "paused", "closed"] | None = None
    frozen: bool | None = None


class ChallengeSummary(BaseModel):
    id: int
    slug: str
    track: str
    title: str
    kind: str
    points: int
    state: Literal["locked", "open", "solved", "exhausted", "closed"]
    attempts_left: int | None


class HintOut(BaseModel):
    n: int
    cost: int
    unlocked: bool
    text: str | None = None


class ChallengeDetail(ChallengeSummary):
    quest: str
    prompt: str
    options: list[str] | None = None
    multiple: bool = False
    booth: str | None = None
    requires: list[str]
    hints: list[HintOut]
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class AttemptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: str | int | float | list[str] = Field(
        description="An option, a list of options, text or a number; 2,000 characters at most."
    )


class AttemptOut(BaseModel):
    correct: bool
    points_awarded: int
    score: int | None
    rank: int | None
    attempts_left: int | None


class CheckinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, StringConstraints(min_length=1, max_length=32)]


class CheckinOut(BaseModel):
    booth: str
    points_awarded: int
    score: int | None
    rank: int | None


class PlayerRef(BaseModel):
    id: int
    handle: str


class Entry(BaseModel):
    rank: int
    competition_rank: int
    player: PlayerRef
    score: int
    reached_at: datetime


class BoardOut(BaseModel):
    quest: str
    scope: str
    total: int
    frozen: bool
    generated_at: datetime
    entries: list[Entry]


class MeOut(BaseModel):
    quest: str
    scope: str
    rank: int | None
    competition_rank: int | None
    score: int
    percentile: float | None
    total: int
    neighbours: list[Entry]


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Handle
    password: Password
    role: Literal["staff", "recruiter"]


class AnnouncementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quest: str
    text: Annotated[str, StringConstraints(min_length=1, max_length=280, strip_whitespace=True)]


class ErrorOut(BaseModel):
    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None
