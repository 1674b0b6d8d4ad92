"""Archived standings of closed daily and weekly windows: top 100 kept in SQL for good."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.time import as_utc
from leaderboard import keys
from leaderboard.models import BoardArchive
from leaderboard.windows import day_key, week_key
from quest.boards.schemas import ArchiveOut, ArchiveSummary, Entry
from quest.core.errors import NotFound
from quest.core.state import AppState
from quest.quests.models import Quest

log = logging.getLogger("talentquest.archive")
ARCHIVE_TOP = 100


def closed_windows(scopes: list[str], *, now: datetime, tz: str) -> list[str]:
    """The daily and weekly scopes whose window ended before `now` in the quest's zone."""
    today, this_week = day_key(now, tz), week_key(now, tz)
    closed = []
    for scope in scopes:
        kind, _, key = scope.partition(":")
        # ISO dates and ISO weeks (YYYY-Www) sort as text in time order.
        if (kind == "daily" and key < today) or (kind == "weekly" and key < this_week):
            closed.append(scope)
    return sorted(closed)


async def archive_closed(state: AppState, quest: Quest, *, now: datetime) -> list[str]:
    """Archive every closed window of a quest that has no archive yet; returns the new ones."""
    assert quest.id is not None
    scopes = [
        s.decode() if isinstance(s, bytes) else str(s)
        for s in await state.redis.smembers(keys.scopes(quest.id))
    ]
    candidates = closed_windows(scopes, now=now, tz=quest.timezone)
    if not candidates:
        return []
    async with state.readmaker() as reader:
        done = set(
            (
                await reader.exec(
                    select(BoardArchive.scope).where(
                        BoardArchive.quest_id == quest.id, col(BoardArchive.scope).in_(candidates)
                    )
                )
            ).all()
        )
    written = []
    for scope in candidates:
        if scope in done:
            continue
        _, entries = await state.boards.top(
            quest_id=quest.id,
            scope=scope,
            epoch=as_utc(quest.starts_at),
            limit=ARCHIVE_TOP,
            offset=0,
            frozen=False,
        )
        try:
            async with state.sessionmaker() as session, session.begin():
                stored = [e.as_json() for e in entries]
                session.add(BoardArchive(quest_id=quest.id, scope=scope, entries=stored))
        except IntegrityError:
            continue  # another process archived it first
        written.append(scope)
    if written:
        log.info("archived %s of %s", ", ".join(written), quest.slug)
    return written


async def archive_all(state: AppState, now: datetime) -> dict[str, list[str]]:
    """Archive the closed windows of every quest (idempotent; catches up after downtime)."""
    async with state.readmaker() as session:
        quests = (await session.exec(select(Quest).where(Quest.status != "draft"))).all()
    out = {}
    for quest in quests:
        written = await archive_closed(state, quest, now=now)
        if written:
            out[quest.slug] = written
    return out


async def list_archives(*, session: AsyncSession, quest: Quest) -> list[ArchiveSummary]:
    """The archived windows of a quest, newest first."""
    rows = (
        await session.exec(
            select(BoardArchive)
            .where(BoardArchive.quest_id == quest.id)
            .order_by(col(BoardArchive.scope).desc())
        )
    ).all()
    return [
        ArchiveSummary(scope=a.scope, archived_at=as_utc(a.archived_at), entries=len(a.entries))
        for a in rows
    ]


async def get_archive(*, session: AsyncSession, quest: Quest, scope: str) -> ArchiveOut:
    found = (
        await session.exec(
            select(BoardArchive).where(
                BoardArchive.quest_id == quest.id, BoardArchive.scope == scope
            )
        )
    ).first()
    if found is None:
        raise NotFound(f"No archive of {scope!r}.", code="archive_not_found")
    return ArchiveOut(
        quest=quest.slug,
        scope=found.scope,
        archived_at=as_utc(found.archived_at),
        entries=[Entry.model_validate(e) for e in found.entries],
    )
