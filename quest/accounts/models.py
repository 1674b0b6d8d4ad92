"""Accounts and their bearer tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, false
from sqlmodel import Field, SQLModel

from kit.time import UTCDateTime, utcnow


class Account(SQLModel, table=True):
    """A player, staff member or recruiter."""

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=32)
    handle_key: str = Field(max_length=32, unique=True)  # lower-cased for uniqueness
    role: str = Field(default="player", max_length=16, index=True)
    password_hash: str
    email: str | None = Field(default=None, max_length=320)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    banned_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    erased_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # A rehearsal player (quest/rehearsal): on boards and in the funnel, never handed off.
    simulated: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class ApiToken(SQLModel, table=True):
    """A revocable bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
