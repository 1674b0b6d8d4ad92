"""Request and response shapes of accounts."""

from __future__ import annotations

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
