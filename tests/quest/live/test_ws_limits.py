"""Websocket limits on a real `talentquest serve` process: frames too big are refused by the
protocol before they are buffered, a full process says "try again later", chatty viewers are
closed, and a dead transport is dropped by ping/pong."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from tests.support.app import QUEST_DOC, ROOT, Server, free_port
from tests.support.live import connect, next_message

LIMITS = {
    "TQ_WS_MAX_CONNECTIONS": "3",
    "TQ_WS_MAX_MESSAGES": "5",
    "TQ_WS_MESSAGE_WINDOW_S": "30",
    "TQ_WS_PING_INTERVAL_S": "0.5",
    "TQ_WS_PING_TIMEOUT_S": "0.5",
}


@pytest.fixture
def limited(server_env: dict[str, str]) -> Iterator[Server]:
    """A server with small websocket limits, and the test quest imported by the CLI."""
    import subprocess
    import sys

    env = server_env | LIMITS
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(QUEST_DOC, f)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "quest.cli", "quests", "import", f.name],
            env=env,
            cwd=ROOT,
            capture_output=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr.decode()
    finally:
        Path(f.name).unlink()
    server = Server(env, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _url(server: Server) -> str:
    return server.url.replace("http://", "ws://") + "/ws/quests/expo/leaderboard"


def _raw_handshake(server: Server) -> socket.socket:
    """A websocket opened by hand, to send frames no well-behaved client would."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /ws/quests/expo/leaderboard HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, "closed during the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def _close_code(data: bytes) -> int | None:
    """The code of the first close frame (opcode 8) among server frames in `data`."""
    i = 0
    while i + 2 <= len(data):
        opcode, length = data[i] & 0x0F, data[i + 1] & 0x7F
        i += 2
        if length == 126:
            length = struct.unpack("!H", data[i : i + 2])[0]
            i += 2
        elif length == 127:
            length = struct.unpack("!Q", data[i : i + 8])[0]
            i += 8
        if opcode == 8 and length >= 2:
            return int(struct.unpack("!H", data[i : i + 2])[0])
        i += length
    return None


def _read_until_closed(sock: socket.socket, within: float) -> bytes:
    sock.settimeout(within)
    data = b""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        data += chunk
        if _close_code(data) is not None:
            break
    return data


async def test_a_1_mib_frame_is_closed_with_1009(limited: Server) -> None:
    async with connect(_url(limited), max_size=None) as ws:
        await next_message(ws)
        await ws.send("x" * (1 << 20))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    async with connect(_url(limited)) as ws:  # the server is fine afterwards
        assert (await next_message(ws))["type"] == "snapshot"


async def test_a_huge_frame_is_refused_from_its_header_without_buffering(
    limited: Server,
) -> None:
    """Only the header of a 16 MiB frame (and 1 KB of it) is sent: the server must close at
    once, not wait for (and hold) 16 MiB first."""

    def run() -> int | None:
        sock = _raw_handshake(limited)
        try:
            header = bytes([0x82, 0x80 | 127]) + struct.pack("!Q", 16 << 20) + os.urandom(4)
            sock.sendall(header + os.urandom(1024))
            return _close_code(_read_until_closed(sock, 3.0))
        finally:
            sock.close()

    assert await asyncio.to_thread(run) == 1009


async def test_a_full_process_says_try_again_later(limited: Server) -> None:
    url = _url(limited)
    async with connect(url) as a, connect(url) as b, connect(url) as c:
        for ws in (a, b, c):
            assert (await next_message(ws))["type"] == "snapshot"
        async with connect(_url(limited)) as extra:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(extra.recv(), 3)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        assert closed.value.rcvd.reason
    # The slots come back when viewers leave.
    await asyncio.sleep(0.3)
    async with connect(_url(limited)) as again:
        assert (await next_message(again))["type"] == "snapshot"


async def test_a_chatty_viewer_is_closed_with_1008(limited: Server) -> None:
    async with connect(_url(limited)) as ws:
        await next_message(ws)
        for _ in range(5):
            await ws.send("ping")  # tiny messages are allowed, a few of them
        await asyncio.sleep(0.3)
        assert ws.close_code is None
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(50):
                await ws.send("ping")
                await asyncio.sleep(0.01)
            while True:
                await asyncio.wait_for(ws.recv(), 3)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


async def test_a_dead_transport_is_dropped_by_ping_timeout(limited: Server) -> None:
    """A client that never answers pings (its transport is dead) is closed by the server."""

    def run() -> float:
        sock = _raw_handshake(limited)
        started = time.monotonic()
        try:
            sock.settimeout(10)
            while sock.recv(65536):  # read (never answer) until the server gives up
                pass
        except (TimeoutError, ConnectionResetError):
            pass
        finally:
            sock.close()
        return time.monotonic() - started

    assert await asyncio.to_thread(run) < 5.0
