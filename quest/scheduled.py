"""Scheduled jobs (APScheduler 3, AsyncIOScheduler), each run exactly once per scheduled time.

Declare a job next to the task it runs::

    @scheduled(name="privacy.purge", cron="0 3 * * *")
    async def purge(state: AppState, now: datetime) -> None: ...

Every process may run a scheduler: a run happens only in the process that wins
`SET NX` on `keys.job_run(name, <scheduled time>)`. On start, jobs declared with
`catch_up=True` run once (under `keys.job_lock(name)`) to make up for runs missed while
the service was down, so they must be idempotent.
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
from sqlmodel import select

from challenges.clock import as_utc, utcnow
from leaderboard import keys
from leaderboard.loops import check_stop
from quest.models import Quest
from quest.state import AppState

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


REGISTRY: dict[str, Job] = {}


def register_job(name: str, func: JobFunc, trigger: BaseTrigger, *, catch_up: bool = True) -> Job:
    """Add (or replace) a job; call at import time of the module that owns the task."""
    job = Job(name, func, trigger, catch_up)
    REGISTRY[name] = job
    return job


def scheduled(
    *,
    name: str,
    cron: str | None = None,
    every_s: float | None = None,
    timezone: str = "UTC",
    catch_up: bool = True,
) -> Callable[[JobFunc], JobFunc]:
    """Decorator form of `register_job`: a crontab line (`cron=`) or a period (`every_s=`)."""
    if (cron is None) == (every_s is None):
        raise ValueError("give exactly one of cron= or every_s=")
    trigger: BaseTrigger
    if cron is not None:
        trigger = CronTrigger.from_crontab(cron, timezone=timezone)
    else:
        trigger = IntervalTrigger(seconds=float(every_s or 0), start_date=_ALIGN, timezone=UTC)

    def decorate(func: JobFunc) -> JobFunc:
        register_job(name, func, trigger, catch_up=catch_up)
        return func

    return decorate


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


async def catch_up(state: AppState, *, now: datetime | None = None) -> list[str]:
    """Run every catch-up job once now (one process at a time per job); returns those run."""
    now = now or utcnow()
    ran = []
    for job in list(REGISTRY.values()):
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


def build_scheduler(state: AppState, jobs: list[Job] | None = None) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job in REGISTRY.values() if jobs is None else jobs:
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


async def run_scheduler_forever(state: AppState) -> None:
    """What `talentquest scheduler` runs, and the app when `settings.run_scheduler` is set."""
    await catch_up(state)
    check_stop()  # asked to stop while catching up (a library may have eaten the cancel)
    scheduler = build_scheduler(state)
    scheduler.start()
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)


async def scheduler_task(state: AppState) -> None:
    """Background task of the app: the in-process scheduler, if the settings ask for it."""
    if state.settings.run_scheduler:
        await run_scheduler_forever(state)


# --- The quest's own jobs ------------------------------------------------------------------


@scheduled(name="quests.transitions", every_s=60)
async def apply_transitions(state: AppState, now: datetime) -> dict[str, str]:
    """Close quests past `ends_at`; open at `starts_at` quests that were closed before it.

    A quest counts as scheduled when it was set `closed` before its start (its last change
    is older than `starts_at`). Both moves are idempotent, so reruns are harmless.
    """
    moved: dict[str, str] = {}
    async with state.sessionmaker() as session, session.begin():
        for quest in (await session.exec(select(Quest).where(Quest.status != "draft"))).all():
            starts, ends = as_utc(quest.starts_at), as_utc(quest.ends_at)
            if now >= ends and quest.status in ("open", "paused"):
                quest.status = "closed"
            elif quest.status == "closed" and as_utc(quest.updated_at) < starts <= now < ends:
                quest.status = "open"
            else:
                continue
            quest.updated_at = now
            session.add(quest)
            moved[quest.slug] = quest.status
    if moved:
        log.info("quest transitions: %s", moved)
    return moved


@scheduled(name="boards.rollover", every_s=60)
async def roll_over(state: AppState, now: datetime) -> dict[str, list[str]]:
    """Archive the top 100 of each daily/weekly window once it has closed (quest's zone)."""
    from quest.archive import archive_all

    return await archive_all(state, now)
