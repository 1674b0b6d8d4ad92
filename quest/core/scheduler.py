"""Scheduled jobs (APScheduler 3, AsyncIOScheduler), each run exactly once per scheduled time.

A domain declares its job next to the task it runs (`quest/<domain>/scheduled.py`)::

    ROLLOVER = Job("boards.rollover", roll_over, every(60))

and `quest.tasks.SCHEDULED_JOBS` lists them all: nothing is registered by importing a module.
Every process may run a scheduler: a run happens only in the process that wins `SET NX` on
`keys.job_run(name, <scheduled time>)`. On start, jobs with `catch_up=True` run once (under
`keys.job_lock(name)`) to make up for runs missed while the service was down, so they must be
idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from kit.loops import check_stop
from kit.time import utcnow
from leaderboard import keys
from quest.core.state import AppState

log = logging.getLogger("talentquest.scheduler")

JobFunc = Callable[[AppState, datetime], Awaitable[Any]]
RUN_MARK_TTL_S = 8 * 24 * 3600  # longer than any weekly job's period
LOCK_TTL_MS = 10 * 60 * 1000
_ALIGN = datetime(2020, 1, 1, tzinfo=UTC)  # interval jobs fire at the same instants everywhere


@dataclass(frozen=True)
class Job:
    name: str
    func: JobFunc
    trigger: BaseTrigger
    catch_up: bool = True


def every(seconds: float) -> BaseTrigger:
    """A trigger firing every `seconds`, at the same instants in every process."""
    return IntervalTrigger(seconds=float(seconds), start_date=_ALIGN, timezone=UTC)


def cron(line: str, *, timezone: str = "UTC") -> BaseTrigger:
    """A trigger from a crontab line, read in `timezone`."""
    return CronTrigger.from_crontab(line, timezone=timezone)


def slot_of(trigger: BaseTrigger, now: datetime) -> datetime | None:
    """The latest time at or before `now` that the trigger fires: the run's identity."""
    lookback = timedelta(minutes=2)
    while lookback < timedelta(days=400):
        first = trigger.get_next_fire_time(None, now - lookback)
        if first is not None and first <= now:
            current: datetime = first
            while True:
                following = trigger.get_next_fire_time(current, current + timedelta(microseconds=1))
                if following is None or following > now:
                    return current
                current = following
        lookback *= 4
    return None


async def run_job(state: AppState, job: Job, *, now: datetime | None = None) -> bool:
    """Run one scheduled run of `job` unless another process already did; True if it ran."""
    now = now or utcnow()
    slot = slot_of(job.trigger, now)
    if slot is None:
        return False
    marker = keys.job_run(job.name, slot.astimezone(UTC).isoformat())
    if not await state.redis.set(marker, uuid.uuid4().hex, nx=True, ex=RUN_MARK_TTL_S):
        return False
    try:
        await job.func(state, now)
    except Exception:
        log.exception("scheduled job %s failed", job.name)
    return True


async def catch_up(state: AppState, jobs: list[Job], *, now: datetime | None = None) -> list[str]:
    """Run every catch-up job once now (one process at a time per job); returns those run."""
    now = now or utcnow()
    ran = []
    for job in jobs:
        if not job.catch_up:
            continue
        lock = state.redis.lock(keys.job_lock(job.name), timeout=LOCK_TTL_MS / 1000)
        if not await lock.acquire(blocking=False):
            continue
        try:
            await job.func(state, now)
            ran.append(job.name)
        except Exception:
            log.exception("catch-up of %s failed", job.name)
        finally:
            with contextlib.suppress(Exception):
                await lock.release()
    return ran


def build_scheduler(state: AppState, jobs: list[Job]) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job in jobs:
        scheduler.add_job(
            run_job,
            trigger=job.trigger,
            args=[state, job],
            id=job.name,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=60,
            replace_existing=True,
        )
    return scheduler


async def run_scheduler_forever(state: AppState, jobs: list[Job]) -> None:
    """What `talentquest scheduler` runs, and the app when `settings.run_scheduler` is set."""
    await catch_up(state, jobs)
    check_stop()  # asked to stop while catching up (a library may have eaten the cancel)
    scheduler = build_scheduler(state, jobs)
    scheduler.start()
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
