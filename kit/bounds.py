"""Bounds for every integer a client can put in a path or a query string.

An integer that reaches SQL must fit the column: ids are 32-bit `INTEGER` on PostgreSQL
(2**31 raises there) and 64-bit on SQLite (2**63 raises there). Checked here, at the edge,
an out-of-range value is a 422 `invalid_request` like any other bad input (an HTML page
shows its 404), instead of a driver error and a 500.

Routers declare their integer parameters with these types, never a bare `int`:

    async def get_job(job_id: Id, ...)
    async def list_jobs(limit: PageLimit = 20, offset: Offset = 0, ...)
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Path, Query

SQL_INT_MAX: Final = 2**31 - 1
"""The largest id: PostgreSQL's INTEGER (the narrowest of the databases we run on)."""

MAX_OFFSET: Final = 10_000_000
"""Past any list we hold (boards, jobs, candidates, audit rows), and cheap to refuse."""

Id = Annotated[int, Path(ge=1, le=SQL_INT_MAX, description="A row id (1 to 2147483647).")]
"""A row id in a path: challenges, jobs, players, handoff events."""

Index = Annotated[
    int, Path(ge=0, le=SQL_INT_MAX, description="A 0-based position (0 to 2147483647).")
]
"""A 0-based position in a path, e.g. a challenge's hint n."""

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip (0 to 10,000,000).")]

# Page sizes: one per kind of list, each the largest a client legitimately asks for.
PageLimit = Annotated[int, Query(ge=1, le=100, description="Page size (1 to 100).")]
"""Public and recruiter lists: jobs, candidates."""

MatchLimit = Annotated[int, Query(ge=1, le=50, description="How many (1 to 50).")]
"""Ranked suggestions: a jobseeker's job matches."""

AdminLimit = Annotated[int, Query(ge=1, le=500, description="Page size (1 to 500).")]
"""Staff lists: players, handoff events, the recruiter audit trail."""

BoardLimit = Annotated[int, Query(ge=1, le=1000, description="Entries (1 to 1000).")]
"""Leaderboard pages (the contract says 1 to 1000)."""

ExportLimit = Annotated[int, Query(ge=1, le=10_000, description="Rows (1 to 10,000).")]
"""CSV exports."""

Around = Annotated[int, Query(ge=0, le=50, description="Neighbours each side (0 to 50).")]
"""Neighbours on each side of the caller on a board."""


def int_in(raw: str | None, *, low: int, high: int, default: int) -> int:
    """A forgiving reading of an integer typed by hand (a kiosk's `?limit=`, a `?page=`):
    ASCII digits within [low, high], else `default`. Never raises: `str.isdigit` also
    accepts "²", which `int` refuses, and `int` refuses strings past 4,300 digits."""
    text = raw or ""
    if not (0 < len(text) <= len(str(high)) and text.isascii() and text.isdigit()):
        return default
    value = int(text)
    return value if low <= value <= high else default
