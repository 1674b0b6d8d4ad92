"""The living demo: a small simulated crowd plays the demo quest while `make run` serves.

It runs only when `TQ_DEMO_SIMULATION` is on (unset: on in development) AND `talentquest
demo` loaded the demo into this data directory (its mark file), in one process at a time
(a Redis lock on `keys.job_lock`), and plays through the app in-process (the whole ASGI
stack, no socket): the staff side (sign-ups of simulated players, answers, booth codes)
through service calls, so the demo needs no staff account.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from sqlmodel import col, func, select
from starlette.types import ASGIApp

from kit.loops import check_stop
from leaderboard import keys
from quest.accounts.models import Account
from quest.core.origins import site
from quest.core.settings import Settings
from quest.core.state import AppState
from quest.rehearsal.backstage import LocalBackstage
from quest.rehearsal.crowd import Crowd, Plan

log = logging.getLogger("talentquest.rehearsal")

DEMO_SLUG = "talent-quest"
MARK = "demo-loaded"  # written into TQ_DATA_DIR by `talentquest demo`
LOCK = "rehearsal.demo_crowd"
LEASE_S = 60.0
WAVE_S = 20 * 60.0  # one wave of players, in real time
RATE = 0.5  # answers a minute per player: a few dozen players make a few solves a minute
WAVES = 5  # no new wave once this many waves' players exist


def mark_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / MARK


def mark_demo(settings: Settings) -> None:
    """Called by `talentquest demo`: this data directory holds the demo."""
    mark_path(settings).write_text("the demo quest was loaded by `talentquest demo`\n")


def wanted(settings: Settings) -> bool:
    return settings.demo_simulation_on and mark_path(settings).exists()


async def _simulated(state: AppState) -> int:
    async with state.readmaker() as session:
        query = select(func.count()).where(
            col(Account.simulated).is_(True), col(Account.erased_at).is_(None)
        )
        return int((await session.exec(query)).one())


async def _wave(state: AppState, app: ASGIApp, n: int) -> None:
    settings = state.settings
    speed = settings.demo_simulation_speed
    plan = Plan(
        DEMO_SLUG,
        settings.demo_simulation_players,
        WAVE_S / speed,
        rate=RATE * speed,
        prefix=f"demo{n}",
        first_arrivals=5,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=site(settings).url) as client:
        tally = await Crowd(plan, LocalBackstage(state, slug=DEMO_SLUG), client).run()
    log.info("demo crowd wave %d: %s", n, "; ".join(tally.lines()))


async def _hold(lock: object, stop: asyncio.Event) -> None:
    """Keep the lock while the crowd plays (another process takes over if this one dies)."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=LEASE_S / 3)
        if not stop.is_set():
            await lock.reacquire()  # type: ignore[attr-defined]


async def run_demo_crowd(state: AppState, *, app: ASGIApp) -> None:
    """The background task: waves of simulated players on the demo quest, until shutdown."""
    if not wanted(state.settings):
        return
    lock = state.redis.lock(keys.job_lock(LOCK), timeout=LEASE_S, sleep=LEASE_S / 4)
    # Another process may play the crowd: wait for its lock to be released or to lapse.
    await lock.acquire(blocking=True, blocking_timeout=None)
    stop = asyncio.Event()
    holder = asyncio.create_task(_hold(lock, stop))
    log.info("demo crowd: simulated players on %s (TQ_DEMO_SIMULATION=false stops it)", DEMO_SLUG)
    try:
        wave = 0
        while True:
            check_stop()
            if await _simulated(state) < WAVES * state.settings.demo_simulation_players:
                wave += 1
                try:
                    await _wave(state, app, wave)
                except Exception:
                    log.exception("demo crowd wave failed")
            await asyncio.sleep(WAVE_S / state.settings.demo_simulation_speed / 4)
    finally:
        stop.set()
        holder.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await holder
        with contextlib.suppress(Exception):
            await lock.release()


def demo_crowd_for(app: ASGIApp) -> Callable[[AppState], Awaitable[None]]:
    """The demo crowd as a background task of `app` (it plays through `app` itself)."""

    async def demo_crowd(state: AppState) -> None:
        await run_demo_crowd(state, app=app)

    return demo_crowd
