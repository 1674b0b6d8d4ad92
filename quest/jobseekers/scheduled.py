"""The jobseekers' scheduled job: purge the personal data of players who never converted."""

from __future__ import annotations

from datetime import datetime

from quest.core.scheduler import Job, cron
from quest.core.state import AppState
from quest.jobseekers.privacy import purge_unconverted


async def purge_job(state: AppState, now: datetime) -> int:
    """Daily at 03:30 UTC: erase unconverted players `purge_after_days` after their quest,
    each in a transaction of its own (one that fails is logged and tried again next run)."""
    return await purge_unconverted(state, now=now)


PURGE = Job("privacy.purge_unconverted", purge_job, cron("30 3 * * *"))
