"""Request and response shapes of the rehearsal's staff endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from quest.accounts.schemas import Handle


class SimulatedPlayerIn(BaseModel):
    handle: Handle
    password: str = Field(min_length=8, max_length=256)


class SimulatedOut(BaseModel):
    """How many simulated players (not erased) a quest has, or the whole service when `quest`
    is null."""

    quest: str | None
    players: int


class CleanOut(BaseModel):
    quest: str
    erased: int
    boards_rebuilt: int
