"""Scoring policy (`challenges.scoring`): base + speed bonus + first-solve bonus - hint costs.

README: the speed bonus is `max x (1 - elapsed / window_s)`, rounded down, 0 after the
window; the first `count` solvers get `bonus`; points are never below 0.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from challenges.scoring import Award, award, first_solve_bonus, speed_bonus

OPENED = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
SPEED = {"max": 100, "window_s": 60}
FIRST = {"count": 3, "bonus": 30}


def after(seconds: float) -> datetime:
    return OPENED + timedelta(seconds=seconds)


# --- speed bonus -------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [None, {}])
def test_no_speed_rule_no_bonus(rule: dict[str, Any] | None) -> None:
    assert speed_bonus(rule, opened_at=OPENED, solved_at=OPENED) == 0


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (0, 100),  # at opening: the whole bonus
        (-5, 100),  # solved "before" opening (clock skew): capped at max, never above
        (-3600, 100),
        (0.5, 99),  # 99.17 rounded down
        (1, 98),  # 98.33 rounded down
        (30, 50),  # half way
        (45, 25),
        (59, 1),  # 1.67 rounded down
        (59.999, 0),
        (60, 0),  # at the window's end
        (61, 0),  # past the window: no negative bonus
        (86_400, 0),
    ],
)
def test_speed_bonus_decays_linearly(elapsed: float, expected: int) -> None:
    assert speed_bonus(SPEED, opened_at=OPENED, solved_at=after(elapsed)) == expected


def test_speed_bonus_compares_instants_across_time_zones() -> None:
    opened_hk = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Hong_Kong"))  # 01:00 UTC
    assert speed_bonus(SPEED, opened_at=opened_hk, solved_at=after(30)) == 50


@pytest.mark.parametrize(
    ("rule", "elapsed", "expected"),
    [
        pytest.param(
            rule,
            elapsed,
            expected,
            marks=pytest.mark.xfail(
                strict=True,
                reason="int(max * (1.0 - elapsed / window)) loses a point to float error "
                f"when the exact bonus is the integer {expected}",
            ),
        )
        for rule, elapsed, expected in [
            ({"max": 100, "window_s": 60}, 33, 45),  # 100 * 27/60 = 45 exactly; gives 44
            ({"max": 100, "window_s": 60}, 48, 20),  # gives 19
            ({"max": 10, "window_s": 10}, 9, 1),  # gives 0
            ({"max": 100, "window_s": 300}, 102, 66),  # gives 65
        ]
    ],
)
def test_speed_bonus_exact_integers_are_not_rounded_down_twice(
    rule: dict[str, int], elapsed: int, expected: int
) -> None:
    assert speed_bonus(rule, opened_at=OPENED, solved_at=after(elapsed)) == expected


# --- first-solve bonus ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ordinal", "expected"),
    [(1, 30), (2, 30), (3, 30), (4, 0), (1000, 0)],
)
def test_first_solvers_get_the_bonus(ordinal: int, expected: int) -> None:
    assert first_solve_bonus(FIRST, ordinal=ordinal) == expected


@pytest.mark.parametrize("rule", [None, {}])
def test_no_first_solve_rule_no_bonus(rule: dict[str, Any] | None) -> None:
    assert first_solve_bonus(rule, ordinal=1) == 0


# --- award -------------------------------------------------------------------------------


def test_award_base_only() -> None:
    got = award(base=80, scoring={}, opened_at=OPENED, solved_at=after(10), ordinal=1, hint_cost=0)
    assert got == Award(points=80, base=80, speed_bonus=0, first_bonus=0, hint_cost=0)


def test_award_adds_bonuses_and_subtracts_hints() -> None:
    got = award(
        base=80,
        scoring={"speed_bonus": SPEED, "first_solves": FIRST},
        opened_at=OPENED,
        solved_at=after(30),
        ordinal=2,
        hint_cost=25,
    )
    assert got == Award(
        points=80 + 50 + 30 - 25, base=80, speed_bonus=50, first_bonus=30, hint_cost=25
    )


def test_award_late_and_not_first() -> None:
    got = award(
        base=80,
        scoring={"speed_bonus": SPEED, "first_solves": FIRST},
        opened_at=OPENED,
        solved_at=after(600),
        ordinal=4,
        hint_cost=10,
    )
    assert got == Award(points=70, base=80, speed_bonus=0, first_bonus=0, hint_cost=10)


@pytest.mark.parametrize(
    ("base", "hint_cost", "expected"),
    [
        (50, 0, 50),
        (50, 10, 40),
        (50, 50, 0),  # exactly used up
        (50, 51, 0),  # floor at 0, never negative
        (50, 100_000, 0),
        (0, 10, 0),
    ],
)
def test_points_never_go_below_zero(base: int, hint_cost: int, expected: int) -> None:
    got = award(
        base=base, scoring={}, opened_at=OPENED, solved_at=after(1), ordinal=9, hint_cost=hint_cost
    )
    assert got.points == expected
    assert got.hint_cost == hint_cost  # the breakdown keeps the real cost


def test_bonuses_count_before_the_floor() -> None:
    got = award(
        base=10,
        scoring={"speed_bonus": SPEED, "first_solves": FIRST},
        opened_at=OPENED,
        solved_at=OPENED,
        ordinal=1,
        hint_cost=130,
    )
    assert got.points == 10  # 10 + 100 + 30 - 130
