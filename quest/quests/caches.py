"""In-process caches of quest content for the hot paths (attempts, board reads)."""

from __future__ import annotations

import asyncio
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import defer
from sqlmodel import col, select

from challenges.models import Challenge
from challenges.writer import ChallengeSnapshot
from kit.flight import SingleFlight
from quest.accounts.tokens import TokenCache
from quest.core.errors import NotFound
from quest.core.responses import dumps
from quest.quests.models import Quest, Track

if TYPE_CHECKING:
    from quest.core.state import AppState


# Cached quests never need their source document (it can be large): never load it.
_NO_DOCUMENT = defer(Quest.document, raiseload=True)  # type: ignore[arg-type]


class ContentCache:
    """Challenges and their quests as the hot path sees them, re-checked every `ttl` seconds.

    A re-check reads only the quest row (its status, window and `updated_at`); the quest's
    challenges are re-read only when `updated_at` moved (an import or a staff change). One
    task refreshes a quest at a time. Changes made in this process clear it on commit;
    other processes see them within `ttl` seconds.
    """

    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._entries: dict[int, tuple[float, Challenge, Quest, ChallengeSnapshot]] = {}
        self._loading: dict[int, asyncio.Future[None]] = {}

    def clear(self) -> None:
        self._entries.clear()

    async def get(
        self, state: AppState, challenge_id: int
    ) -> tuple[Challenge, Quest, ChallengeSnapshot]:
        hit = self._entries.get(challenge_id)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1], hit[2], hit[3]
        quest_id = hit[2].id if hit is not None else None
        key = quest_id if quest_id is not None else -challenge_id
        loading = self._loading.get(key)
        if loading is None:
            loading = asyncio.ensure_future(self._refresh(state, challenge_id, hit))
            self._loading[key] = loading
            loading.add_done_callback(lambda _: self._loading.pop(key, None))
        elif hit is not None:
            return hit[1], hit[2], hit[3]  # stale for a moment while one task refreshes
        await asyncio.shield(loading)
        fresh = self._entries.get(challenge_id)
        if fresh is None:
            raise NotFound("No such challenge.", code="challenge_not_found")
        return fresh[1], fresh[2], fresh[3]

    async def _refresh(
        self,
        state: AppState,
        challenge_id: int,
        hit: tuple[float, Challenge, Quest, ChallengeSnapshot] | None,
    ) -> None:
        async with state.readmaker() as session:
            if hit is not None:
                quest = await session.get(Quest, hit[2].id, options=[_NO_DOCUMENT])
                if quest is not None and quest.updated_at == hit[2].updated_at:
                    self._renew(quest)
                    return
            challenge = await session.get(Challenge, challenge_id)
            if challenge is None:
                self._entries.pop(challenge_id, None)
                return
            quest = await session.get(Quest, challenge.quest_id, options=[_NO_DOCUMENT])
            siblings = (
                await session.exec(
                    select(Challenge).where(Challenge.quest_id == challenge.quest_id)
                )
            ).all()
        assert quest is not None
        ids = {c.slug: c.id for c in siblings if c.id is not None}
        loaded = time.monotonic()
        if len(self._entries) > 10_000:
            self._entries.clear()
        for ch in siblings:
            if ch.id is None:
                continue
            if ch.retired or quest.status == "draft":
                self._entries.pop(ch.id, None)
            else:
                self._entries[ch.id] = (loaded, ch, quest, _snapshot(ch, ids))

    def _renew(self, quest: Quest) -> None:
        """Same content: keep the challenges, take the quest row's current status."""
        now = time.monotonic()
        for cid, (_, ch, old, snap) in list(self._entries.items()):
            if old.id == quest.id:
                if quest.status == "draft":
                    del self._entries[cid]
                else:
                    self._entries[cid] = (now, ch, quest, snap)


