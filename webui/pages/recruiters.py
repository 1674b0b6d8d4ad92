"""The recruiter console (role recruiter or staff): candidate search, one candidate with
private notes, the shortlist.

Every search, view and list calls the `jobs.recruiters` function its API twin calls, which
writes the audit record itself (so the writer session), so the audit trail cannot tell a
page from an API call. Only consenting candidates exist for these services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import Response

from jobs import recruiters
from jobs.responses import CandidateItem
from jobs.schemas import EDUCATION_LEVELS, EXPERIENCE_LEVELS, REGIONS, SECTORS
from quest.accounts.service import Principal
from quest.core.deps import SessionDep
from webui.csrf import CsrfForm
from webui.deps import RecruiterPage, page_router
from webui.flash import flash
from webui.forms import FORM_ERROR
from webui.i18n import pick_lang, translate
from webui.pages.jobs_common import (
    PAGE_SIZE,
    badge_label,
    choice,
    page_errors,
    page_number,
    pager,
    safe_links,
    text,
)
from webui.templates import redirect, render, safe_next

router = page_router(prefix="/recruiters")
NOTE_MAX = 2000
VOCAB = {
    "sectors": SECTORS,
    "education": EDUCATION_LEVELS,
    "experience": EXPERIENCE_LEVELS,
    "regions": REGIONS,
}


def percentile_filter(raw: str) -> tuple[str, float | None, bool]:
    """(the text to show back, the number to filter on, whether it was valid)."""
    raw = raw.strip()
    if not raw:
        return "", None, True
    try:
        value = float(raw)
    except ValueError:
        return raw[:20], None, False
    if not 0 <= value <= 100:
        return raw[:20], None, False
    return raw, value, True


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """A candidate card in a list, badges in the page's language."""

    id: str
    full_name: str
    education_level: str
    experience_level: str
    sectors: list[str]
    regions: list[str]
    score: int
    percentile: float
    badges: list[str]
    tracks: list[str]
    converted_at: datetime


def row(candidate: CandidateItem, lang: str) -> CandidateRow:
    return CandidateRow(
        id=candidate.id,
        full_name=candidate.full_name,
        education_level=candidate.education_level,
        experience_level=candidate.experience_level,
        sectors=candidate.sectors,
        regions=candidate.regions,
        score=candidate.assessment.score,
        percentile=candidate.assessment.percentile,
        badges=[badge_label(lang, b) for b in candidate.assessment.badges],
        tracks=candidate.assessment.tracks_completed,
        converted_at=candidate.converted_at,
    )


@router.get("")
async def search(request: Request, user: RecruiterPage, session: SessionDep) -> Response:
    params = request.query_params
    shown, min_percentile, valid = percentile_filter(params.get("min_percentile", ""))
    filters = {
        "q": text(params, "q"),
        "sector": choice(params, "sector", SECTORS),
        "education_level": choice(params, "education_level", EDUCATION_LEVELS),
        "experience_level": choice(params, "experience_level", EXPERIENCE_LEVELS),
        "region": choice(params, "region", REGIONS),
        "min_percentile": shown if valid else "",
        "sort": choice(params, "sort", recruiters.SORTS) or "score",
    }
    page = page_number(params)
    with page_errors():
        found = await recruiters.search(
            session=session,
            recruiter_id=user.id,
            filters=recruiters.CandidateFilters(
                sector=filters["sector"] or None,
                education_level=filters["education_level"] or None,
                experience_level=filters["experience_level"] or None,
                region=filters["region"] or None,
                min_percentile=min_percentile,
                q=filters["q"] or None,
                sort="date" if filters["sort"] == "date" else "score",
            ),
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            query=request.url.query,
        )
    lang = pick_lang(request)
    csv_query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "recruiters/search.html",
        {
            "filters": filters,
            "shown_percentile": shown,
            "errors": {} if valid else {"min_percentile": translate(lang, "recruiters.bad_pct")},
            "filtered": any(v for k, v in filters.items() if k != "sort"),
            "rows": [row(c, lang) for c in found.items],
            "pager": pager("/recruiters", filters, page, found.total),
            "csv_url": "/api/recruiter/candidates.csv" + (f"?{csv_query}" if csv_query else ""),
            "vocab": VOCAB,
            "here": "/recruiters" + (f"?{request.url.query}" if request.url.query else ""),
        },
    )


