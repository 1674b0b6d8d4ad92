"""The challenge part of a quest document, validated with field paths."""

from __future__ import annotations

import base64
import math
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from leaderboard.keys import MAX_POINTS, TICK_MS, TICK_SPAN

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
            elif not math.isfinite(self.answer):
                errors.append(("answer", "the answer must be a finite number"))
        if self.tolerance is not None and not math.isfinite(self.tolerance):
            errors.append(("tolerance", "the tolerance must be a finite number"))
        elif self.kind == "checkin":
            if not self.booth:
                errors.append(("booth", "a checkin challenge needs a booth slug"))
            if self.secret:  # left out: the quest import generates one (shown to staff only)
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


# Ties rank by time for this long after `starts_at` (the time bits of a board score).
HORIZON = timedelta(milliseconds=TICK_MS * TICK_SPAN)
HORIZON_MESSAGE = (
    f"ends_at may be at most {HORIZON.days:,} days ({HORIZON.days / 365.25:.1f} years) "
    "after starts_at: boards rank equal scores by time only that long"
)


def max_score(challenges: list[ChallengeDoc]) -> int:
    """The most one player could score: every challenge with its full speed and first-solve
    bonus (hint costs only subtract, and a solve never scores below 0)."""
    total = 0
    for ch in challenges:
        speed = ch.scoring.speed_bonus.max if ch.scoring.speed_bonus else 0
        first = ch.scoring.first_solves.bonus if ch.scoring.first_solves else 0
        total += ch.points + speed + first
    return total


def score_problems(challenges: list[ChallengeDoc]) -> list[tuple[str, str]]:
    """(path, message) when the document could score more than a board holds exactly."""
    most = max_score(challenges)
    if most <= MAX_POINTS:
        return []
    return [
        (
            "challenges",
            f"a player could score {most:,} points (points + speed bonus max + first-solve "
            f"bonus over all challenges), above the largest supported score {MAX_POINTS:,}",
        )
    ]


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
        # Compiled as the answer check runs it (`regex` module, case-insensitive); the match
        # itself is bounded in time (challenges/kinds.py REGEX_TIMEOUT_S).
        try:
            regex.compile(answer.regex, flags=regex.IGNORECASE)
        except (regex.error, OverflowError, RecursionError, ValueError) as exc:
            return [("answer.regex", f"not a valid regular expression: {exc}")]
        return []
    if isinstance(answer, str) and answer.strip():
        return []
    if isinstance(answer, list) and answer and all(a.strip() for a in answer):
        return []
    return [("answer", "a text challenge needs a string, a list of strings or {regex: ...}")]
