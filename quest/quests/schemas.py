"""Request and response shapes of quests."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

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


class RevisionOut(BaseModel):
    """One change of a quest's content: its number, when, by whom, what changed."""

    n: int
    at: datetime
    by: str
    summary: str


class RevisionDetailOut(RevisionOut):
    changes: list[str]
    document: dict[str, Any]
    diff: str  # a unified diff of the YAML document against revision n - 1


class RestoredOut(BaseModel):
    quest: QuestOut
    revision: int | None  # the new revision; None when the quest already had that document


class AffectedOut(BaseModel):
    challenge: str
    solves: int
    change: Literal["points", "answer", "removed"]
    effect: str