async def candidate_context(
    request: Request, session: AsyncSession, user: Principal, candidate_id: str
) -> dict[str, Any]:
    """The profile as `GET /api/recruiter/candidates/{id}` gives it (audited as a view)."""
    with page_errors():
        seen = await recruiters.view(
            session=session, recruiter_id=user.id, candidate_id=candidate_id
        )
    lang = pick_lang(request)
    return {
        "c": seen,
        "links": safe_links(seen.links),
        "badges": [badge_label(lang, b) for b in seen.assessment.badges],
        "here": f"/recruiters/candidates/{candidate_id}",
        "note": "",
        "errors": {},
    }


@router.get("/candidates/{candidate_id}")
async def candidate(
    request: Request, candidate_id: str, user: RecruiterPage, session: SessionDep
) -> Response:
    context = await candidate_context(request, session, user, candidate_id)
    return render(request, "recruiters/candidate.html", context)


@router.post("/candidates/{candidate_id}/notes")
async def add_note(
    request: Request, candidate_id: str, user: RecruiterPage, form: CsrfForm, session: SessionDep
) -> Response:
    raw = form.get("text")
    note = raw.strip() if isinstance(raw, str) else ""
    error = (
        "recruiters.note_empty"
        if not note
        else "recruiters.note_too_long"
        if len(note) > NOTE_MAX
        else None
    )
    if error is not None:
        context = await candidate_context(request, session, user, candidate_id)
        context.update(note=raw or "", errors={"text": translate(pick_lang(request), error)})
        return render(request, "recruiters/candidate.html", context, status_code=FORM_ERROR)
    with page_errors():
        await recruiters.add_note(
            session=session, recruiter_id=user.id, candidate_id=candidate_id, text=note
        )
    response = redirect(request, f"/recruiters/candidates/{candidate_id}#notes-h")
    flash(request, response, {"notice": "recruiters.note_added"})
    return response


def back_to(request: Request, form: FormData, candidate_id: str, notice: str) -> Response:
    """Back where the form came from (the candidate by default), with a notice."""
    back = safe_next(str(form.get("next") or ""), f"/recruiters/candidates/{candidate_id}")
    response = redirect(request, back)
    flash(request, response, {"notice": notice})
    return response


@router.post("/candidates/{candidate_id}/shortlist")
async def shortlist(
    request: Request, candidate_id: str, user: RecruiterPage, form: CsrfForm, session: SessionDep
) -> Response:
    with page_errors():
        await recruiters.shortlist(session=session, recruiter_id=user.id, candidate_id=candidate_id)
    return back_to(request, form, candidate_id, "recruiters.shortlisted_now")


@router.post("/candidates/{candidate_id}/unshortlist")
async def unshortlist(
    request: Request, candidate_id: str, user: RecruiterPage, form: CsrfForm, session: SessionDep
) -> Response:
    with page_errors():
        await recruiters.unshortlist(
            session=session, recruiter_id=user.id, candidate_id=candidate_id
        )
    return back_to(request, form, candidate_id, "recruiters.unshortlisted_now")


@router.get("/shortlist")
async def shortlist_page(request: Request, user: RecruiterPage, session: SessionDep) -> Response:
    with page_errors():
        listed = await recruiters.shortlisted(session=session, recruiter_id=user.id)
    lang = pick_lang(request)
    return render(
        request,
        "recruiters/shortlist.html",
        {"rows": [row(c, lang) for c in listed.items], "here": "/recruiters/shortlist"},
    )
