"""Every background task and scheduled job of the service, listed in one place.

The lifespan starts `background_tasks(app)` in each app process; `SCHEDULED_JOBS` run in the
one process that runs the scheduler (`talentquest scheduler`, or the app when
`TQ_RUN_SCHEDULER` is set), each run claimed in Redis so that it happens once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from quest.accounts.tokens import revocations_forever
from quest.boards.removals import sweep_removed_forever
from quest.boards.scheduled import ROLLOVER
from quest.boards.sync import reconcile_forever
from quest.core.db import checkpoint_task
from quest.core.scheduler import Job, run_scheduler_forever
from quest.core.state import AppState
from quest.jobseekers.outbox import relay_for
from quest.jobseekers.scheduled import PURGE
from quest.live.service import live_relay, live_ticker
from quest.play.service import attempt_redis_forever
from quest.quests.scheduled import TRANSITIONS
from quest.rehearsal.demo import demo_crowd_for

Task = Callable[[AppState], Awaitable[None]]

SCHEDULED_JOBS: list[Job] = [TRANSITIONS, ROLLOVER, PURGE]


async def token_revocations(state: AppState) -> None:
    """This process's token cache hears of logouts, bans and erasures in any process."""
    await revocations_forever(state.redis, state.caches.tokens)


async def scheduler_task(state: AppState) -> None:
    """The in-process scheduler, if the settings ask for it."""
    if state.settings.run_scheduler:
        await run_scheduler_forever(state, SCHEDULED_JOBS)


def background_tasks(app: FastAPI) -> list[Task]:
    """What the lifespan starts: `f(state)` coroutines that run until shutdown."""
    return [
        reconcile_forever,  # boards behind SQL are rebuilt
        sweep_removed_forever,  # banned and erased players leave Redis, even after an outage
        checkpoint_task,  # SQLite only: the WAL moved into the database file
        relay_for(app),  # the handoff outbox delivered to the job module
        live_relay,  # the process's one pub/sub subscriber
        live_ticker,  # changed boards published to live viewers
        token_revocations,  # revoked tokens leave every process's token cache
        attempt_redis_forever,  # the attempt path's shared (auto-pipelined) Redis connection
        scheduler_task,
        demo_crowd_for(app),  # the demo only: simulated players (TQ_DEMO_SIMULATION)
    ]
