"""Public job listings (`/jobs`, `/jobs/{id}`), and for a jobseeker: matches and interest.

Each page calls the `jobs/` service function its API twin calls: `search_jobs`
(`GET /api/jobs`), `job_detail` (`GET /api/jobs/{id}`), `job_matches`
(`GET /api/me/job-matches`) and `express_interest` (`POST /api/jobs/{id}/interest`).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.responses import Response

from jobs import matching, service
from jobs.deps import CatalogueDep
from jobs.matching import JobCatalogue
from jobs.models import Candidate
from jobs.responses import JobItem, JobMatch
from jobs.schemas import (
    EDUCATION_LEVELS,
    EXPERIENCE_LEVELS,
    PROGRAMMES,
    REGION_LABELS,
    REGIONS,
    SECTORS,
)
from kit.bounds import Id
from quest.accounts.service import Principal
from quest.core.deps import SessionDep
from quest.live.links import public_url
from webui.csrf import CsrfForm
from webui.deps import PageUser, PlayerPage, ReadSession, page_router
from webui.flash import flash
from webui.i18n import pick_lang, translate
from webui.pages.jobs_common import (
    PAGE_SIZE,
    choice,
    label,
    page_errors,
    page_number,
    pager,
    text,
)
from webui.pages.jobs_ld import job_posting, script_body
from webui.templates import redirect, render, safe_next

router = page_router()
MATCHES = 5
VOCAB = {
    "sectors": SECTORS,
    "levels": EXPERIENCE_LEVELS,
    "degrees": EDUCATION_LEVELS,
    "regions": REGIONS,
    "programmes": PROGRAMMES,
}
_REGION_OF_LABEL = {name: code for code, name in REGION_LABELS.items()}
_DEGREE_REASONS = {
    "No degree required": "jobs.why.degree_other",
    "Open to bachelor's graduates": "jobs.why.degree_bachelor",
    "Your degree meets the master's requirement": "jobs.why.degree_master",
    "Your PhD meets the requirement": "jobs.why.degree_phd",
    "Your degree meets the requirement": "jobs.why.degree_any",
    "Based in Hong Kong, like you": "jobs.why.region_hk",
}
_OPEN_TO = re.compile(r"^Open to (.+) talent$")
_FIELD = re.compile(r"^Uses your (.+) background(?:: (.+))?$")


def why_text(lang: str, reason: str, item: JobItem) -> str:
    """One of the matching service's reasons in the page's language (as is if unknown)."""
    if reason.startswith("In your sector: "):
        return translate(lang, "jobs.why.sector", sector=label(lang, "sector", item.sector))
    level = label(lang, "jobs.level", item.level)
    if reason.endswith(" level, like you"):
        return translate(lang, "jobs.why.level_same", level=level)
    if reason.endswith(" level: a step up"):
        return translate(lang, "jobs.why.level_up", level=level)
    if key := _DEGREE_REASONS.get(reason):
        return translate(lang, key)
    if (m := _OPEN_TO.match(reason)) and m.group(1) in _REGION_OF_LABEL:
        region = label(lang, "region", _REGION_OF_LABEL[m.group(1)])
        return translate(lang, "jobs.why.region_open", region=region)
    if m := _FIELD.match(reason):
        if m.group(2):
            return translate(lang, "jobs.why.field_skills", field=m.group(1), skills=m.group(2))
        return translate(lang, "jobs.why.field", field=m.group(1))
    return reason


async def seeker_context(session: AsyncSession, user: Principal | None) -> dict[str, Any]:
    """For a signed-in player: their candidate record (if received) and jobs they liked."""
    if user is None or user.role != "player":
        return {"seeker": None, "candidate": None, "interested": set()}
    candidate = await service.jobseeker_for(session=session, account_id=user.id)
    if candidate is None:
        return {"seeker": "none", "candidate": None, "interested": set()}
    return {
        "seeker": "sharing" if candidate.consent else "paused",
        "candidate": candidate,
        "interested": await service.interested_job_ids(
            session=session, candidate_id=candidate.candidate_id
        ),
    }


async def matches_for(
    session: AsyncSession, catalogue: JobCatalogue, candidate: Candidate, lang: str
) -> list[JobMatch]:
    """The best jobs for the candidate, with the reasons in the page's language."""
    found = await matching.job_matches(
        session=session, catalogue=catalogue, candidate=candidate, limit=MATCHES
    )
    return [
        m.model_copy(update={"why": [why_text(lang, reason, m.job) for reason in m.why]})
        for m in found.items
    ]


@router.get("/jobs")
async def jobs_page(
    request: Request, session: ReadSession, user: PageUser, catalogue: CatalogueDep
) -> Response:
    params = request.query_params
    filters = {
        "sector": choice(params, "sector", SECTORS),
        "level": choice(params, "level", EXPERIENCE_LEVELS),
        "degree": choice(params, "degree", EDUCATION_LEVELS),
        "region": choice(params, "region", REGIONS),
        "programme": choice(params, "programme", PROGRAMMES),
        "q": text(params, "q"),
    }
    page = page_number(params)
    with page_errors():
        found = await service.search_jobs(
            session=session,
            filters=service.JobFilters(**{k: v or None for k, v in filters.items()}),
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    context = await seeker_context(session, user)
    matches = []
    if context["candidate"] is not None and page == 1:
        matches = await matches_for(session, catalogue, context["candidate"], pick_lang(request))
    return render(
        request,
        "jobs/list.html",
        {
            **context,
            "filters": filters,
            "filtered": any(filters.values()),
            "items": found.items,
            "pager": pager("/jobs", filters, page, found.total),
            "matches": matches,
            "vocab": VOCAB,
            "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        },
    )


@router.get("/jobs/{job_id}")
async def job_page(request: Request, job_id: Id, session: ReadSession, user: PageUser) -> Response:
    with page_errors():
        job = await service.job_detail(session=session, job_id=job_id)
    context = await seeker_context(session, user)
    return render(
        request,
        "jobs/detail.html",
        {
            **context,
            "job": job,
            "item": job,
            "company": job.hiring_organization,
            "here": f"/jobs/{job_id}",
            "job_ld": script_body(job_posting(job, url=public_url(request, f"/jobs/{job_id}"))),
        },
    )


@router.get("/jobs/{job_id}/interest")
async def interest_get(request: Request, job_id: Id) -> Response:
    """Someone who followed the form's address (e.g. back after logging in): the job page."""
    return redirect(request, f"/jobs/{job_id}")


@router.post("/jobs/{job_id}/interest")
async def interest(
    request: Request, job_id: Id, user: PlayerPage, form: CsrfForm, session: SessionDep
) -> Response:
    """One click: the same service as `POST /api/jobs/{id}/interest`."""
    with page_errors():
        interest = await service.express_interest(
            session=session, account_id=user.id, job_id=job_id
        )
    back = safe_next(str(form.get("next") or ""), f"/jobs/{job_id}")
    response = redirect(request, back)
    notice = "jobs.interest_sent" if interest.created else "jobs.interest_already"
    flash(request, response, {"notice": notice})
    return response
