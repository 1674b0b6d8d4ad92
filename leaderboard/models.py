"""Archived standings of closed daily and weekly windows (SQL keeps them for good)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from kit.time import UTCDateTime, utcnow


class BoardArchive(SQLModel, table=True):
    __tablename__ = "board_archive"
    __table_args__ = (UniqueConstraint("quest_id", "scope"),)
    id: int | None = Field(default=None, primary_key=True)
    quest_id: int = Field(foreign_key="quest.id", index=True)
    scope: str = Field(max_length=64)  # e.g. daily:2026-11-23, weekly:2026-W48
    entries: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    archived_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
