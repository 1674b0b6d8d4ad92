"""Request shapes of the live event."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints


class AnnouncementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quest: str
    text: Annotated[str, StringConstraints(min_length=1, max_length=280, strip_whitespace=True)]
