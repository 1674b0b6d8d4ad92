"""Eager sends: an idle viewer is sent to by the relay itself, with no task wake-up or timer."""

from __future__ import annotations

import asyncio
import time

import pytest

import leaderboard.live as live
from leaderboard.live import Stalled, Viewer


async def _parked(viewer: Viewer) -> asyncio.Task[None]:
    task = asyncio.create_task(viewer.run())
    for _ in range(3):
        await asyncio.sleep(0)
    return task


async def test_an_idle_viewer_is_sent_to_synchronously() -> None:
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    viewer = Viewer(send)
    viewer.offer_snapshot("s0", 0)
    task = await _parked(viewer)
    assert sent == ["s0"]
    viewer.offer_snapshot("s1", 1)
    viewer.offer_note("n1")
    assert sent == ["s0", "s1", "n1"]  # no await in between: sent by the offer itself
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_send_that_waits_is_finished_by_the_sender_task() -> None:
    gate = asyncio.Event()
    sent: list[str] = []

    async def send(text: str) -> None:
        if text == "s1":
            await gate.wait()
        sent.append(text)

    viewer = Viewer(send)
    viewer.offer_snapshot("s0", 0)
    task = await _parked(viewer)
    viewer.offer_snapshot("s1", 1)  # suspends: handed to the task
    for seq in range(2, 50):
        viewer.offer_snapshot(f"s{seq}", seq)  # queued: only the latest is kept
    viewer.offer_note("n1")
    await asyncio.sleep(0.01)
    assert sent == ["s0"]
    gate.set()
    await asyncio.sleep(0.01)
    assert sent == ["s0", "s1", "s49", "n1"]
    viewer.offer_snapshot("s50", 50)  # idle again: eager
    assert sent[-1] == "s50"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_failed_eager_send_ends_the_sender_task() -> None:
    async def send(text: str) -> None:
        if text != "s0":
            raise RuntimeError("socket gone")

    viewer = Viewer(send)
    viewer.offer_snapshot("s0", 0)
    task = await _parked(viewer)
    viewer.offer_snapshot("s1", 1)
    with pytest.raises(RuntimeError, match="socket gone"):
        await asyncio.wait_for(task, 1)


async def test_an_eager_send_that_never_completes_stalls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "STALL_S", 0.2)
    block = False

    async def send(text: str) -> None:
        if block:
            await asyncio.Event().wait()

    viewer = Viewer(send)
    viewer.offer_snapshot("s0", 0)
    task = await _parked(viewer)
    block = True
    started = time.monotonic()
    viewer.offer_snapshot("s1", 1)
    with pytest.raises(Stalled):
        await asyncio.wait_for(task, 2)
    assert time.monotonic() - started < 1.0


async def test_the_first_message_is_a_snapshot_even_if_a_note_came_first() -> None:
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    viewer = Viewer(send)
    viewer.offer_note("n0")  # before the sender task runs: queued
    viewer.offer_snapshot("s0", 0)
    task = await _parked(viewer)
    assert sent == ["s0", "n0"]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
