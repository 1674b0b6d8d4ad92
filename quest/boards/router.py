"""Leaderboards over HTTP: top-N, `me` with neighbours, archives; staff rebuild from SQL."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kit.bounds import Around, BoardLimit, Offset
from quest.boards import archive as archives_service
from quest.boards import service
from quest.boards import sync as board_sync
from quest.boards.schemas import ArchiveOut, ArchiveSummary, BoardOut, MeOut, RebuildOut
from quest.core.deps import (
    BoardsDep,
    CurrentPrincipal,
    OptionalPrincipal,
    ReadSessionDep,
    StaffOnly,
    StateDep,
)
from quest.core.responses import JSONBytes, json_response
from quest.quests.service import get_quest

router = APIRouter(prefix="/api/quests/{slug}", tags=["leaderboard"])
admin = APIRouter(prefix="/api/admin", tags=["staff"])


@router.get("/leaderboard", response_model=BoardOut)
async def leaderboard(
    slug: str,
    state: StateDep,
    principal: OptionalPrincipal,
    scope: str | None = None,
    limit: BoardLimit = 10,
    offset: Offset = 0,
) -> Response:
    quest, resolved = await service.scoped(state, slug=slug, scope=scope)
    body = await service.top_body(
        state=state, quest=quest, scope=resolved, limit=limit, offset=offset, viewer=principal
    )
    return JSONBytes(body)


@router.get("/leaderboard/me", response_model=MeOut)
async def leaderboard_me(
    slug: str,
    state: StateDep,
    boards: BoardsDep,
    principal: CurrentPrincipal,
    scope: str | None = None,
    around: Around = 5,
) -> Response:
    quest, resolved = await service.scoped(state, slug=slug, scope=scope)
    standing = await service.standing(
        boards=boards, quest=quest, scope=resolved, viewer=principal, around=around
    )
    return json_response(standing)


@router.get("/archive", response_model=list[ArchiveSummary])
async def archives(slug: str, session: ReadSessionDep) -> list[ArchiveSummary]:
    """Closed daily and weekly windows of a quest that were archived, newest first."""
    quest = await get_quest(session=session, slug=slug)
    return await archives_service.list_archives(session=session, quest=quest)


@router.get("/archive/{scope}", response_model=ArchiveOut)
async def archive(slug: str, scope: str, session: ReadSessionDep) -> ArchiveOut:
    """The top 100 of one closed window, as it stood when the window closed."""
    quest = await get_quest(session=session, slug=slug)
    return await archives_service.get_archive(session=session, quest=quest, scope=scope)


@admin.post("/quests/{slug}/rebuild", response_model=RebuildOut)
async def rebuild_boards(
    slug: str, _: StaffOnly, session: ReadSessionDep, state: StateDep
) -> RebuildOut:
    quest = await get_quest(session=session, slug=slug, include_draft=True)
    written = await board_sync.rebuild(state, quest, reason="staff")
    return RebuildOut(quest=slug, boards=written)
