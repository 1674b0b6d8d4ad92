"""Scoring policy: points = base + speed bonus + first-solve bonus - hint costs (never below 0)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Award:
    points: int
    base: int
    speed_bonus: int
    first_bonus: int
    hint_cost: int


def speed_bonus(rule: dict[str, Any] | None, *, opened_at: datetime, solved_at: datetime) -> int:
    """Linear decay from `max` at opening to 0 after `window_s` seconds."""
    if not rule:
        return 0
    elapsed = max(0.0, (solved_at - opened_at).total_seconds())
    window = float(rule["window_s"])
    if elapsed >= window:
        return 0
    return int(rule["max"] * (1.0 - elapsed / window))


def first_solve_bonus(rule: dict[str, Any] | None, *, ordinal: int) -> int:
    """The first `count` solvers (ordinal 1..count) get `bonus`."""
    if not rule or ordinal > int(rule["count"]):
        return 0
    return int(rule["bonus"])


def award(
    *,
    base: int,
    scoring: dict[str, Any],
    opened_at: datetime,
    solved_at: datetime,
    ordinal: int,
    hint_cost: int,
) -> Award:
    speed = speed_bonus(scoring.get("speed_bonus"), opened_at=opened_at, solved_at=solved_at)
    first = first_solve_bonus(scoring.get("first_solves"), ordinal=ordinal)
    points = max(0, base + speed + first - hint_cost)
    return Award(points, base, speed, first, hint_cost)
