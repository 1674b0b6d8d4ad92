"""The app's lifespan owns its background tasks: every one of them ends with the app."""

from __future__ import annotations

import asyncio

from quest.app import create_app
from quest.core.db import is_sqlite
from quest.core.settings import Settings
from tests.support.app import reset_stores

BACKGROUND = {
    "reconcile_forever",
    "live_relay",
    "live_ticker",
    "scheduler_task",
    "handoff_relay",
    "attempt-writer-0",
}


async def test_background_tasks_end_with_the_app(settings: Settings) -> None:
    reset_stores(settings)
    expected = BACKGROUND | (
        {"checkpoint_task"} if is_sqlite(settings.resolved_database_url) else set()
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await asyncio.sleep(1.0)  # every loop is parked in its awaits (pub/sub read, sleeps)
        running = {t.get_name() for t in asyncio.all_tasks() if not t.done()}
        assert expected <= running, expected - running
    await asyncio.sleep(0)
    left = {t.get_name() for t in asyncio.all_tasks() if not t.done()} & expected
    assert not left, f"still running after shutdown: {left}"
