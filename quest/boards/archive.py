"""Archived standings of closed daily and weekly windows: top 100 kept in SQL for good.

Banned and erased players get the treatment the live boards give them: an archive is written
without them, an erasure removes the player's entry from every stored archive (in the erasure's
own transaction), and a player banned after the archive was written is left out of every
public view of it. Either way the remaining entries close up: unique ranks 1..n, equal scores
sharing a competition rank.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.time import as_utc
from leaderboard import keys
from leaderboard.models import BoardArchive
from leaderboard.windows import day_key, week_key
from quest.accounts.models import Account
from quest.boards.schemas import ArchiveOut, ArchiveSummary, Entry
from quest.core.db import WriteSession
from quest.core.errors import NotFound
from quest.core.state import AppState
from quest.quests.models import Quest

log = logging.getLogger("talentquest.archive")
ARCHIVE_TOP = 100
ID_CHUNK = 500  # player ids per IN (...) look-up


def _player_id(entry: dict[str, Any]) -> int:
    return int(entry["player"]["id"])


def ranked(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries (best first) numbered again: ranks 1..n, equal scores share a competition rank."""
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        tied = out and out[-1]["score"] == entry["score"]
        competition = out[-1]["competition_rank"] if tied else i + 1
        out.append({**entry, "rank": i + 1, "competition_rank": competition})
    return out


async def _removed(session: AsyncSession, ids: Iterable[int], *, lock: bool = False) -> set[int]:
    """Those of `ids` who must not appear on a board: banned, erased, or gone from SQL.

    `lock` (used while writing an archive) takes a shared lock on the account rows on
    PostgreSQL, so an erasure running at the same time is either seen here or sees the archive.
    """
    wanted = sorted(set(ids))
    present: set[int] = set()
    for i in range(0, len(wanted), ID_CHUNK):
        query = select(Account.id, Account.banned_at, Account.erased_at).where(
            col(Account.id).in_(wanted[i : i + ID_CHUNK])
        )
        if lock:
            query = query.with_for_update(read=True)  # FOR SHARE; SQLite: nothing to add
        rows = (await session.exec(query)).all()
        for pid, banned, erased in rows:
            if pid is not None and banned is None and erased is None:
                present.add(pid)
    return set(wanted) - present


def _visible(entries: list[dict[str, Any]], removed: set[int]) -> list[dict[str, Any]]:
    if not any(_player_id(e) in removed for e in entries):
        return entries
    return ranked(e for e in entries if _player_id(e) not in removed)


async def forget_player(*, session: WriteSession, quest_ids: list[int], player_id: int) -> int:
    """Erasure: remove a player's entry from every stored archive of these quests (the quests
    they solved in), the others closing up; in the caller's transaction. Returns archives
    rewritten."""
    if not quest_ids:
        return 0
    # FOR UPDATE, in id order: two erasures at once on PostgreSQL take turns on each archive
    # (the second reads what the first wrote, so neither puts the other's entry back) and
    # never deadlock. SQLite's single writer serialises them anyway.
    query = (
        select(BoardArchive)
        .where(col(BoardArchive.quest_id).in_(quest_ids))
        .order_by(col(BoardArchive.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = (await session.exec(query)).all()
    rewritten = 0
    for archive in rows:
        kept = [e for e in archive.entries if _player_id(e) != player_id]
        if len(kept) == len(archive.entries):
            continue
        archive.entries = ranked(kept)  # a new list: the JSON column sees the change
        session.add(archive)
        rewritten += 1
    return rewritten


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
    async with state.primary_readmaker() as reader:
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
        stored = [e.as_json() for e in entries]
        try:
            async with state.sessionmaker() as session, session.begin():
                # Redis may still hold a player whose ban or erasure has committed (its
                # follow-up not yet run): SQL decides who is kept, under a lock (see _removed).
                removed = await _removed(session, map(_player_id, stored), lock=True)
                stored = _visible(stored, removed)
                session.add(BoardArchive(quest_id=quest.id, scope=scope, entries=stored))
        except IntegrityError:
            continue  # another process archived it first
        written.append(scope)
    if written:
        log.info("archived %s of %s", ", ".join(written), quest.slug)
    return written


async def archive_all(state: AppState, now: datetime) -> dict[str, list[str]]:
    """Archive the closed windows of every quest (idempotent; catches up after downtime)."""
    async with state.primary_readmaker() as session:
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
    removed = await _removed(session, (_player_id(e) for a in rows for e in a.entries))
    return [
        ArchiveSummary(
            scope=a.scope,
            archived_at=as_utc(a.archived_at),
            entries=sum(1 for e in a.entries if _player_id(e) not in removed),
        )
        for a in rows
    ]


async def get_archive(*, session: AsyncSession, quest: Quest, scope: str) -> ArchiveOut:
    """One archived window, without anyone banned (or erased) since it was written."""
    found = (
        await session.exec(
            select(BoardArchive).where(
                BoardArchive.quest_id == quest.id, BoardArchive.scope == scope
            )
        )
    ).first()
    if found is None:
        raise NotFound(f"No archive of {scope!r}.", code="archive_not_found")
    removed = await _removed(session, map(_player_id, found.entries))
    return ArchiveOut(
        quest=quest.slug,
        scope=found.scope,
        archived_at=as_utc(found.archived_at),
        entries=[Entry.model_validate(e) for e in _visible(found.entries, removed)],
    )
