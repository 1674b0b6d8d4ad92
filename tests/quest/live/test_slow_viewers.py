"""A stalled viewer never delays the others nor grows memory; it is dropped after a while."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time

import pytest

import leaderboard.live as live
from leaderboard.live import Stalled, Viewer
from tests.support.live import Expo, connect, next_message, snapshot_where


async def test_viewer_keeps_only_the_latest_snapshot() -> None:
    gate = asyncio.Event()
    sent: list[str] = []

    async def send(text: str) -> None:
        await gate.wait()
        sent.append(text)

    viewer = Viewer(send)
    task = asyncio.create_task(viewer.run())
    viewer.offer_snapshot("s0", 0)
    await asyncio.sleep(0.01)  # s0 is now stuck in send
    for seq in range(1, 500):
        viewer.offer_snapshot(f"s{seq}", seq)
    viewer.offer_snapshot("old", 3)  # older than what is queued: ignored
    viewer.offer_note("n1")
    gate.set()
    await asyncio.sleep(0.05)
    task.cancel()
    assert sent == ["s0", "s499", "n1"]


async def test_stalled_send_raises_after_the_stall_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "STALL_S", 0.2)

    async def never(text: str) -> None:
        await asyncio.Event().wait()

    viewer = Viewer(never)
    viewer.offer_snapshot("s", 1)
    started = time.monotonic()
    with pytest.raises(Stalled):
        await viewer.run()
    assert time.monotonic() - started < 1.0


def _stalled_socket(port: int, path: str) -> socket.socket:
    """A websocket client that completes the handshake and then never reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    return sock


async def test_a_stalled_viewer_does_not_delay_the_others(expo: Expo) -> None:
    path = "/ws/quests/expo/leaderboard?limit=100"
    stalled = [_stalled_socket(expo.server.port, path) for _ in range(5)]
    try:
        async with connect(expo.ws_url(query="limit=100")) as ws:
            await next_message(ws)
            for i in range(30):
                before = time.monotonic()
                await expo.solve(f"player{i:02d}", "luhn", 3)
                snap = await snapshot_where(ws, lambda m, n=i + 1: m["total"] == n, within=2)
                assert time.monotonic() - before < 1.5
                assert len(snap["entries"]) == i + 1
    finally:
        for sock in stalled:
            sock.close()
