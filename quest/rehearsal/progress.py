"""The simulate command's progress bar (rich) and its closing summary."""

from __future__ import annotations

import asyncio
import sys
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from quest.rehearsal.crowd import Tally

REFRESH_S = 0.5


def _status(tally: Tally) -> str:
    errors = sum(tally.errors.values())
    return (
        f"players active {tally.active}/{tally.signed_up} · "
        f"{tally.rate():.1f} attempts/s · solves {tally.solves} · errors {errors}"
    )


async def show_progress(tally: Tally, seconds: float, done: asyncio.Event) -> None:
    """A bar over the run's time with the crowd's figures, until `done` is set."""
    console = Console(file=sys.stderr)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(_status(tally), total=seconds)
        started = time.monotonic()
        while not done.is_set():
            elapsed = min(time.monotonic() - started, seconds)
            bar.update(task, completed=elapsed, description=_status(tally))
            try:
                await asyncio.wait_for(done.wait(), timeout=REFRESH_S)
            except TimeoutError:
                pass
        bar.update(task, completed=seconds, description=_status(tally))
