"""Helpers for the live tests (importable, unlike conftest): a quest on a real server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest_asyncio
import websockets
from websockets.asyncio.client import ClientConnection

from tests.support.app import QUEST_DOC, Server, make_staff_via_cli


@dataclass
class Expo:
    """The test quest on a running server, and a staff token for it."""

    server: Server
    staff: str
    ids: dict[str, int]
    http: httpx.AsyncClient
    players: dict[str, str] = field(default_factory=dict)

    @property
    def ws_base(self) -> str:
        return self.server.url.replace("http://", "ws://")

    def ws_url(self, slug: str = "expo", query: str = "", server: Server | None = None) -> str:
        base = (server or self.server).url.replace("http://", "ws://")
        return f"{base}/ws/quests/{slug}/leaderboard" + (f"?{query}" if query else "")

    async def player(self, handle: str) -> str:
        r = await self.http.post(
            f"{self.server.url}/api/players", json={"handle": handle, "password": "password123"}
        )
        assert r.status_code == 201, r.text
        self.players[handle] = r.json()["token"]
        return self.players[handle]

    async def solve(
        self, handle: str, slug: str, answer: Any, server: Server | None = None
    ) -> dict[str, Any]:
        token = self.players.get(handle) or await self.player(handle)
        url = (server or self.server).url
        r = await self.http.post(
            f"{url}/api/challenges/{self.ids[slug]}/attempts",
            json={"answer": answer},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def staff_call(self, method: str, path: str, body: Any) -> httpx.Response:
        return await self.http.request(
            method,
            f"{self.server.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.staff}"},
        )


def create_staff(env: dict[str, str], username: str = "boss") -> None:
    make_staff_via_cli(env, username)


@pytest_asyncio.fixture
async def expo(live_server: Server, server_env: dict[str, str]) -> AsyncIterator[Expo]:
    create_staff(server_env)
    async with httpx.AsyncClient(timeout=10) as http:
        r = await http.post(
            f"{live_server.url}/api/auth/token",
            data={"username": "boss", "password": "password123"},
        )
        assert r.status_code == 200, r.text
        staff = r.json()["access_token"]
        r = await http.post(
            f"{live_server.url}/api/admin/quests",
            json=QUEST_DOC,
            headers={"Authorization": f"Bearer {staff}"},
        )
        assert r.status_code == 201, r.text
        listing = (await http.get(f"{live_server.url}/api/quests/expo/challenges")).json()
        yield Expo(live_server, staff, {c["slug"]: c["id"] for c in listing}, http)


async def next_message(
    ws: ClientConnection, kind: str | None = None, within: float = 3.0
) -> dict[str, Any]:
    """The next message (of `kind`, skipping others) within `within` seconds."""

    async def wait() -> dict[str, Any]:
        while True:
            message = json.loads(await ws.recv())
            if kind is None or message["type"] == kind:
                return dict(message)

    return await asyncio.wait_for(wait(), within)


async def snapshot_where(
    ws: ClientConnection, predicate: Any, within: float = 3.0
) -> dict[str, Any]:
    """Read snapshots until one satisfies `predicate`."""

    async def wait() -> dict[str, Any]:
        while True:
            message = await next_message(ws, "snapshot", within)
            if predicate(message):
                return message

    return await asyncio.wait_for(wait(), within)


def connect(url: str, **kw: Any) -> Any:
    return websockets.connect(url, open_timeout=5, **kw)
