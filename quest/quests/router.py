"""HTTP for quests: the public list and detail; staff import, status, freeze and the funnel."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from quest.core.deps import BoardsDep, OptionalPrincipal, ReadSessionDep, SessionDep, StaffOnly
from quest.quests import service, stats
from quest.quests.schemas import FunnelOut, QuestOut, QuestPatch

router = APIRouter(prefix="/api")
admin = APIRouter(prefix="/api/admin", tags=["staff"])


@router.get("/quests", response_model=list[QuestOut], tags=["quests"])
async def quests(session: ReadSessionDep, principal: OptionalPrincipal) -> list[QuestOut]:
    staff = principal is not None and principal.role == "staff"
    return await service.list_quests(session=session, include_draft=staff)


@router.get("/quests/{slug}", response_model=QuestOut, tags=["quests"])
async def quest(slug: str, session: ReadSessionDep, principal: OptionalPrincipal) -> QuestOut:
    staff = principal is not None and principal.role == "staff"
    return await service.describe_quest(session=session, slug=slug, include_draft=staff)


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
) -> QuestOut:
    """Create or update a quest from a YAML or JSON document (same slug: updated in place)."""
    json_body = "json" in request.headers.get("content-type", "")
    imported = await service.import_document(
        session=session, document=await request.body(), syntax="json" if json_body else "yaml"
    )
    if not imported.created:
        response.status_code = status.HTTP_200_OK
    return imported.quest


@admin.patch("/quests/{slug}", response_model=QuestOut)
async def patch_quest(
    slug: str, body: QuestPatch, _: StaffOnly, session: SessionDep, boards: BoardsDep
) -> QuestOut:
    return await service.change_quest(session=session, boards=boards, slug=slug, change=body)


@admin.get("/funnel", response_model=FunnelOut)
async def funnel(_: StaffOnly, session: ReadSessionDep, quest: str | None = None) -> FunnelOut:
    """Registered players, active ones (an attempt), completers, and jobseekers."""
    return await stats.admin_funnel(session=session, quest_slug=quest)
