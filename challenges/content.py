"""The challenge part of a quest document, validated with field paths."""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class Hint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    cost: int = Field(ge=0, le=100_000)


class SpeedBonus(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max: int = Field(ge=0, le=100_000)
    window_s: int = Field(gt=0)


class FirstSolves(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(ge=1, le=1000)
    bonus: int = Field(ge=0, le=100_000)


class Scoring(BaseModel):
    model_config = ConfigDict(extra="forbid")
    speed_bonus: SpeedBonus | None = None
    first_solves: FirstSolves | None = None


class RegexAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    regex: str = Field(min_length=1, max_length=500)


class ChallengeDoc(BaseModel):
    """One challenge as written in a quest file."""

    model_config = ConfigDict(extra="forbid")
    slug: Slug
    track: Slug
    title: str = Field(min_length=1, max_length=200)
    prompt: str = Field(min_length=1, max_length=10_000)
    kind: Literal["choice", "text", "numeric", "checkin"]
    points: int = Field(ge=0, le=100_000)
    options: list[str] | None = None
    answer: str | float | int | list[str] | RegexAnswer | None = None
    tolerance: float | None = Field(default=None, ge=0)
    booth: Slug | None = None
    secret: str | None = Field(default=None, min_length=16, max_length=128)
    max_attempts: int | None = Field(default=None, ge=1, le=1000)
    requires: list[Slug] = Field(default_factory=list)
    hints: list[Hint] = Field(default_factory=list)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    scoring: Scoring = Field(default_factory=Scoring)

    def problems(self) -> list[tuple[str, str]]:
        """Kind-specific errors as (path relative to this challenge, message)."""
        errors: list[tuple[str, str]] = []
        if self.kind == "choice":
            errors += _check_choice(self.options, self.answer)
        elif self.kind == "text":
            errors += _check_text(self.answer)
        elif self.kind == "numeric":
            if isinstance(self.answer, bool) or not isinstance(self.answer, int | float):
                errors.append(("answer", "a numeric challenge needs a number as answer"))
        elif self.kind == "checkin":
            if not self.booth:
                errors.append(("booth", "a checkin challenge needs a booth slug"))
            if not self.secret:
                errors.append(("secret", "a checkin challenge needs a secret (16+ characters)"))
            else:
                try:
                    base64.b32decode(self.secret.upper() + "=" * (-len(self.secret) % 8))
                except ValueError:
                    errors.append(("secret", "the secret must be base32 (A-Z, 2-7)"))
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors.append(("closes_at", "closes_at must be after opens_at"))
        return errors

    def spec(self) -> dict[str, Any]:
        """The private answer spec stored with the challenge."""
        answer: Any = (
            self.answer.model_dump() if isinstance(self.answer, RegexAnswer) else self.answer
        )
        spec: dict[str, Any] = {"answer": answer}
        if self.options is not None:
            spec["options"] = self.options
        if self.tolerance is not None:
            spec["tolerance"] = self.tolerance
        if self.kind == "checkin":
            spec = {"booth": self.booth, "secret": self.secret}
        return spec


def _check_choice(options: list[str] | None, answer: Any) -> list[tuple[str, str]]:
    if not options or len(options) < 2:
        return [("options", "a choice challenge needs at least two options")]
    errors: list[tuple[str, str]] = []
    if len({o.strip().casefold() for o in options}) != len(options):
        errors.append(("options", "options must be distinct"))
    picks = answer if isinstance(answer, list) else [answer]
    if answer is None or not picks:
        errors.append(("answer", "a choice challenge needs an answer from its options"))
    for pick in picks:
        if not isinstance(pick, str) or pick not in options:
            errors.append(("answer", f"{pick!r} is not one of the options"))
    return errors


def _check_text(answer: Any) -> list[tuple[str, str]]:
    if isinstance(answer, RegexAnswer):
        try:
            re.compile(answer.regex)
        except re.error as exc:
            return [("answer.regex", f"not a valid regular expression: {exc}")]
        return []
    if isinstance(answer, str) and answer.strip():
        return []
    if isinstance(answer, list) and answer and all(a.strip() for a in answer):
        return []
    return [("answer", "a text challenge needs a string, a list of strings or {regex: ...}")]
