"""The boards' scheduled job: archive each daily and weekly window once it has closed."""

from __future__ import annotations

from datetime import datetime

from quest.boards.archive import archive_all
from quest.core.scheduler import Job, every
from quest.core.state import AppState


async def roll_over(state: AppState, now: datetime) -> dict[str, list[str]]:
    """Archive the top 100 of each daily/weekly window once it has closed (quest's zone)."""
    return await archive_all(state, now)


ROLLOVER = Job("boards.rollover", roll_over, every(60))
