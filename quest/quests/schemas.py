"""Request and response shapes of quests."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


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


class FunnelOut(BaseModel):
    """The contract's funnel: players, active ones, track completers, jobseekers."""

    players: int
    active: int
    completed: int
    jobseekers: int
    conversion_rate: float
