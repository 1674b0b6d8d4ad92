"""Response shapes of the leaderboards."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class PlayerRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    handle: str


class Entry(BaseModel):
    model_config = ConfigDict(from_attributes=True)
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


class ArchiveSummary(BaseModel):
    scope: str
    archived_at: datetime
    entries: int


class ArchiveOut(BaseModel):
    quest: str
    scope: str
    archived_at: datetime
    entries: list[Entry]


class RebuildOut(BaseModel):
    quest: str
    boards: int
