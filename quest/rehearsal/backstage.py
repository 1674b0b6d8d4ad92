"""What only staff may do for a rehearsal: create simulated players, read the answers, see a
booth's current code. Over HTTP with a staff token (the CLI), or in-process (the demo)."""

from __future__ import annotations

import time
from typing import Any, Protocol

import httpx
import yaml

from quest.core.state import AppState


class BackstageError(Exception):
    """The server refused a staff call: the rehearsal cannot go on (one line)."""


class Backstage(Protocol):
    async def document(self) -> dict[str, Any]: ...

    async def add_player(self, handle: str, password: str) -> str:
        """A new simulated player's bearer token (None-free: raises on refusal)."""
        ...

    async def booth_code(self, booth: str) -> str: ...


def parse_document(text: str) -> dict[str, Any]:
    """A quest document from YAML or JSON text (JSON is YAML)."""
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict) or not isinstance(loaded.get("challenges"), list):
        raise BackstageError("the quest document has no challenges")
    return loaded


def _reason(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return f"HTTP {response.status_code}" + (f": {detail}" if isinstance(detail, str) else "")


class HttpBackstage:
    """Staff calls over the server's HTTP API, authorised by a staff bearer token."""

    def __init__(
        self, client: httpx.AsyncClient, *, slug: str, token: str, document: str | None = None
    ) -> None:
        self.client, self.slug, self.local = client, slug, document
        self.headers = {"Authorization": f"Bearer {token}"}

    async def check(self) -> None:
        """Refuse early: a token that is not staff's, or a quest the server does not know."""
        r = await self.client.get(
            f"/api/admin/quests/{self.slug}/simulated-players", headers=self.headers
        )
        if r.status_code in (401, 403):
            raise BackstageError(f"the staff token was refused ({_reason(r)})")
        if r.status_code == 404:
            raise BackstageError(f"no quest {self.slug!r} on the server")
        if r.status_code != 200:
            raise BackstageError(f"the server answered {_reason(r)}")

    async def document(self) -> dict[str, Any]:
        if self.local is not None:
            return parse_document(self.local)
        r = await self.client.get(
            f"/api/admin/quests/{self.slug}/document",
            headers={**self.headers, "Accept": "application/json"},
        )
        if r.status_code != 200:
            raise BackstageError(f"cannot read the quest document ({_reason(r)})")
        return parse_document(r.text)

    async def add_player(self, handle: str, password: str) -> str:
        r = await self.client.post(
            f"/api/admin/quests/{self.slug}/simulated-players",
            json={"handle": handle, "password": password},
            headers=self.headers,
        )
        if r.status_code != 201:
            raise BackstageError(f"sign-up of {handle} refused ({_reason(r)})")
        return str(r.json()["token"])

    async def booth_code(self, booth: str) -> str:
        r = await self.client.get(
            f"/api/admin/booths/{self.slug}/{booth}/code", headers=self.headers
        )
        if r.status_code != 200:
            raise BackstageError(f"no code for booth {booth!r} ({_reason(r)})")
        return str(r.json()["code"])

    async def clean(self) -> dict[str, Any]:
        r = await self.client.delete(
            f"/api/admin/quests/{self.slug}/simulated-players", headers=self.headers
        )
        if r.status_code != 200:
            raise BackstageError(f"clean refused ({_reason(r)})")
        result: dict[str, Any] = r.json()
        return result


class LocalBackstage:
    """The same staff calls in the serving process (the demo's crowd): no staff account."""

    def __init__(self, state: AppState, *, slug: str) -> None:
        self.state, self.slug = state, slug

    async def document(self) -> dict[str, Any]:
        from quest.quests.service import quest_document

        async with self.state.readmaker() as session:
            return await quest_document(session=session, slug=self.slug)

    async def add_player(self, handle: str, password: str) -> str:
        from quest.rehearsal.service import add_player

        async with self.state.sessionmaker() as session, session.begin():
            player = await add_player(
                session=session,
                slug=self.slug,
                handle=handle,
                password=password,
                ttl_s=self.state.settings.token_ttl_s,
            )
        return player.token

    async def booth_code(self, booth: str) -> str:
        from quest.live.staff import booth_code_now

        async with self.state.readmaker() as session:
            shown = await booth_code_now(
                session=session, slug=self.slug, booth=booth, now=time.time()
            )
        return shown.code
