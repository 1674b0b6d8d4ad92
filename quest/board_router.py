"""Leaderboard reads over HTTP: top-N with offset, and `me` with neighbours."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from challenges.clock import as_utc, utcnow
from leaderboard.board import percentile
from leaderboard.errors import UnknownScope
from leaderboard.windows import resolve_scope
from quest.deps import BoardsDep, CurrentPrincipal, OptionalPrincipal, StateDep
from quest.errors import Invalid
from quest.models import Quest
from quest.schemas import BoardOut, MeOut

router = APIRouter(prefix="/api/quests/{slug}", tags=["leaderboard"])

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
