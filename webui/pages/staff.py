"""The staff console: quests (upload with every error shown, status, preview) and their charts."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from kit.time import utcnow
from quest.core.db import on_commit
from quest.core.deps import SessionDep, StateDep
from quest.core.errors import Invalid
from quest.quests import service, stats
from quest.quests.caches import clear_caches
from quest.quests.content import ContentError, parse_text, validate
from quest.quests.content import import_quest as do_import
from quest.quests.models import Quest
from webui import charts
from webui.csrf import CsrfForm
from webui.deps import ReadSession, StaffPage, page_router
from webui.flash import flash
from webui.forms import FORM_ERROR
from webui.i18n import pick_lang, translate
from webui.pages.play import find_challenge, render_challenge
from webui.templates import redirect, render, when

router = page_router(prefix="/staff")
STATUSES = ("draft", "open", "paused", "closed")


async def console(session: Any) -> dict[str, Any]:
    return {"quests": await service.list_quests(session=session, include_draft=True)}


@router.get("")
async def home(request: Request, session: ReadSession, user: StaffPage) -> Response:
    return render(request, "staff/home.html", {**await console(session), "errors": []})


async def _document(form: Any) -> str:
    upload = form.get("document")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read()
        try:
            return str(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ContentError([{"path": "(document)", "message": "not UTF-8 text"}]) from None
    text = form.get("text")
    if isinstance(text, str) and text.strip():
        return text
    raise ContentError([{"path": "(document)", "message": "no file chosen"}])


@router.post("/quests")
async def upload(
    request: Request, form: CsrfForm, session: SessionDep, user: StaffPage
) -> Response:
    """Validate the whole document first; nothing changes unless it is entirely valid."""
    try:
        doc = validate(parse_text(await _document(form)))
    except ContentError as exc:
        await form.close()
        return render(
            request,
            "staff/home.html",
            {**await console(session), "errors": exc.errors},
            status_code=FORM_ERROR,
        )
    await form.close()
    quest, created = await do_import(session=session, doc=doc)
    response = redirect(request, "/staff")
    notice = "staff.imported" if created else "staff.updated"
    flash(request, response, {"notice": notice, "params": {"slug": quest.slug}})
    return response


@router.post("/quests/{slug}/status")
async def set_status(
    request: Request, slug: str, form: CsrfForm, session: SessionDep, user: StaffPage
) -> Response:
    status = form.get("status")
    if status not in STATUSES:
        raise Invalid(code="invalid_status")
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    quest.status, quest.updated_at = str(status), utcnow()
    session.add(quest)
    on_commit(session, clear_caches)
    response = redirect(request, "/staff")
    flash(request, response, {"notice": "staff.status_set", "params": {"slug": slug}})
    return response


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@router.get("/quests/{slug}")
async def quest_stats(
    request: Request, slug: str, session: ReadSession, user: StaffPage
) -> Response:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    lang = pick_lang(request)
    funnel = await stats.funnel(session=session, quest=quest)
    hourly = await stats.solves_per_hour(session=session, quest=quest, now=utcnow())
    rows = await stats.per_challenge(session=session, quest=quest)
    steps = ("registered", "active", "completed_track", "completed_quest", "converted")
    funnel_svg = charts.bars(
        [(translate(lang, f"funnel.{s}"), funnel[s], f"{funnel[s]:,}") for s in steps],
        title=translate(lang, "staff.funnel"),
        desc=translate(lang, "staff.funnel_desc", rate=f"{funnel['conversion_rate']:.1%}"),
    )
    context = {"lang": lang}
    hours = [(when(context, at, quest.timezone, "time"), n) for at, n in hourly]
    hourly_svg = charts.line(
        hours,
        title=translate(lang, "staff.per_hour"),
        desc=translate(lang, "staff.per_hour_desc", n=sum(n for _, n in hours)),
    )
    hot = {i for i, r in enumerate(rows) if r["solve_rate"] is not None and r["solve_rate"] < 0.3}
    rate_svg = charts.bars(
        [(r["title"], 100 * (r["solve_rate"] or 0), _pct(r["solve_rate"])) for r in rows],
        title=translate(lang, "staff.solve_rate"),
        desc=translate(lang, "staff.solve_rate_desc"),
        maximum=100,
        hot=hot,
    )
    for r in rows:
        r["median"] = _duration(r["median_s"])
        r["rate"] = _pct(r["solve_rate"])
    return render(
        request,
        "staff/quest.html",
        {
            "quest": quest,
            "funnel": funnel,
            "steps": steps,
            "funnel_svg": funnel_svg,
            "hourly_svg": hourly_svg,
            "rate_svg": rate_svg,
            "hours": hours,
            "rows": rows,
            "hot": hot,
        },
    )


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


@router.get("/quests/{slug}/preview/{challenge_slug}")
async def preview(
    request: Request,
    slug: str,
    challenge_slug: str,
    session: ReadSession,
    state: StateDep,
    user: StaffPage,
) -> Response:
    quest: Quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    challenge = await find_challenge(session, quest, challenge_slug)
    return await render_challenge(request, session, state, quest, challenge, user, preview=True)


def quest_link(slug: str) -> str:
    return f"/staff/quests/{quote(slug)}"
