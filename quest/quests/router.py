"""HTTP for quests: the public list and detail; staff import, status, freeze and the funnel."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response, status

from quest.core.deps import BoardsDep, OptionalPrincipal, ReadSessionDep, SessionDep, StaffOnly
from quest.core.errors import DomainError
from quest.quests import service, stats
from quest.quests.schemas import FunnelOut, QuestOut, QuestPatch

router = APIRouter(prefix="/api")
admin = APIRouter(prefix="/api/admin", tags=["staff"])

JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    detail = "Send the quest document as application/json or application/yaml."


def document_syntax(request: Request) -> Literal["json", "yaml"]:
    """JSON or YAML by `Content-Type`; anything else (text/plain, forms) is refused with 415,
    so a cross-site form can never post a quest document."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media in JSON_TYPES or (media.startswith("application/") and media.endswith("+json")):
        return "json"
    if media in YAML_TYPES:
        return "yaml"
    raise UnsupportedMediaType()


DocumentSyntax = Annotated[Literal["json", "yaml"], Depends(document_syntax)]


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
    request: Request,
    response: Response,
    _: StaffOnly,
    syntax: DocumentSyntax,
    session: SessionDep,
) -> QuestOut:
    """Create or update a quest from a YAML or JSON document (same slug: updated in place)."""
    imported = await service.import_document(
        session=session, document=await request.body(), syntax=syntax
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
