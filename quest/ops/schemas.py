"""Response shapes of the operational endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Check = Literal["ok", "unreachable"]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    database: Check
    redis: Check
