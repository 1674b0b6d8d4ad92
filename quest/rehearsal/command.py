"""`talentquest simulate`: a crowd against a running server, or `--clean` to erase it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from quest.rehearsal.backstage import BackstageError, HttpBackstage
from quest.rehearsal.crowd import Crowd, Plan, Tally
from quest.rehearsal.progress import show_progress

CONNECTIONS = 100  # a crowd shares one pool of keep-alive connections


@dataclass(frozen=True)
class Target:
    url: str
    token: str
    document: str | None = None  # answers from a local file instead of the server's copy


def _client(url: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    return httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits)


async def _checked(client: httpx.AsyncClient, target: Target, slug: str) -> HttpBackstage:
    backstage = HttpBackstage(client, slug=slug, token=target.token, document=target.document)
    try:
        await backstage.check()
    except httpx.HTTPError as exc:
        raise BackstageError(f"cannot reach {target.url} ({type(exc).__name__})") from None
    return backstage


async def simulate(plan: Plan, target: Target, *, progress: bool = True) -> Tally:
    """Run the crowd, with a progress bar; returns what it did."""
    async with _client(target.url) as client:
        backstage = await _checked(client, target, plan.slug)
        crowd = Crowd(plan, backstage, client)
        done = asyncio.Event()
        bar = asyncio.create_task(show_progress(crowd.tally, plan.seconds, done))
        try:
            return await crowd.run()
        finally:
            done.set()
            await bar


async def clean(slug: str, target: Target) -> str:
    """Erase the quest's simulated players on the server; one line saying what happened."""
    async with _client(target.url) as client:
        backstage = await _checked(client, target, slug)
        try:
            result = await backstage.clean()
        except httpx.HTTPError as exc:
            raise BackstageError(f"clean failed ({type(exc).__name__})") from None
    return (
        f"erased {result['erased']} simulated players of {result['quest']}; "
        f"rebuilt {result['boards_rebuilt']} boards"
    )
