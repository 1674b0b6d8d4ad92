"""Helpers for the service's long-running background loops."""

from __future__ import annotations

import asyncio


def stop_requested() -> bool:
    """True once the running task has been asked to stop.

    Some client libraries swallow a `CancelledError` raised inside their own awaits (a pub/sub
    read with a timeout, a pool checkout); a loop that checks this after each await still
    ends when the app shuts down instead of running on in the event loop.
    """
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def check_stop() -> None:
    """Raise `CancelledError` if the running task was asked to stop (see `stop_requested`)."""
    if stop_requested():
        raise asyncio.CancelledError()
