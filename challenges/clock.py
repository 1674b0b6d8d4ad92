"""Time helpers: everything is stored in UTC; SQLite hands datetimes back naive."""

from __future__ import annotations

from datetime import UTC, datetime

from leaderboard.timestamps import UTCDateTime, as_utc

__all__ = ["UTCDateTime", "as_utc", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)
