"""HTTP for quests: the public list and detail; staff import, status, freeze and the funnel."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import func
from sqlmodel import col, select

from challenges.models import Attempt, Challenge, Solve
from kit.time import utcnow
from quest.accounts.models import Account
from quest.core.db import on_commit
from quest.core.deps import (
    OptionalPrincipal,
    SessionDep,
    StaffOnly,
    StateDep,
)
from quest.core.errors import Invalid
from quest.jobseekers.models import Jobseeker
from quest.quests import service
from quest.quests.caches import clear_caches
from quest.quests.content import ContentError, parse_text, validate
from quest.quests.content import import_quest as do_import
from quest.quests.schemas import QuestOut, QuestPatch

router = APIRouter(prefix="/api")
admin = APIRouter(prefix="/api/admin", tags=["staff"])


@router.get("/quests", response_model=list[QuestOut], tags=["quests"])
async def quests(session: SessionDep, principal: OptionalPrincipal) -> list[dict[str, Any]]:
    staff = principal is not None and principal.role == "staff"
    return await service.list_quests(session=session, include_draft=staff)


@router.get("/quests/{slug}", response_model=QuestOut, tags=["quests"])
async def quest(slug: str, session: SessionDep, principal: OptionalPrincipal) -> dict[str, Any]:
    staff = principal is not None and principal.role == "staff"
    found = await service.get_quest(session=session, slug=slug, include_draft=staff)
    assert found.id is not None
    return service.quest_out(found, await service.tracks_of(session=session, quest_id=found.id))


@admin.post(
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


@admin.patch("/quests/{slug}", response_model=QuestOut)
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


@admin.get("/funnel")
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
    return int((await session.exec(select(func.count()).select_from(Jobseeker))).one())
