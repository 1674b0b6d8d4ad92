"""HTTP for the job listing module (public jobs, jobseekers, the handoff receiver).

The app builds it with `create_router(current_principal=..., handoff_secret=...)`;
the recruiter routes live in `jobs.recruiter_routes`.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from jobs import handoff, service
from jobs.deps import RECRUITER_ROLES, Principal, PrincipalDependency, SessionDep, require_role
from jobs.errors import JobsError, not_a_jobseeker
from jobs.matching import JobCatalogue, Seeker, best_matches
from jobs.recruiter_routes import add_recruiter_routes
from jobs.responses import (
    HandoffAck,
    HiringOrganization,
    InterestOut,
    JobDetail,
    JobItem,
    JobMatch,
    JobMatches,
    JobPage,
)

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0)]


def create_router(*, current_principal: PrincipalDependency, handoff_secret: str) -> APIRouter:
    """Every route of the module; `current_principal` raises 401 itself when nobody is signed in."""
    router = APIRouter(tags=["jobs"])
    _add_job_routes(router)
    _add_jobseeker_routes(router, current_principal, JobCatalogue())
    _add_handoff_route(router, Webhook(handoff_secret))
    add_recruiter_routes(
        router,
        recruiter=require_role(current_principal, RECRUITER_ROLES),
        staff=require_role(current_principal, frozenset({"staff"})),
    )
    return router


def _add_job_routes(router: APIRouter) -> None:
    @router.get("/api/jobs", response_model=JobPage)
    async def list_jobs(
        session: SessionDep,
        sector: str | None = None,
        level: str | None = None,
        degree: Annotated[
            str | None, Query(description="Jobs a holder of this degree qualifies for")
        ] = None,
        region: str | None = None,
        programme: str | None = None,
        q: Annotated[str | None, Query(max_length=200)] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> JobPage:
        where = service.job_filters(
            sector=sector, level=level, degree=degree, region=region, programme=programme, q=q
        )
        total, rows = await service.list_jobs(
            session=session, where=where, limit=limit, offset=offset
        )
        return JobPage(total=total, items=[JobItem.of(job, name) for job, name in rows])

    @router.get("/api/jobs/{job_id}", response_model=JobDetail)
    async def get_job(job_id: int, session: SessionDep) -> JobDetail:
        job, company = await service.get_job(session=session, job_id=job_id)
        return JobDetail(
            **JobItem.of(job, company.name).model_dump(),
            description=job.description,
            hiring_organization=HiringOrganization.of(company),
            employment_type=job.employment_type,
            date_posted=job.date_posted,
            valid_through=job.valid_through,
            skills=list(job.skills),
        )


def _add_jobseeker_routes(
    router: APIRouter, current_principal: PrincipalDependency, catalogue: JobCatalogue
) -> None:
    @router.get("/api/me/job-matches", response_model=JobMatches)
    async def job_matches(
        principal: Annotated[Principal, Depends(current_principal)],
        session: SessionDep,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> JobMatches:
        candidate = await service.jobseeker_for(session=session, account_id=principal.id)
        if candidate is None:
            raise not_a_jobseeker()
        jobs = await catalogue.jobs(session=session)
        ranked = best_matches(Seeker.of(candidate), jobs, limit)
        return JobMatches(
            items=[JobMatch(job=job.item, score=s, why=why) for s, why, job in ranked]
        )

    @router.post("/api/jobs/{job_id}/interest", response_model=InterestOut, status_code=201)
    async def express_interest(
        principal: Annotated[Principal, Depends(current_principal)],
        job_id: int,
        session: SessionDep,
        response: Response,
    ) -> InterestOut:
        candidate = await service.jobseeker_for(session=session, account_id=principal.id)
        if candidate is None:
            raise not_a_jobseeker()
        created_at, created = await service.express_interest(
            session=session, candidate=candidate, job_id=job_id
        )
        if not created:
            response.status_code = 200
        return InterestOut(job_id=job_id, created_at=created_at)


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
