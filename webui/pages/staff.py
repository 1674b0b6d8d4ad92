"""The staff console: quests (upload with every error shown, status, preview) and their charts."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from kit.time import utcnow
from quest.core.deps import BoardsDep, SessionDep, StateDep
from quest.core.errors import Invalid
from quest.play.catalog import find_challenge
from quest.quests import service, stats
from quest.quests.models import Quest
from quest.quests.revisions import Author, ConfirmationRequired, to_yaml
from quest.quests.schemas import QuestPatch
from quest.rehearsal import service as rehearsal
from webui import charts, formats
from webui.csrf import CsrfForm
from webui.deps import ReadSession, StaffPage, page_router
from webui.flash import flash
from webui.forms import FORM_ERROR
from webui.i18n import pick_lang, translate
from webui.pages.play import render_challenge
from webui.templates import redirect, render

router = page_router(prefix="/staff")
STATUSES = ("draft", "open", "paused", "closed")


@router.get("")
async def home(request: Request, session: ReadSession, user: StaffPage) -> Response:
    quests = await service.list_quests(session=session, include_draft=True)
    simulated = (await rehearsal.count(session=session, slug=None)).players
    return render(
        request, "staff/home.html", {"quests": quests, "errors": [], "simulated": simulated}
    )


async def _document(form: FormData) -> bytes | str | None:
    """The uploaded file, else the pasted text, else None."""
    upload = form.get("document")
    if isinstance(upload, UploadFile) and upload.filename:
        return await upload.read()
    text = form.get("text")
    if isinstance(text, str) and text.strip():
        return text
    return None


@router.post("/quests")
async def upload(
    request: Request, form: CsrfForm, session: SessionDep, user: StaffPage
) -> Response:
    """Nothing changes unless the whole document is valid; else every error is listed."""
    document = await _document(form)
    confirm = form.get("confirm") == "1"
    await form.close()
    errors = [{"path": "(document)", "message": "no file chosen"}]
    if document is not None:
        try:
            imported = await service.import_document(
                session=session,
                document=document,
                author=Author(user.handle, user.id),
                confirm=confirm,
            )
        except Invalid as exc:
            errors = exc.errors or []
        except ConfirmationRequired as exc:
            # Ask first: what happens to the solves, and the same document to send again.
            text = document.decode("utf-8") if isinstance(document, bytes) else document
            quests = await service.list_quests(session=session, include_draft=True)
            context = {"quests": quests, "errors": [], "affected": exc.affected, "text": text}
            return render(request, "staff/home.html", context, status_code=FORM_ERROR)
        else:
            response = redirect(request, "/staff")
            notice = "staff.imported" if imported.created else "staff.updated"
            flash(request, response, {"notice": notice, "params": {"slug": imported.quest.slug}})
            return response
    quests = await service.list_quests(session=session, include_draft=True)
    return render(
        request, "staff/home.html", {"quests": quests, "errors": errors}, status_code=FORM_ERROR
    )


@router.post("/quests/{slug}/status")
async def set_status(
    request: Request,
    slug: str,
    form: CsrfForm,
    session: SessionDep,
    boards: BoardsDep,
    user: StaffPage,
) -> Response:
    status = form.get("status")
    if status not in STATUSES:
        raise Invalid(code="invalid_status")
    change = QuestPatch.model_validate({"status": status})
    await service.change_quest(session=session, boards=boards, slug=slug, change=change)
    response = redirect(request, "/staff")
    flash(request, response, {"notice": "staff.status_set", "params": {"slug": slug}})
    return response


@router.get("/quests/{slug}")
async def quest_stats(
    request: Request, slug: str, session: ReadSession, user: StaffPage
) -> Response:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    lang = pick_lang(request)
    funnel = await stats.funnel(session=session, quest=quest)
    hourly = await stats.solves_per_hour(session=session, quest=quest, now=utcnow())
    per_challenge = await stats.per_challenge(session=session, quest=quest)
    funnel_svg = charts.bars(
        [
            (translate(lang, f"funnel.{s}"), n, formats.number(n, lang=lang))
            for s, n in funnel.steps()
        ],
        title=translate(lang, "staff.funnel"),
        desc=translate(
            lang,
            "staff.funnel_desc",
            rate=formats.percent(funnel.conversion_rate, lang=lang, digits=1),
        ),
    )
    hours = [(formats.when(at, lang=lang, tz=quest.timezone, style="time"), n) for at, n in hourly]
    hourly_svg = charts.line(
        hours,
        title=translate(lang, "staff.per_hour"),
        desc=translate(lang, "staff.per_hour_desc", n=sum(n for _, n in hours)),
    )
    hot = {
        i for i, r in enumerate(per_challenge) if r.solve_rate is not None and r.solve_rate < 0.3
    }
    rate_svg = charts.bars(
        [
            (r.title, 100 * (r.solve_rate or 0), formats.percent(r.solve_rate, lang=lang))
            for r in per_challenge
        ],
        title=translate(lang, "staff.solve_rate"),
        desc=translate(lang, "staff.solve_rate_desc"),
        maximum=100,
        hot=hot,
    )
    return render(
        request,
        "staff/quest.html",
        {
            "quest": quest,
            "funnel": funnel,
            "steps": [s for s, _ in funnel.steps()],
            "funnel_svg": funnel_svg,
            "hourly_svg": hourly_svg,
            "rate_svg": rate_svg,
            "rows": per_challenge,
            "hot": hot,
        },
    )


@router.get("/quests/{slug}/export")
async def export(request: Request, slug: str, session: ReadSession, user: StaffPage) -> Response:
    """The quest's document as a YAML download (booth secrets included: staff only)."""
    document = await service.quest_document(session=session, slug=slug)
    return Response(
        to_yaml(document),
        media_type="application/yaml; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{slug}.yaml"',
            "Cache-Control": "no-store",
        },
    )


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
    challenge = await find_challenge(session=session, quest=quest, slug=challenge_slug)
    return await render_challenge(request, session, state, quest, challenge, user, preview=True)
