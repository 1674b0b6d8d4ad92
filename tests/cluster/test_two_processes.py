"""Two app processes on one database and the Redis Cluster (issue 11, "Many processes").

Both serve the same quest: 40 concurrent identical correct answers split across them award
once; a solve through one reaches a websocket viewer of the other within a second; the
handoff relays of both deliver each event exactly once (the receiver counts the requests
it applied per webhook-id). The database is TQ_TEST_DATABASE_URL (PostgreSQL in CI's second
leg) or a SQLite file both processes share.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from tests.support.app import Server, free_port
from tests.support.handoff import Receiver, body
from tests.support.live import Expo, connect, next_message

SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver(secret=SECRET)
    server = ThreadingHTTPServer(("127.0.0.1", 0), rec.handler())
    rec.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def server_env(server_env: dict[str, str], receiver: Receiver) -> dict[str, str]:
    return {**server_env, "TQ_HANDOFF_URL": receiver.url, "TQ_HANDOFF_SECRET": SECRET}


@pytest.fixture
def other(server_env: dict[str, str], expo: Expo) -> Iterator[Server]:
    """A second process of the same deployment (started once the quest exists)."""
    server = Server(server_env, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_two_processes_on_the_cluster(expo: Expo, other: Server, receiver: Receiver) -> None:
    servers = [expo.server, other]
    token = await expo.player("twin")
    luhn = expo.ids["luhn"]

    # 40 identical correct answers at once, half through each process: one award.
    replies = await asyncio.gather(
        *(
            expo.http.post(
                f"{servers[i % 2].url}/api/challenges/{luhn}/attempts",
                json={"answer": 3},
                headers={"Authorization": f"Bearer {token}"},
            )
            for i in range(40)
        )
    )
    statuses = sorted(r.status_code for r in replies)
    assert statuses.count(200) == 1 and statuses.count(409) == 39, statuses
    for server in servers:
        board = (await expo.http.get(f"{server.url}/api/quests/expo/leaderboard")).json()
        assert board["total"] == 1 and board["entries"][0]["score"] == 100

    # A solve through the first reaches a viewer of the second within a second.
    async with connect(expo.ws_url(server=other)) as ws:
        first = await next_message(ws, "snapshot")
        assert first["total"] == 1
        await expo.solve("ada", "luhn", 3)  # through the first process
        solved = time.monotonic()
        while True:
            message = await next_message(ws, "snapshot", within=1.0)
            if message["total"] == 2:
                break
        assert time.monotonic() - solved < 1.0

    # Conversions through both processes: each event delivered once, by either relay.
    converted = []
    for i in range(6):
        handle = f"seeker{i}"
        player = await expo.player(handle)
        r = await expo.http.post(
            f"{servers[i % 2].url}/api/me/jobseeker",
            json=body(email=f"{handle}@example.com"),
            headers={"Authorization": f"Bearer {player}"},
        )
        assert r.status_code == 201, r.text
        converted.append(r.json()["jobseeker_id"])
    deadline = time.monotonic() + 20
    while len(receiver.applied()) < len(converted):
        assert time.monotonic() < deadline, f"delivered: {len(receiver.applied())}"
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)  # time for a duplicate to arrive, if one were coming
    with receiver.lock:
        applied = collections.Counter(
            r.webhook_id for r in receiver.requests if 200 <= r.status < 300
        )
        events = [json.loads(r.body) for r in receiver.requests if 200 <= r.status < 300]
    assert all(count == 1 for count in applied.values()), applied
    assert len(applied) == len(events) >= len(converted)
    assert all(r.verified for r in receiver.requests)
