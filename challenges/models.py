"""Challenge, progress, attempt and solve tables: the record that boards are rebuilt from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from kit.time import UTCDateTime, utcnow


class Challenge(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("quest_id", "slug"),)
    id: int | None = Field(default=None, primary_key=True)
    quest_id: int = Field(foreign_key="quest.id", index=True)
    track: str = Field(max_length=64)
    slug: str = Field(max_length=64)
    title: str = Field(max_length=200)
    prompt: str
    kind: str = Field(max_length=16)  # choice|text|numeric|checkin
    points: int
    # The kind's answer spec (answer, options, tolerance, booth, secret): never sent out.
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    max_attempts: int | None = None
    requires: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    hints: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    scoring: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    opens_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    closes_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    position: int = 0
    retired: bool = False  # dropped from the document on re-import; solves are kept
    solve_count: int = 0  # ordinal source for first-solve bonuses


class Progress(SQLModel, table=True):
    """One row per player and challenge: the atomic attempt counter and solved mark."""

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", primary_key=True)
    attempts: int = 0
    solved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class Attempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    challenge_id: int = Field(foreign_key="challenge.id")
    correct: bool
    answer: str = Field(max_length=500)
    submitted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


Index("ix_attempt_account_challenge", Attempt.account_id, Attempt.challenge_id)  # type: ignore[arg-type]
Index("ix_attempt_submitted", Attempt.submitted_at)  # type: ignore[arg-type]


class Solve(SQLModel, table=True):
    """An awarded solve. The unique pair is what makes an award happen at most once."""

    __table_args__ = (UniqueConstraint("account_id", "challenge_id", name="uq_solve_once"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    challenge_id: int = Field(foreign_key="challenge.id")
    quest_id: int = Field(foreign_key="quest.id", index=True)
    track: str = Field(max_length=64)
    points: int
    base: int
    speed_bonus: int = 0
    first_bonus: int = 0
    hint_cost: int = 0
    solved_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


Index("ix_solve_quest_time", Solve.quest_id, Solve.solved_at)  # type: ignore[arg-type]
Index("ix_solve_account", Solve.account_id)  # type: ignore[arg-type]


class HintUnlock(SQLModel, table=True):
    __tablename__ = "hint_unlock"
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", primary_key=True)
    n: int = Field(primary_key=True)
    cost: int
    unlocked_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class IdempotentResponse(SQLModel, table=True):
    """The stored answer to an attempt sent with an Idempotency-Key."""

    __tablename__ = "idempotent_response"
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    key: str = Field(max_length=255, primary_key=True)
    challenge_id: int
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    complete: bool = False
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
