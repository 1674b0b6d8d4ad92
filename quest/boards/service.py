"""Leaderboard reads: a board's top and a player's place on it, in the public or staff view."""

from __future__ import annotations

from kit.time import as_utc, utcnow
from leaderboard.board import Boards
from leaderboard.errors import UnknownScope
from leaderboard.windows import resolve_scope
from quest.accounts.service import Principal
from quest.boards.schemas import BoardOut, Entry, MeOut
from quest.core.errors import Invalid
from quest.core.responses import dumps
from quest.core.state import AppState
from quest.quests.models import Quest


async def scoped(state: AppState, *, slug: str, scope: str | None) -> tuple[Quest, str]:
    """The quest (from the cache) and the concrete board a requested scope names."""
    quest, tracks = await state.caches.quests.get(state, slug)
    try:
        resolved = resolve_scope(scope, now=utcnow(), tz=quest.timezone, tracks=tracks)
    except UnknownScope as exc:
        raise Invalid(str(exc), code="unknown_scope") from None
    return quest, resolved


def public_frozen(quest: Quest, viewer: Principal | None) -> bool:
    """Frozen boards show the freeze-time standings to everyone but staff."""
    return quest.frozen and not (viewer is not None and viewer.role == "staff")


async def top_body(
    *,
    state: AppState,
    quest: Quest,
    scope: str,
    limit: int,
    offset: int,
    viewer: Principal | None,
) -> bytes:
    """A board's top as JSON (`BoardOut`). Identical reads in flight at the same moment share
    one Redis read and one encoding: under load a reader may get an answer read at most one
    Redis round trip before it asked (docs/http-api.md, "Fresh and cached reads")."""
    assert quest.id is not None
    frozen = public_frozen(quest, viewer)
    boards = state.boards

    async def read() -> bytes:
        total, entries = await boards.top(
            quest_id=quest.id or 0,
            scope=scope,
            epoch=as_utc(quest.starts_at),
            limit=limit,
            offset=offset,
            frozen=frozen,
        )
        return dumps(
            {
                "quest": quest.slug,
                "scope": scope,
                "total": total,
                "frozen": quest.frozen,
                "generated_at": utcnow(),
                "entries": entries,  # dataclasses with BoardOut's entry fields
            }
        )

    key = ("top", id(boards), quest.id, scope, limit, offset, frozen, quest.frozen)
    return await state.caches.reads.run(key, read)


async def top(
    *,
    boards: Boards,
    quest: Quest,
    scope: str,
    limit: int,
    offset: int,
    viewer: Principal | None,
) -> BoardOut:
    assert quest.id is not None
    total, entries = await boards.top(
        quest_id=quest.id,
        scope=scope,
        epoch=as_utc(quest.starts_at),
        limit=limit,
        offset=offset,
        frozen=public_frozen(quest, viewer),
    )
    return BoardOut(
        quest=quest.slug,
        scope=scope,
        total=total,
        frozen=quest.frozen,
        generated_at=utcnow(),
        entries=[Entry.model_validate(e) for e in entries],
    )


async def standing(
    *, boards: Boards, quest: Quest, scope: str, viewer: Principal, around: int
) -> MeOut:
    """The viewer's place with `around` neighbours each side; rank None when not on the board."""
    assert quest.id is not None
    frozen = public_frozen(quest, viewer)
    epoch = as_utc(quest.starts_at)
    me = await boards.me(
        quest_id=quest.id,
        scope=scope,
        epoch=epoch,
        player_id=viewer.id,
        around=around,
        frozen=frozen,
    )
    if me is None:
        total, _ = await boards.top(
            quest_id=quest.id, scope=scope, epoch=epoch, limit=1, offset=0, frozen=frozen
        )
        return MeOut(
            quest=quest.slug,
            scope=scope,
            rank=None,
            competition_rank=None,
            score=0,
            percentile=None,
            total=total,
            neighbours=[],
        )
    return MeOut(
        quest=quest.slug,
        scope=scope,
        rank=me.rank,
        competition_rank=me.competition_rank,
        score=me.score,
        percentile=me.percentile,
        total=me.total,
        neighbours=[Entry.model_validate(e) for e in me.neighbours],
    )
