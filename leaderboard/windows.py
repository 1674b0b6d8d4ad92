"""Time windows of boards in a quest's time zone, and the scopes a solve touches."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from leaderboard.errors import UnknownScope

_DAILY = re.compile(r"^daily:(\d{4}-\d{2}-\d{2})$")
_WEEKLY = re.compile(r"^weekly:(\d{4})-W(\d{2})$")
_TRACK = re.compile(r"^track:([a-z0-9][a-z0-9-]{0,63})$")


def day_key(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).date().isoformat()


def week_key(moment: datetime, tz: str) -> str:
    year, week, _ = moment.astimezone(ZoneInfo(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def solve_scopes(*, track: str, solved_at: datetime, tz: str) -> list[str]:
    """Every board a solve lands on; `all` first."""
    return [
        "all",
        f"track:{track}",
        f"daily:{day_key(solved_at, tz)}",
        f"weekly:{week_key(solved_at, tz)}",
    ]


def resolve_scope(scope: str | None, *, now: datetime, tz: str, tracks: list[str]) -> str:
    """Turn a requested scope into a concrete board scope, or raise UnknownScope."""
    scope = (scope or "all").strip()
    if scope == "all":
        return scope
    if scope == "daily":
        return f"daily:{day_key(now, tz)}"
    if scope == "weekly":
        return f"weekly:{week_key(now, tz)}"
    if m := _TRACK.match(scope):
        if m.group(1) not in tracks:
            raise UnknownScope(f"The quest has no track {m.group(1)!r}.")
        return scope
    if m := _DAILY.match(scope):
        try:
            date.fromisoformat(m.group(1))
        except ValueError as exc:
            raise UnknownScope(f"{m.group(1)!r} is not a date.") from exc
        return scope
    if m := _WEEKLY.match(scope):
        if not 1 <= int(m.group(2)) <= 53:
            raise UnknownScope(f"{scope!r} is not an ISO week.")
        return scope
    raise UnknownScope(
        "scope must be all, track:<slug>, daily, daily:<YYYY-MM-DD>, weekly or weekly:<YYYY-Www>."
    )
