"""Scheduled quest time: transitions, window roll-over and archives, exactly-once runs."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest_asyncio
from fastapi import FastAPI
from sqlmodel import select

from kit.time import utcnow
from leaderboard import keys
from leaderboard.windows import day_key
from quest.boards.archive import closed_windows
from quest.boards.scheduled import ROLLOVER, roll_over
from quest.core.scheduler import Job, build_scheduler, catch_up, cron, every, run_job, slot_of
from quest.core.settings import Settings
from quest.core.state import AppState
from quest.quests.models import Quest
from quest.quests.scheduled import apply_transitions
from quest.tasks import SCHEDULED_JOBS
from tests.support.app import QUEST_DOC, auth, register, running_app

HK = ZoneInfo("Asia/Hong_Kong")


async def _status(app: FastAPI, slug: str) -> str:
    async with app.state.tq.readmaker() as session:
        quest = (await session.exec(select(Quest).where(Quest.slug == slug))).one()
        return quest.status


def test_closed_windows_roll_over_at_midnight_in_the_quests_zone() -> None:
    scopes = ["all", "track:x", "daily:2026-11-23", "daily:2026-11-24", "weekly:2026-W48"]
    before = datetime(2026, 11, 24, 23, 59, tzinfo=HK)  # Tuesday
    assert closed_windows(scopes, now=before, tz="Asia/Hong_Kong") == ["daily:2026-11-23"]
    after = datetime(2026, 11, 25, 0, 0, 1, tzinfo=HK)
    assert closed_windows(scopes, now=after, tz="Asia/Hong_Kong") == [
        "daily:2026-11-23",
        "daily:2026-11-24",
    ]
    # 16:30 UTC is already the next day in Hong Kong, not in London.
    utc = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    assert "daily:2026-11-24" in closed_windows(scopes, now=utc, tz="Asia/Hong_Kong")
    assert "daily:2026-11-24" not in closed_windows(scopes, now=utc, tz="Europe/London")
    monday = datetime(2026, 11, 30, 0, 0, 1, tzinfo=HK)
    assert "weekly:2026-W48" in closed_windows(scopes, now=monday, tz="Asia/Hong_Kong")


async def test_daily_window_archived_once_after_midnight(
    client: httpx.AsyncClient, quest: dict[str, Any], app: FastAPI
) -> None:
    state: AppState = app.state.tq
    for handle, answer in (("ann", 3), ("ben", 3)):
        token = await register(client, handle)
        r = await client.post(
            f"/api/challenges/{quest['luhn']}/attempts",
            json={"answer": answer},
            headers=auth(token),
        )
        assert r.json()["correct"]
    today = day_key(utcnow(), "Asia/Hong_Kong")
    midnight = datetime.combine(
        datetime.fromisoformat(today).date() + timedelta(days=1), time(0), tzinfo=HK
    )
    assert await roll_over(state, midnight - timedelta(minutes=1)) == {}
    done = await roll_over(state, midnight + timedelta(minutes=1))
    assert f"daily:{today}" in done["expo"]
    assert await roll_over(state, midnight + timedelta(minutes=2)) == {}  # idempotent
    listing = (await client.get("/api/quests/expo/archive")).json()
    assert f"daily:{today}" in [a["scope"] for a in listing]
    r = await client.get(f"/api/quests/expo/archive/daily:{today}")
    assert r.status_code == 200
    assert [e["player"]["handle"] for e in r.json()["entries"]] == ["ann", "ben"]
    r = await client.get("/api/quests/expo/archive/daily:1999-01-01")
    assert r.status_code == 404 and r.json()["code"] == "archive_not_found"
    assert (await client.get("/api/quests/nope/archive")).status_code == 404


async def test_scheduled_quest_opens_and_closes_at_its_times(
    client: httpx.AsyncClient, staff: str, app: FastAPI
) -> None:
    state: AppState = app.state.tq
    start = utcnow().replace(microsecond=0) + timedelta(hours=1)
    doc = copy.deepcopy(QUEST_DOC) | {
        "slug": "timed",
        "status": "closed",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
    }
    draft = doc | {"slug": "drafty", "status": "draft"}
    for body in (doc, draft):
        r = await client.post("/api/admin/quests", json=body, headers=auth(staff))
        assert r.status_code == 201, r.text
    assert "timed" not in await apply_transitions(state, start - timedelta(seconds=1))
    assert await _status(app, "timed") == "closed"
    assert (await apply_transitions(state, start + timedelta(seconds=1)))["timed"] == "open"
    assert "timed" not in await apply_transitions(state, start + timedelta(minutes=1))
    assert await _status(app, "timed") == "open"
    end = start + timedelta(hours=2)
    assert (await apply_transitions(state, end))["timed"] == "closed"
    assert "timed" not in await apply_transitions(state, end + timedelta(minutes=5))
    assert await _status(app, "timed") == "closed"
    assert await _status(app, "drafty") == "draft"


async def test_catch_up_after_downtime_runs_missed_work(
    client: httpx.AsyncClient, quest: dict[str, Any], app: FastAPI
) -> None:
    state: AppState = app.state.tq
    token = await register(client, "early")
    await client.post(
        f"/api/challenges/{quest['dna']}/attempts", json={"answer": "T"}, headers=auth(token)
    )
    later = utcnow() + timedelta(days=9)
    await state.redis.delete(keys.job_lock("boards.rollover"), keys.job_lock("quests.transitions"))
    ran = await catch_up(state, SCHEDULED_JOBS, now=later)
    assert ran == [job.name for job in SCHEDULED_JOBS if job.catch_up]
    assert {"boards.rollover", "quests.transitions"} <= set(ran)
    scopes = [a["scope"] for a in (await client.get("/api/quests/expo/archive")).json()]
    assert any(s.startswith("daily:") for s in scopes) and any(
        s.startswith("weekly:") for s in scopes
    )


def test_slot_is_the_latest_fire_time() -> None:
    job = ROLLOVER
    now = datetime(2026, 11, 24, 10, 0, 59, 900000, tzinfo=UTC)
    assert slot_of(job.trigger, now) == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    daily = cron("0 3 * * *", timezone="Asia/Hong_Kong")
    assert slot_of(daily, now) == datetime(2026, 11, 24, 3, 0, tzinfo=HK)


@pytest_asyncio.fixture
async def second_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """Another app (its own Redis pool and engines) on the same Redis and database."""
    quiet = settings.model_copy(update={"run_scheduler": False})
    async with running_app(quiet, reset=False, background=False) as other:
        yield other


async def run_marks(state: AppState, job: str) -> set[str]:
    """The run markers of `job` in Redis: one per scheduled time that was run."""
    return {key.decode() async for key in state.redis.scan_iter(match=keys.job_run(job, "*"))}


async def test_two_runners_run_each_scheduled_time_once(app: FastAPI, second_app: FastAPI) -> None:
    runs: list[tuple[str, datetime]] = []

    async def work(state: AppState, now: datetime) -> None:
        runs.append((id(state).__str__(), now))
        await asyncio.sleep(0.05)

    trigger = every(1)
    job = Job("test.tick", work, trigger)
    a, b = app.state.tq, second_app.state.tq
    # Concurrent runners for the same scheduled time: exactly one runs.
    now = utcnow()
    results = await asyncio.gather(*(run_job(s, job, now=now) for s in (a, b, a, b)))
    assert sorted(results) == [False, False, False, True] and len(runs) == 1
    # Two real schedulers for ~3.5 s: each second's run happens exactly once.
    runs.clear()
    earlier = await run_marks(a, "test.tick")
    schedulers = [build_scheduler(a, [job]), build_scheduler(b, [job])]
    for s in schedulers:
        s.start()
    await asyncio.sleep(3.5)
    for s in schedulers:
        s.shutdown(wait=False)
    await asyncio.sleep(0.1)
    slots = sorted(slot for _, now in runs if (slot := slot_of(trigger, now)) is not None)
    assert len(slots) >= 3 and len(slots) == len(set(slots))  # no second ran twice...
    assert slots == [slots[0] + timedelta(seconds=i) for i in range(len(slots))]  # ...or never
    # and each run is the one that won its second's marker
    marked = await run_marks(a, "test.tick") - earlier
    assert marked == {keys.job_run("test.tick", slot.isoformat()) for slot in slots}
