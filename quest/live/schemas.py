"""Request and response shapes of the live event."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints


class AnnouncementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quest: str
    text: Annotated[str, StringConstraints(min_length=1, max_length=280, strip_whitespace=True)]


class AnnouncementOut(BaseModel):
    quest: str
    text: str


class BoothCodeOut(BaseModel):
    """What a booth's screen shows now: the code, its remaining life, a link and its QR code."""

    booth: str
    code: str
    expires_in: float
    url: str
    qr_svg: str


class MinuteCount(BaseModel):
    minute: str  # the minute's start, ISO 8601
    count: int


class LiveStatusOut(BaseModel):
    """The staff console's live figures."""

    quest: str
    viewers: int
    submissions_per_minute: list[MinuteCount]
    status: str
    frozen: bool
