"""HTTP for recruiters (role recruiter or staff) and the staff-only audit trail."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from jobs import recruiters
from jobs.deps import Principal, ReadSessionDep, SessionDep
from jobs.errors import JobsError
from jobs.responses import (
    AuditPage,
    CandidatePage,
    CandidateProfileOut,
    NoteIn,
    NoteOut,
    ShortlistOut,
)
from jobs.service import check_choice
from kit.bounds import AdminLimit, ExportLimit, Offset, PageLimit

RoleDependency = Callable[..., Awaitable[Principal]]


def candidate_search(
    sector: str | None = None,
    education_level: str | None = None,
    experience_level: str | None = None,
    region: str | None = None,
    min_percentile: Annotated[float | None, Query(ge=0, le=100)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: str = "score",
) -> recruiters.CandidateFilters:
    """The recruiter search's query parameters (a bad `sort` is 422 invalid_filter)."""
    return recruiters.CandidateFilters(
        sector=sector,
        education_level=education_level,
        experience_level=experience_level,
        region=region,
        min_percentile=min_percentile,
        q=q,
        sort="date" if check_choice("sort", sort, recruiters.SORTS) == "date" else "score",
    )


CandidateSearch = Annotated[recruiters.CandidateFilters, Depends(candidate_search)]


def add_recruiter_routes(
    router: APIRouter, *, recruiter: RoleDependency, staff: RoleDependency
) -> None:
    # Searches, views and exports are audited, so they write: the writer session.
    @router.get("/api/recruiter/candidates", response_model=CandidatePage, tags=["recruiters"])
    async def search_candidates(
        principal: Annotated[Principal, Depends(recruiter)],
        request: Request,
        session: SessionDep,
        search: CandidateSearch,
        limit: PageLimit = 20,
        offset: Offset = 0,
    ) -> CandidatePage:
        return await recruiters.search(
            session=session,
            recruiter_id=principal.id,
            filters=search,
            limit=limit,
            offset=offset,
            query=request.url.query,
        )

    @router.get("/api/recruiter/candidates.csv", tags=["recruiters"], response_class=Response)
    async def export_candidates(
        principal: Annotated[Principal, Depends(recruiter)],
        request: Request,
        session: SessionDep,
        search: CandidateSearch,
        limit: ExportLimit = 10_000,
    ) -> Response:
        table = await recruiters.export_csv(
            session=session,
            recruiter_id=principal.id,
            filters=search,
            limit=limit,
            query=request.url.query,
        )
        return Response(
            table,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="candidates.csv"'},
        )

    @router.get(
        "/api/recruiter/candidates/{candidate_id}",
        response_model=CandidateProfileOut,
        tags=["recruiters"],
    )
    async def view_candidate(
        principal: Annotated[Principal, Depends(recruiter)],
        candidate_id: str,
        session: SessionDep,
    ) -> CandidateProfileOut:
        return await recruiters.view(
            session=session, recruiter_id=principal.id, candidate_id=candidate_id
        )

    @router.post(
        "/api/recruiter/candidates/{candidate_id}/notes",
        response_model=NoteOut,
        status_code=201,
        tags=["recruiters"],
    )
    async def add_note(
        principal: Annotated[Principal, Depends(recruiter)],
        candidate_id: str,
        note: NoteIn,
        session: SessionDep,
    ) -> NoteOut:
        if not note.text.strip():
            raise JobsError(422, "empty_note", "A note needs some text.")
        return await recruiters.add_note(
            session=session, recruiter_id=principal.id, candidate_id=candidate_id, text=note.text
        )

    @router.get("/api/recruiter/shortlist", response_model=CandidatePage, tags=["recruiters"])
    async def list_shortlist(
        principal: Annotated[Principal, Depends(recruiter)],
        session: SessionDep,
    ) -> CandidatePage:
        return await recruiters.shortlisted(session=session, recruiter_id=principal.id)

    @router.post(
        "/api/recruiter/shortlist/{candidate_id}",
        response_model=ShortlistOut,
        status_code=201,
        tags=["recruiters"],
    )
    async def add_to_shortlist(
        principal: Annotated[Principal, Depends(recruiter)],
        candidate_id: str,
        session: SessionDep,
        response: Response,
    ) -> ShortlistOut:
        if not await recruiters.shortlist(
            session=session, recruiter_id=principal.id, candidate_id=candidate_id
        ):
            response.status_code = 200
        return ShortlistOut(candidate_id=candidate_id, shortlisted=True)

    @router.delete("/api/recruiter/shortlist/{candidate_id}", status_code=204, tags=["recruiters"])
    async def remove_from_shortlist(
        principal: Annotated[Principal, Depends(recruiter)],
        candidate_id: str,
        session: SessionDep,
    ) -> Response:
        await recruiters.unshortlist(
            session=session, recruiter_id=principal.id, candidate_id=candidate_id
        )
        return Response(status_code=204)

    @router.get("/api/admin/recruiter-audit", response_model=AuditPage, tags=["staff"])
    async def recruiter_audit(
        _staff: Annotated[Principal, Depends(staff)],
        session: ReadSessionDep,
        limit: AdminLimit = 50,
        offset: Offset = 0,
    ) -> AuditPage:
        return await recruiters.audit_page(session=session, limit=limit, offset=offset)
