"""HTTP for quests: the public list and detail; staff import, status, freeze and the funnel."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse

from quest.core.deps import (
    BoardsDep,
    OptionalPrincipal,
    ReadSessionDep,
    SessionDep,
    StaffOnly,
    StateDep,
)
from quest.core.errors import DomainError
from quest.core.responses import JSONBytes, json_response
from quest.quests import revisions, service, stats
from quest.quests.revisions import Author, ConfirmationRequired
from quest.quests.schemas import (
    AffectedOut,
    FunnelOut,
    QuestOut,
    QuestPatch,
    RestoredOut,
    RevisionDetailOut,
    RevisionOut,
)

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
async def quest(slug: str, state: StateDep, principal: OptionalPrincipal) -> Response:
    """The quest from the in-process cache (at most 2 s old; staff may also see drafts)."""
    if principal is not None and principal.role == "staff":
        async with state.readmaker() as session:
            found = await service.describe_quest(session=session, slug=slug, include_draft=True)
        return json_response(found)
    return JSONBytes(await state.caches.quests.body(state, slug))


@admin.post(
    "/quests",
    status_code=status.HTTP_201_CREATED,
    response_model=QuestOut,
    responses={409: {"description": "confirmation_required: the change affects solves"}},
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
    staff: StaffOnly,
    syntax: DocumentSyntax,
    session: SessionDep,
    confirm: bool = False,
) -> QuestOut | JSONResponse:
    """Create or update a quest from a YAML or JSON document (same slug: updated in place).

    Changing the answer or points of a challenge with solves, or dropping it, answers 409
    `confirmation_required` listing what happens to those solves, unless `confirm=true`.
    """
    try:
        imported = await service.import_document(
            session=session,
            document=await request.body(),
            syntax=syntax,
            author=Author(staff.handle, staff.id),
            confirm=confirm,
        )
    except ConfirmationRequired as exc:
        return confirmation_required(exc)
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


def confirmation_required(exc: ConfirmationRequired) -> JSONResponse:
    """409 with each affected challenge, its solves and what happens to them."""
    affected = [AffectedOut.model_validate(a, from_attributes=True) for a in exc.affected]
    return JSONResponse(
        {
            "detail": exc.detail,
            "code": exc.code_,
            "affected": [a.model_dump() for a in affected],
        },
        status_code=status.HTTP_409_CONFLICT,
    )


@admin.get(
    "/quests/{slug}/document",
    responses={200: {"content": {"application/json": {}, "application/yaml": {}}}},
)
async def quest_document(
    slug: str, _: StaffOnly, session: ReadSessionDep, format: Literal["json", "yaml"] = "json"
) -> Response:
    """The quest's current document, booth secrets included (`?format=yaml`: as YAML)."""
    document = await service.quest_document(session=session, slug=slug)
    if format == "yaml":
        return PlainTextResponse(
            revisions.to_yaml(document), media_type="application/yaml; charset=utf-8"
        )
    return JSONResponse(document)


@admin.get("/quests/{slug}/revisions", response_model=list[RevisionOut])
async def quest_revisions(slug: str, _: StaffOnly, session: ReadSessionDep) -> list[RevisionOut]:
    """Every change of the quest's content, newest first."""
    found = await service.quest_revisions(session=session, slug=slug)
    return [RevisionOut.model_validate(r, from_attributes=True) for r in found]


@admin.get("/quests/{slug}/revisions/{n}", response_model=RevisionDetailOut)
async def quest_revision(
    slug: str, n: Annotated[int, Path(ge=1, le=2**31 - 1)], _: StaffOnly, session: ReadSessionDep
) -> RevisionDetailOut:
    """Revision n: its document, what changed, and a YAML diff against revision n - 1."""
    found = await service.quest_revision(session=session, slug=slug, n=n)
    rev = found.revision
    return RevisionDetailOut(
        n=rev.n,
        at=rev.at,
        by=rev.by,
        summary=rev.summary,
        changes=list(rev.changes or []),
        document=rev.document,
        diff=found.diff,
    )


@admin.post(
    "/quests/{slug}/revisions/{n}/restore",
    response_model=RestoredOut,
    responses={409: {"description": "confirmation_required: the change affects solves"}},
)
async def restore_revision(
    slug: str,
    n: Annotated[int, Path(ge=1, le=2**31 - 1)],
    staff: StaffOnly,
    session: SessionDep,
    confirm: bool = False,
) -> RestoredOut | JSONResponse:
    """Import revision n's document again as a new revision (attempts and scores kept)."""
    try:
        imported = await service.restore_revision(
            session=session, slug=slug, n=n, author=Author(staff.handle, staff.id), confirm=confirm
        )
    except ConfirmationRequired as exc:
        return confirmation_required(exc)
    return RestoredOut(quest=imported.quest, revision=imported.revision)
