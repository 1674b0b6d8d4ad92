"""Fixtures for the handoff tests: a real HTTP receiver and an app that delivers to it."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import ThreadingHTTPServer

import pytest
import pytest_asyncio
from fastapi import FastAPI

from quest.core.settings import Settings
from tests.support.app import running_app
from tests.support.handoff import Receiver


@pytest.fixture
def receiver(settings: Settings) -> Iterator[Receiver]:
    rec = Receiver(secret=settings.resolved_handoff_secret)
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


@pytest_asyncio.fixture
async def relayless_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app without its own handoff relay, so that the test is the only relay there is."""
    async with running_app(settings, leave_out=("handoff_relay",)) as application:
        yield application


@pytest_asyncio.fixture
async def hooked_app(settings: Settings, receiver: Receiver) -> AsyncIterator[FastAPI]:
    """The app with `handoff_url` pointing at the real receiver (instead of itself)."""
    hooked = settings.model_copy(update={"handoff_url": receiver.url})
    async with running_app(hooked) as application:
        yield application
