"""HTTP for the job listing module (public jobs, jobseekers, the handoff receiver).

The app builds it with `create_router(current_principal=..., handoff_secret=...)`;
the recruiter routes live in `jobs.recruiter_routes`.
"""

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from jobs import handoff, matching, service
from jobs.deps import (
    RECRUITER_ROLES,
    CatalogueDep,
    Principal,
    PrincipalDependency,
    ReadSessionDep,
    SessionDep,
    require_role,
)
from jobs.errors import JobsError
from jobs.recruiter_routes import add_recruiter_routes
from jobs.responses import HandoffAck, InterestOut, JobDetail, JobMatches, JobPage
from kit.bounds import Id, MatchLimit, Offset, PageLimit
from kit.flight import SingleFlight


def create_router(*, current_principal: PrincipalDependency, handoff_secret: str) -> APIRouter:
    """Every route of the module; `current_principal` raises 401 itself when nobody is signed in."""
    router = APIRouter(tags=["jobs"])
    _add_job_routes(router)
    _add_jobseeker_routes(router, current_principal)
    _add_handoff_route(router, Webhook(handoff_secret))
    add_recruiter_routes(
        router,
        recruiter=require_role(current_principal, RECRUITER_ROLES),
        staff=require_role(current_principal, frozenset({"staff"})),
    )
    return router


def _add_job_routes(router: APIRouter) -> None:
    searches: SingleFlight[bytes] = SingleFlight()  # this app's identical searches in flight

    @router.get("/api/jobs", response_model=JobPage)
    async def list_jobs(
        request: Request,
        sector: str | None = None,
        level: str | None = None,
        degree: Annotated[
            str | None, Query(description="Jobs a holder of this degree qualifies for")
        ] = None,
        region: str | None = None,
        programme: str | None = None,
        q: Annotated[str | None, Query(max_length=200)] = None,
        limit: PageLimit = 20,
        offset: Offset = 0,
    ) -> Response:
        """Identical searches in flight at the same moment share one query and one encoding."""
        filters = service.JobFilters(
            sector=sector, level=level, degree=degree, region=region, programme=programme, q=q
        )
        service.check_filters(filters)  # 422 before joining anyone's search
        maker: async_sessionmaker[AsyncSession] = request.app.state.readmaker

        async def search() -> bytes:
            async with maker() as session:
                page = await service.search_jobs(
                    session=session, filters=filters, limit=limit, offset=offset
                )
            return orjson.dumps(page.model_dump())

        body = await searches.run((filters, limit, offset), search)
        return Response(body, media_type="application/json")

    @router.get("/api/jobs/{job_id}", response_model=JobDetail)
    async def get_job(job_id: Id, session: ReadSessionDep) -> JobDetail:
        return await service.job_detail(session=session, job_id=job_id)


def _add_jobseeker_routes(router: APIRouter, current_principal: PrincipalDependency) -> None:
    @router.get("/api/me/job-matches", response_model=JobMatches)
    async def job_matches(
        principal: Annotated[Principal, Depends(current_principal)],
        session: ReadSessionDep,
        catalogue: CatalogueDep,
        limit: MatchLimit = 10,
    ) -> JobMatches:
        candidate = await service.require_jobseeker(session=session, account_id=principal.id)
        return await matching.job_matches(
            session=session, catalogue=catalogue, candidate=candidate, limit=limit
        )

    @router.post("/api/jobs/{job_id}/interest", response_model=InterestOut, status_code=201)
    async def express_interest(
        principal: Annotated[Principal, Depends(current_principal)],
        job_id: Id,
        session: SessionDep,
        response: Response,
    ) -> InterestOut:
        interest = await service.express_interest(
            session=session, account_id=principal.id, job_id=job_id
        )
        if not interest.created:
            response.status_code = 200
        return InterestOut(job_id=job_id, created_at=interest.created_at)


def _add_handoff_route(router: APIRouter, webhook: Webhook) -> None:
    @router.post(
        "/api/jobs/handoff",
        response_model=HandoffAck,
        summary="Receive a handoff event (Standard Webhooks v1)",
    )
    async def receive_handoff(request: Request, session: SessionDep) -> HandoffAck:
        body = await request.body()
        try:
            webhook.verify(body, dict(request.headers), json_parse=False)
        except (WebhookVerificationError, ValueError) as exc:
            # ValueError: malformed signature header, bad base64 or a non-UTF-8 body.
            raise JobsError(
                401, "invalid_signature", "The webhook signature or timestamp is not valid."
            ) from exc
        status = await handoff.receive(
            session=session, webhook_id=request.headers["webhook-id"], body=body
        )
        return HandoffAck(status=status)
