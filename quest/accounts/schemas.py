"""Request and response shapes of accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints

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


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Handle
    password: Password
    role: Literal["staff", "recruiter"]


class AccountOut(BaseModel):
    """A staff or recruiter account just created."""

    id: int
    username: str
    role: str


class PlayerRow(BaseModel):
    """A player as the staff find them."""

    id: int
    handle: str
    created_at: datetime
    banned_at: datetime | None


class BanOut(BaseModel):
    id: int
    handle: str
    banned_at: datetime | None


class AttemptOut(BaseModel):
    """One of a player's attempts, for the staff."""

    challenge: str
    correct: bool
    answer: str
    submitted_at: datetime


class AttemptRow(AttemptOut):
    """An attempt with its challenge's title, for the console's pages."""

    challenge_title: str


class PlayerRecord(BaseModel):
    player: PlayerRow
    attempts: list[AttemptRow]
