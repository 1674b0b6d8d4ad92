"""The front page (open quests, the pitch, join) and the language switch."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from quest.quests import service
from webui.deps import PageUser, ReadSession, page_router
from webui.i18n import LANG_COOKIE, LANGS
from webui.templates import redirect, render, safe_next

router = page_router()


@router.get("/")
async def home(request: Request, session: ReadSession, user: PageUser) -> Response:
    listed = await service.list_quests(session=session)
    quests = [q for q in listed if q.status in ("open", "paused")]
    return render(request, "home.html", {"quests": quests})


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str = "/") -> Response:
    response = redirect(request, safe_next(next))
    if code in LANGS:
        response.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https",
        )
    return response
