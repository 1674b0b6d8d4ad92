"""Board time windows and scopes (`leaderboard.windows`) in a quest's time zone.

Hong Kong is UTC+8 all year (no DST): its midnight is 16:00 UTC the day before. Weekly
keys are ISO weeks (Monday first, ISO week-numbering year) in the quest's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from leaderboard.errors import UnknownScope
from leaderboard.windows import day_key, resolve_scope, solve_scopes, week_key

HK = "Asia/Hong_Kong"
TRACKS = ["fintech", "biotech"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hk(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(HK))


# --- daily -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 3, 1, 0, 0), "2026-03-01"),  # 08:00 HK
        (utc(2026, 3, 1, 15, 59), "2026-03-01"),  # 23:59 HK
        (utc(2026, 3, 1, 15, 59, 59, 999_999), "2026-03-01"),
        (utc(2026, 3, 1, 16, 0), "2026-03-02"),  # 00:00 HK: a new day
        (utc(2026, 3, 1, 16, 1), "2026-03-02"),  # 00:01 HK
        (utc(2026, 2, 28, 23, 0), "2026-03-01"),  # 07:00 HK, still "yesterday" in UTC
        (hk(2026, 3, 1, 23, 59), "2026-03-01"),
        (hk(2026, 3, 2, 0, 1), "2026-03-02"),
        (datetime(2026, 3, 1, 11, 30, tzinfo=ZoneInfo("America/New_York")), "2026-03-02"),
    ],
)
def test_day_key_is_the_date_in_hong_kong(moment: datetime, expected: str) -> None:
    assert day_key(moment, HK) == expected


def test_solves_either_side_of_hong_kong_midnight_land_on_different_days() -> None:
    before = solve_scopes(track="fintech", solved_at=hk(2026, 3, 1, 23, 59), tz=HK)
    after = solve_scopes(track="fintech", solved_at=hk(2026, 3, 2, 0, 1), tz=HK)
    assert before[2] == "daily:2026-03-01"
    assert after[2] == "daily:2026-03-02"


def test_the_time_zone_decides_the_day() -> None:
    moment = utc(2026, 3, 1, 20, 0)
    assert day_key(moment, HK) == "2026-03-02"
    assert day_key(moment, "UTC") == "2026-03-01"
    assert day_key(moment, "America/Los_Angeles") == "2026-03-01"


# --- weekly ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (hk(2026, 3, 1, 23, 59, 59), "2026-W09"),  # Sunday night in HK
        (hk(2026, 3, 2, 0, 0), "2026-W10"),  # Monday 00:00 HK
        (utc(2026, 3, 1, 15, 59, 59), "2026-W09"),
        (utc(2026, 3, 1, 16, 0), "2026-W10"),  # Sunday in UTC, Monday in HK
        (utc(2026, 3, 8, 15, 59, 59), "2026-W10"),  # next Sunday 23:59:59 HK
        (utc(2026, 3, 8, 16, 0), "2026-W11"),
    ],
)
def test_week_key_rolls_over_at_monday_midnight_in_hong_kong(
    moment: datetime, expected: str
) -> None:
    assert week_key(moment, HK) == expected


@pytest.mark.parametrize(
    ("moment", "day", "week"),
    [
        (hk(2026, 12, 31, 12, 0), "2026-12-31", "2026-W53"),  # 2026 has 53 ISO weeks
        (utc(2026, 12, 31, 15, 59), "2026-12-31", "2026-W53"),
        (utc(2026, 12, 31, 16, 0), "2027-01-01", "2026-W53"),  # new year, same ISO week
        (hk(2027, 1, 1, 0, 1), "2027-01-01", "2026-W53"),
        (hk(2027, 1, 3, 23, 59), "2027-01-03", "2026-W53"),
        (utc(2027, 1, 3, 16, 0), "2027-01-04", "2027-W01"),  # Monday 00:00 HK
        (hk(2025, 12, 29, 0, 0), "2025-12-29", "2026-W01"),  # ISO year ahead of the date
        (hk(2025, 12, 28, 23, 59), "2025-12-28", "2025-W52"),
        (hk(2020, 12, 31, 12, 0), "2020-12-31", "2020-W53"),
        (hk(2021, 1, 3, 12, 0), "2021-01-03", "2020-W53"),
    ],
)
def test_year_boundary_uses_iso_weeks(moment: datetime, day: str, week: str) -> None:
    assert day_key(moment, HK) == day
    assert week_key(moment, HK) == week


# --- solve_scopes ------------------------------------------------------------------------


def test_solve_scopes_lists_every_board_all_first() -> None:
    solved_at = utc(2026, 12, 31, 16, 30)  # 2027-01-01 00:30 HK
    assert solve_scopes(track="biotech", solved_at=solved_at, tz=HK) == [
        "all",
        "track:biotech",
        "daily:2027-01-01",
        "weekly:2026-W53",
    ]


def test_solve_scopes_resolve_to_themselves() -> None:
    # Every scope a solve writes to must be readable back through resolve_scope.
    solved_at = utc(2026, 12, 31, 16, 30)
    for scope in solve_scopes(track="biotech", solved_at=solved_at, tz=HK):
        assert resolve_scope(scope, now=solved_at, tz=HK, tracks=TRACKS) == scope


# --- resolve_scope -----------------------------------------------------------------------

NOW = utc(2026, 3, 1, 16, 30)  # Monday 2026-03-02 00:30 in HK, still Sunday in UTC


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (None, "all"),
        ("", "all"),
        ("all", "all"),
        ("  all  ", "all"),
        ("daily", "daily:2026-03-02"),
        ("weekly", "weekly:2026-W10"),
        (" daily ", "daily:2026-03-02"),
        ("track:fintech", "track:fintech"),
        ("track:biotech", "track:biotech"),
        ("daily:2026-02-28", "daily:2026-02-28"),
        ("daily:2028-02-29", "daily:2028-02-29"),  # leap day
        ("weekly:2026-W01", "weekly:2026-W01"),
        ("weekly:2026-W53", "weekly:2026-W53"),
        ("weekly:2020-W53", "weekly:2020-W53"),
    ],
)
def test_resolve_scope(requested: str | None, expected: str) -> None:
    assert resolve_scope(requested, now=NOW, tz=HK, tracks=TRACKS) == expected


def test_resolve_scope_daily_and_weekly_across_the_new_year() -> None:
    now = utc(2026, 12, 31, 16, 0)  # 2027-01-01 00:00 HK
    assert resolve_scope("daily", now=now, tz=HK, tracks=TRACKS) == "daily:2027-01-01"
    assert resolve_scope("weekly", now=now, tz=HK, tracks=TRACKS) == "weekly:2026-W53"


@pytest.mark.parametrize(
    "requested",
    [
        "track:nope",  # no such track in the quest
        "track:",
        "track:Fintech",
        "track:fin tech",
        "daily:2026-02-30",
        "daily:2027-02-29",  # not a leap year
        "daily:2026-13-01",
        "daily:2026-2-3",
        "daily:20260301",
        "daily:2026-03-01T00:00",
        "weekly:2026-W00",
        "weekly:2026-W54",
        "weekly:2026-W9",
        "weekly:2026-w09",
        "weekly:2026W09",
        "Daily",
        "ALL",
        "monthly",
        "daily:",
        "weekly:",
        "fintech",
    ],
)
def test_invalid_scopes_raise_unknown_scope(requested: str) -> None:
    with pytest.raises(UnknownScope):
        resolve_scope(requested, now=NOW, tz=HK, tracks=TRACKS)


def test_unknown_scope_is_a_value_error() -> None:
    assert issubclass(UnknownScope, ValueError)


@pytest.mark.parametrize(
    "requested",
    [
        pytest.param(
            scope,
            marks=pytest.mark.xfail(
                strict=True,
                reason=f"{scope!r} is accepted: the week number is only checked "
                "against 1..53, not against the year's ISO week count",
            ),
        )
        for scope in ["weekly:2027-W53", "weekly:2025-W53", "weekly:2021-W53"]
    ],
)
def test_week_53_only_in_years_that_have_it(requested: str) -> None:
    with pytest.raises(UnknownScope):
        resolve_scope(requested, now=NOW, tz=HK, tracks=TRACKS)


@pytest.mark.xfail(
    strict=True,
    reason="'weekly:２０２６-W１０' (full-width digits, \\d is Unicode) is returned "
    "verbatim: a scope naming a board key that can never exist",
)
def test_full_width_week_is_rejected_or_canonical() -> None:
    try:
        resolved = resolve_scope("weekly:２０２６-W１０", now=NOW, tz=HK, tracks=TRACKS)
    except UnknownScope:
        return
    assert resolved == "weekly:2026-W10"
