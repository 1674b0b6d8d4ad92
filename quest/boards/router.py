"""Leaderboards over HTTP: top-N, `me` with neighbours, archives; staff rebuild from SQL."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kit.time import as_utc, utcnow
from leaderboard.board import percentile
from leaderboard.errors import UnknownScope
from leaderboard.windows import resolve_scope
from quest.boards import sync as board_sync
from quest.boards.archive import get_archive, list_archives
from quest.boards.schemas import BoardOut, MeOut
from quest.core.deps import (
    BoardsDep,
    CurrentPrincipal,
    OptionalPrincipal,
    SessionDep,
    StaffOnly,
    StateDep,
)
from quest.core.errors import Invalid, NotFound
from quest.quests import service
from quest.quests.models import Quest

router = APIRouter(prefix="/api/quests/{slug}", tags=["leaderboard"])
admin = APIRouter(prefix="/api/admin", tags=["staff"])


Limit = Annotated[int, Query(ge=1, le=1000)]


async def scoped(state: StateDep, slug: str, scope: str | None) -> tuple[Quest, str]:
    quest, tracks = await state.caches.quests.get(state, slug)
    try:
        resolved = resolve_scope(scope, now=utcnow(), tz=quest.timezone, tracks=tracks)
    except UnknownScope as exc:
        raise Invalid(str(exc), code="unknown_scope") from None
    return quest, resolved


def public_frozen(quest: Quest, principal: Any) -> bool:
    """Frozen boards show the freeze-time standings to everyone but staff."""
    return quest.frozen and not (principal is not None and principal.role == "staff")


@router.get("/leaderboard", response_model=BoardOut)
async def leaderboard(
    slug: str,
    state: StateDep,
    boards: BoardsDep,
    principal: OptionalPrincipal,
    scope: str | None = None,
    limit: Limit = 10,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    quest, resolved = await scoped(state, slug, scope)
    assert quest.id is not None
    total, entries = await boards.top(
        quest_id=quest.id,
        scope=resolved,
        epoch=as_utc(quest.starts_at),
        limit=limit,
        offset=offset,
        frozen=public_frozen(quest, principal),
    )
    return {
        "quest": quest.slug,
        "scope": resolved,
        "total": total,
        "frozen": quest.frozen,
        "generated_at": utcnow(),
        "entries": entries,
    }


@router.get("/leaderboard/me", response_model=MeOut)
async def leaderboard_me(
    slug: str,
    state: StateDep,
    boards: BoardsDep,
    principal: CurrentPrincipal,
    scope: str | None = None,
    around: Annotated[int, Query(ge=0, le=50)] = 5,
) -> dict[str, Any]:
    quest, resolved = await scoped(state, slug, scope)
    assert quest.id is not None
    me = await boards.me(
        quest_id=quest.id,
        scope=resolved,
        epoch=as_utc(quest.starts_at),
        player_id=principal.id,
        around=around,
        frozen=public_frozen(quest, principal),
    )
    if me is None:
        total, _ = await boards.top(
            quest_id=quest.id,
            scope=resolved,
            epoch=as_utc(quest.starts_at),
            limit=1,
            offset=0,
            frozen=public_frozen(quest, principal),
        )
        return {
            "quest": quest.slug,
            "scope": resolved,
            "rank": None,
            "competition_rank": None,
            "score": 0,
            "percentile": None,
            "total": total,
            "neighbours": [],
        }
    return {
        "quest": quest.slug,
        "scope": resolved,
        **me,
        "percentile": percentile(me["rank"], me["total"]),
    }


@router.get("/archive")
async def archives(slug: str, session: SessionDep, state: StateDep) -> list[dict[str, Any]]:
    """Closed daily and weekly windows of a quest that were archived, newest first."""
    quest = await service.get_quest(session=session, slug=slug)
    assert quest.id is not None
    return await list_archives(state, quest.id)


@router.get("/archive/{scope}")
async def archive(slug: str, scope: str, session: SessionDep, state: StateDep) -> dict[str, Any]:
    """The top 100 of one closed window, as it stood when the window closed."""
    quest = await service.get_quest(session=session, slug=slug)
    assert quest.id is not None
    found = await get_archive(state, quest.id, scope)
    if found is None:
        raise NotFound(f"No archive of {scope!r}.", code="archive_not_found")
    return {
        "quest": quest.slug,
        "scope": found.scope,
        "archived_at": found.archived_at,
        "entries": found.entries,
    }


@admin.post("/quests/{slug}/rebuild")
async def rebuild_boards(
    slug: str, _: StaffOnly, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    written = await board_sync.rebuild(state, quest, reason="staff")
    return {"quest": slug, "boards": written}