def _snapshot(ch: Challenge, ids: dict[str, int]) -> ChallengeSnapshot:
    assert ch.id is not None
    return ChallengeSnapshot(
        id=ch.id,
        quest_id=ch.quest_id,
        track=ch.track,
        kind=ch.kind,
        points=ch.points,
        spec=dict(ch.spec),
        max_attempts=ch.max_attempts,
        requires_ids=tuple(i for slug in ch.requires if (i := ids.get(slug)) is not None),
        scoring=dict(ch.scoring),
    )


class QuestCache:
    """Quests by slug with their listed tracks, for reads that must not touch SQL: board
    reads, and the public description of a quest (`body`, its JSON, encoded once)."""

    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, QuestEntry] = {}
        self._loading: dict[str, asyncio.Future[QuestEntry]] = {}

    def clear(self) -> None:
        self._entries.clear()

    async def get(self, state: AppState, slug: str) -> tuple[Quest, list[str]]:
        entry = await self.entry(state, slug)
        return entry.quest, entry.track_slugs

    async def body(self, state: AppState, slug: str) -> bytes:
        """The quest as `QuestOut` JSON (never a draft: 404 `quest_not_found`)."""
        return (await self.entry(state, slug)).body

    async def entry(self, state: AppState, slug: str) -> QuestEntry:
        hit = self._entries.get(slug)
        if hit is not None and time.monotonic() - hit.loaded < self.ttl:
            return hit
        loading = self._loading.get(slug)
        if loading is None:
            loading = asyncio.ensure_future(self._load(state, slug))
            self._loading[slug] = loading
            loading.add_done_callback(lambda _: self._loading.pop(slug, None))
        elif hit is not None:
            return hit
        return await asyncio.shield(loading)

    async def _load(self, state: AppState, slug: str) -> QuestEntry:
        async with state.readmaker() as session:
            quest = (
                await session.exec(select(Quest).where(Quest.slug == slug).options(_NO_DOCUMENT))
            ).first()
            if quest is None or quest.status == "draft":
                raise NotFound(f"No quest {slug!r}.", code="quest_not_found")
            tracks = (
                await session.exec(
                    select(Track.slug, Track.title)
                    .where(Track.quest_id == quest.id, col(Track.position) >= 0)
                    .order_by(col(Track.position))
                )
            ).all()
            every = (
                await session.exec(
                    select(Challenge)
                    .where(Challenge.quest_id == quest.id)
                    .order_by(col(Challenge.position))
                )
            ).all()
        if len(self._entries) > 1000:
            self._entries.clear()
        public = {
            "slug": quest.slug,
            "title": quest.title,
            "status": quest.status,
            "starts_at": quest.starts_at,
            "ends_at": quest.ends_at,
            "timezone": quest.timezone,
            "frozen": quest.frozen,
            "tracks": [{"slug": t, "title": title} for t, title in tracks],
        }
        entry = QuestEntry(
            loaded=time.monotonic(),
            quest=quest,
            track_slugs=[t for t, _ in tracks],
            body=dumps(public),
            challenges=[ch for ch in every if not ch.retired],
            slugs={ch.id: ch.slug for ch in every if ch.id is not None},
        )
        self._entries[slug] = entry
        return entry


@dataclass(frozen=True, slots=True)
class QuestEntry:
    """A quest as the read paths see it, loaded at `loaded` (monotonic seconds)."""

    loaded: float
    quest: Quest
    track_slugs: list[str]
    body: bytes
    challenges: list[Challenge]  # live ones, in document order
    slugs: dict[int, str]  # every challenge's slug by id, retired ones too (prerequisites)


class Caches:
    """One app's caches (each app has its own: tests run many apps in one process)."""

    def __init__(self) -> None:
        self.content = ContentCache()
        self.quests = QuestCache()
        self.tokens = TokenCache()  # not cleared with the content: revocations drop its entries
        self.reads: SingleFlight[bytes] = SingleFlight()  # identical reads in flight share one
        _all.add(self)

    def clear(self) -> None:
        self.content.clear()
        self.quests.clear()


_all: weakref.WeakSet[Caches] = weakref.WeakSet()


def clear_caches() -> None:
    """Staff changed content or a quest's status: every app in this process sees it at once."""
    for caches in list(_all):
        caches.clear()
