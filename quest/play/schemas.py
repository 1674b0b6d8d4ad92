"""Request and response shapes of playing: challenges, attempts, hints, check-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

PlayState = Literal["locked", "open", "solved", "exhausted", "closed"]


class ChallengeSummary(BaseModel):
    id: int
    slug: str
    track: str
    title: str
    kind: str
    points: int
    state: PlayState
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
    # A number must be finite: `NaN`, `Infinity` and `1e400` (which JSON reads as infinity)
    # are a malformed body (422), not a wrong answer.
    answer: str | int | Annotated[float, Field(allow_inf_nan=False)] | list[str] = Field(
        description="An option, a list of options, text or a number; 2,000 characters at most."
    )


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    correct: bool
    points_awarded: int
    score: int | None
    rank: int | None
    attempts_left: int | None


class CheckinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, StringConstraints(min_length=1, max_length=32)] = Field(
        description="The code on the booth's screen: 6 digits, or with the booth's number "
        "first as the screen shows it (`12-482913`; spaces and hyphens are ignored)."
    )
    booth: int | Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        default=None,
        description="The booth: its number (on its screen, in its QR code) or its name. "
        "Required unless the code carries the number.",
    )


class CheckinOut(BaseModel):
    booth: str
    points_awarded: int
    score: int | None
    rank: int | None
