"""Helpers for the handoff tests: a conversion body, waiting for the relay, a real receiver."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from quest.jobseekers.models import HandoffEvent
from quest.jobseekers.notice import NOTICE_VERSION
from tests.support.app import auth


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Chan Tai Man",
        "email": "tai.man@example.com",
        "phone": "+852 5123-4567",
        "education_level": "master",
        "field_of_study": "Data Science",
        "sectors": ["ai-data", "fintech"],
        "experience_level": "entry",
        "regions": ["hk", "gba"],
        "links": ["https://github.com/taiman"],
        "consent": {"share_with_employers": True, "notice_version": NOTICE_VERSION},
    }
    data.update(changes)
    return data


async def convert(client: httpx.AsyncClient, token: str, **changes: Any) -> str:
    r = await client.post("/api/me/jobseeker", json=body(**changes), headers=auth(token))
    assert r.status_code == 201, r.text
    return str(r.json()["jobseeker_id"])


async def events(app: FastAPI) -> list[HandoffEvent]:
    async with app.state.tq.sessionmaker() as session:
        return list((await session.exec(select(HandoffEvent).order_by(HandoffEvent.id))).all())


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def delivered(app: FastAPI, within: float = 15.0) -> list[HandoffEvent]:
    """Wait until no event is pending; returns every event."""

    async def done() -> bool:
        return all(e.status != "pending" for e in await events(app))

    await eventually(done, within)
    return await events(app)


@dataclass
class Received:
    webhook_id: str
    body: bytes
    verified: bool
    status: int


@dataclass
class Receiver:
    """A real HTTP receiver on a socket: verifies signatures, answers from a script of codes."""

    secret: str
    port: int = 0
    script: list[int] = field(default_factory=list)  # status codes to answer; then `default`
    default: int = 200
    retry_after: str | None = None
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def applied(self) -> dict[str, Any]:
        """webhook-id -> parsed event, for the requests answered 2xx."""
        with self.lock:
            return {
                r.webhook_id: json.loads(r.body) for r in self.requests if 200 <= r.status < 300
            }

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                try:
                    Webhook(receiver.secret).verify(raw, dict(self.headers.items()))
                    verified = True
                except WebhookVerificationError:
                    verified = False
                with receiver.lock:
                    code = receiver.script.pop(0) if receiver.script else receiver.default
                    if not verified:
                        code = 401
                    receiver.requests.append(
                        Received(self.headers.get("webhook-id", ""), raw, verified, code)
                    )
                self.send_response(code)
                if code >= 500 and receiver.retry_after:
                    self.send_header("Retry-After", receiver.retry_after)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
