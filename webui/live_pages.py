"""Kiosk pages of the live event: the big screen, a booth's screen, the staff console.

Standalone pages (no site layout): they must run for hours on a screen across a hall.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from kit.time import utcnow
from leaderboard.errors import UnknownScope
from leaderboard.windows import resolve_scope
from quest.core.deps import OptionalPrincipal, StateDep
from quest.live.router import public_url, qr_svg
from quest.live.service import meta_from
from quest.quests.models import Quest, Track

HERE = Path(__file__).parent
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
)
router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Include the pages, and serve /static if nobody mounted it yet."""
    app.include_router(router)
    if not any(isinstance(r, Mount) and r.path == "/static" for r in app.routes):
        app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def _plain(status: int, message: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><meta charset='utf-8'><title>{status}</title>"
        f"<body style='font:2vw system-ui;padding:4vw'><h1>{status}</h1><p>{message}</p>",
        status_code=status,
    )


def _staff_gate(request: Request, principal: Any) -> Response | None:
    """None for staff; otherwise a redirect to sign in (if the site has /login) or an error."""
    if principal is None:
        has_login = any(getattr(r, "path", None) == "/login" for r in request.app.routes)
        if has_login:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?next=" + quote(here, safe="/"), status_code=303)
        return _plain(401, "Sign in as staff to open this screen.")
    if principal.role != "staff":
        return _plain(403, "This screen is for event staff.")
    return None


async def _quest(
    state: Any, slug: str, *, include_draft: bool = False
) -> tuple[Quest, list[Track]] | None:
    from sqlmodel import col, select

    async with state.readmaker() as session:
        quest = (await session.exec(select(Quest).where(Quest.slug == slug))).first()
        if quest is None or (quest.status == "draft" and not include_draft):
            return None
        tracks = (
            await session.exec(
                select(Track).where(Track.quest_id == quest.id, col(Track.position) >= 0)
            )
        ).all()
    return quest, list(tracks)


@router.get("/board/{slug}", response_class=HTMLResponse)
async def big_screen(
    slug: str, request: Request, state: StateDep, scope: str = "all", limit: str = "10"
) -> Response:
    found = await _quest(state, slug)
    if found is None:
        return _plain(404, "No such quest.")
    meta = meta_from(*found)
    rows = int(limit) if limit.isdigit() and 1 <= int(limit) <= 20 else 10
    try:
        resolve_scope(scope, now=utcnow(), tz=meta.tz, tracks=list(meta.tracks))
    except UnknownScope as exc:
        return _plain(422, str(exc))
    quest, tracks = found
    join = public_url(request, f"/play/{slug}")
    label = scope
    if scope.startswith("track:"):
        label = next((t.title for t in tracks if f"track:{t.slug}" == scope), scope)
    ws_path = f"/ws/quests/{quote(slug)}/leaderboard?scope={quote(scope)}&limit={rows}"
    return templates.TemplateResponse(
        request,
        "board/board.html",
        {
            "title": quest.title,
            "scope": scope,
            "scope_label": label,
            "limit": rows,
            "ws_path": ws_path,
            "join_url": join,
            "qr": qr_svg(join, scale=6),
        },
    )


@router.get("/staff/booths/{slug}/{booth}", response_class=HTMLResponse)
async def booth_screen(
    slug: str, booth: str, request: Request, state: StateDep, principal: OptionalPrincipal
) -> Response:
    gate = _staff_gate(request, principal)
    if gate is not None:
        return gate
    found = await _quest(state, slug, include_draft=True)
    if found is None:
        return _plain(404, "No such quest.")
    return templates.TemplateResponse(
        request,
        "board/booth.html",
        {
            "title": found[0].title,
            "booth": booth,
            "code_url": f"/api/admin/booths/{quote(slug)}/{quote(booth)}/code",
        },
    )


@router.get("/staff/live/{slug}", response_class=HTMLResponse)
async def staff_console(
    slug: str, request: Request, state: StateDep, principal: OptionalPrincipal
) -> Response:
    gate = _staff_gate(request, principal)
    if gate is not None:
        return gate
    found = await _quest(state, slug, include_draft=True)
    if found is None:
        return _plain(404, "No such quest.")
    quest, _ = found
    return templates.TemplateResponse(
        request,
        "board/live.html",
        {"title": quest.title, "slug": quest.slug, "board_url": f"/board/{quote(slug)}"},
    )
