"""Quests and their tracks (challenges are in `challenges.models`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from kit.time import UTCDateTime, utcnow


class Quest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=200)
    timezone: str = Field(default="Asia/Hong_Kong", max_length=64)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: str = Field(default="open", max_length=16)  # draft|open|paused|closed
    frozen: bool = False
    frozen_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    document: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Track(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("quest_id", "slug"),)
    id: int | None = Field(default=None, primary_key=True)
    quest_id: int = Field(foreign_key="quest.id", index=True)
    slug: str = Field(max_length=64)
    title: str = Field(max_length=200)
    position: int = 0


class QuestRevision(SQLModel, table=True):
    """One change of a quest's content: who, when, what changed, and the whole document."""

    __tablename__ = "quest_revision"
    __table_args__ = (UniqueConstraint("quest_id", "n"),)
    id: int | None = Field(default=None, primary_key=True)
    quest_id: int = Field(foreign_key="quest.id", index=True)
    n: int  # 1, 2, 3… per quest
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    account_id: int | None = Field(default=None, foreign_key="account.id")
    by: str = Field(max_length=64)  # the staff handle, or "cli" / "demo"
    summary: str = Field(max_length=2000)
    changes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    document: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
