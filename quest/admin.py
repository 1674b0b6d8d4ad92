"""Staff operations over HTTP: content, quest status, bans, accounts, announcements."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import func
from sqlmodel import col, select

from challenges.clock import utcnow
from challenges.models import Attempt, Challenge, Solve
from quest import accounts, board_sync, service
from quest.caches import clear_caches
from quest.content import ContentError, parse_text, validate
from quest.content import import_quest as do_import
from quest.db import on_commit
from quest.deps import SessionDep, StaffOnly, StateDep
from quest.errors import Invalid, NotFound
from quest.live import announce
from quest.models import Account
from quest.schemas import AccountIn, AnnouncementIn, QuestOut, QuestPatch

router = APIRouter(prefix="/api/admin", tags=["staff"])


@router.post(
    "/quests",
    status_code=status.HTTP_201_CREATED,
    response_model=QuestOut,
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"type": "object"}}, "application/yaml": {}},
            "required": True,
        }
    },
)
async def import_quest(
    request: Request, response: Response, _: StaffOnly, session: SessionDep
) -> dict[str, Any]:
    """Create or update a quest from a YAML or JSON document (same slug: updated in place)."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
        ctype = request.headers.get("content-type", "")
        data = json.loads(text) if "json" in ctype else parse_text(text)
        doc = validate(data)
    except UnicodeDecodeError:
        raise Invalid("The document must be UTF-8 text.", code="invalid_document") from None
    except ValueError as exc:
        raise Invalid(f"Not valid JSON: {exc}", code="invalid_document") from None
    except ContentError as exc:
        first = exc.errors[0]
        raise Invalid(
            f"{first['path']}: {first['message']}"
            + (f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""),
            code="invalid_document",
            errors=exc.errors,
        ) from None
    quest, created = await do_import(session=session, doc=doc)
    on_commit(session, clear_caches)
    if not created:
        response.status_code = status.HTTP_200_OK
    assert quest.id is not None
    return service.quest_out(quest, await service.tracks_of(session=session, quest_id=quest.id))


@router.patch("/quests/{slug}", response_model=QuestOut)
async def patch_quest(
    slug: str, body: QuestPatch, _: StaffOnly, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    assert quest.id is not None
    if body.status is not None:
        quest.status = body.status
    if body.frozen is not None and body.frozen != quest.frozen:
        quest.frozen = body.frozen
        if body.frozen:
            quest.frozen_at = utcnow()
            await state.boards.freeze(quest_id=quest.id)
        else:
            quest.frozen_at = None
            await state.boards.unfreeze(quest_id=quest.id)
    quest.updated_at = utcnow()
    session.add(quest)
    on_commit(session, clear_caches)
    return service.quest_out(quest, await service.tracks_of(session=session, quest_id=quest.id))


@router.post("/quests/{slug}/rebuild")
async def rebuild_boards(
    slug: str, _: StaffOnly, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    written = await board_sync.rebuild(state, quest, reason="staff")
    return {"quest": slug, "boards": written}


@router.post("/players/{player_id}/ban")
async def ban(player_id: int, _: StaffOnly, session: SessionDep, state: StateDep) -> dict[str, Any]:
    account = await service.ban_player(session=session, boards=state.boards, account_id=player_id)
    await accounts.revoke_all(session=session, redis=state.redis, account_id=player_id)
    return {"id": account.id, "handle": account.handle, "banned_at": account.banned_at}


@router.post("/accounts", status_code=status.HTTP_201_CREATED)
async def create_account(body: AccountIn, _: StaffOnly, session: SessionDep) -> dict[str, Any]:
    account = await accounts.create_account(
        session=session, handle=body.username, password=body.password, role=body.role
    )
    return {"id": account.id, "username": account.handle, "role": account.role}


@router.post("/announcements", status_code=status.HTTP_202_ACCEPTED)
async def announcement(
    body: AnnouncementIn, _: StaffOnly, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    quest = await service.get_quest(session=session, slug=body.quest, include_draft=True)
    assert quest.id is not None
    await announce(state, quest_id=quest.id, text=body.text)
    return {"quest": quest.slug, "text": body.text}


@router.get("/funnel")
async def funnel(_: StaffOnly, session: SessionDep, quest: str | None = None) -> dict[str, Any]:
    """Registered players, active ones (an attempt), completers, and jobseekers."""
    players = (
        await session.exec(
            select(func.count()).select_from(Account).where(Account.role == "player")
        )
    ).one()
    attempts = select(Attempt.account_id)
    if quest is not None:
        found = await service.get_quest(session=session, slug=quest, include_draft=True)
        ids = select(Challenge.id).where(Challenge.quest_id == found.id)
        attempts = attempts.where(col(Attempt.challenge_id).in_(ids))
    active = (
        await session.exec(select(func.count(func.distinct(attempts.subquery().c.account_id))))
    ).one()
    completed = await _completed(session, quest)
    jobseekers = await _jobseekers(session)
    return {
        "players": int(players),
        "active": int(active),
        "completed": completed,
        "jobseekers": jobseekers,
        "conversion_rate": round(jobseekers / players, 4) if players else 0.0,
    }


async def _completed(session: SessionDep, quest_slug: str | None) -> int:
    """Players who solved every live challenge of a track (of the quest, if given)."""
    query = (
        select(Challenge.quest_id, Challenge.track, func.count())
        .where(col(Challenge.retired).is_(False))
        .group_by(col(Challenge.quest_id), col(Challenge.track))
    )
    if quest_slug is not None:
        found = await service.get_quest(session=session, slug=quest_slug, include_draft=True)
        query = query.where(Challenge.quest_id == found.id)
    sizes = {(q, t): n for q, t, n in (await session.exec(query)).all()}
    solved = (
        await session.exec(
            select(Solve.account_id, Solve.quest_id, Solve.track, func.count()).group_by(
                col(Solve.account_id), col(Solve.quest_id), col(Solve.track)
            )
        )
    ).all()
    return len({a for a, q, t, n in solved if (q, t) in sizes and n >= sizes[(q, t)]})


async def _jobseekers(session: SessionDep) -> int:
    try:
        from quest.models import Jobseeker
    except ImportError:
        return 0
    return int((await session.exec(select(func.count()).select_from(Jobseeker))).one())


@router.get("/players")
async def players(
    _: StaffOnly, session: SessionDep, q: str = "", limit: int = 50
) -> list[dict[str, Any]]:
    query = (
        select(Account)
        .where(Account.role == "player")
        .order_by(col(Account.id).desc())
        .limit(max(1, min(limit, 200)))
    )
    if q:
        query = query.where(col(Account.handle_key).contains(q.casefold()))
    return [
        {"id": a.id, "handle": a.handle, "created_at": a.created_at, "banned_at": a.banned_at}
        for a in (await session.exec(query)).all()
    ]


@router.get("/players/{player_id}/attempts")
async def player_attempts(
    player_id: int, _: StaffOnly, session: SessionDep
) -> list[dict[str, Any]]:
    if await session.get(Account, player_id) is None:
        raise NotFound("No such player.", code="player_not_found")
    rows = await session.exec(
        select(Attempt, Challenge.slug)
        .join(Challenge, col(Challenge.id) == col(Attempt.challenge_id))
        .where(Attempt.account_id == player_id)
        .order_by(col(Attempt.submitted_at).desc())
        .limit(500)
    )
    return [
        {
            "challenge": slug,
            "correct": a.correct,
            "answer": a.answer,
            "submitted_at": a.submitted_at,
        }
        for a, slug in rows.all()
    ]
