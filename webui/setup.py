"""Wire the pages into the app: static files, page routers, errors rendered as pages."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from quest.core.errors import DomainError, Unauthenticated
from webui.i18n import catalogue, pick_lang, translate
from webui.pages import (
    auth,
    editor,
    home,
    jobs,
    live,
    me,
    play,
    recruiters,
    revisions,
    staff,
    staff_people,
)
from webui.templates import redirect, render

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Called once by `quest.app.create_app`."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # The editor's /staff/quests/new before the console's /staff/quests/{slug}.
    pages = (home, auth, play, me, editor, revisions, staff, staff_people, jobs, recruiters, live)
    for module in pages:
        app.include_router(module.router)

    api_domain = app.exception_handlers[DomainError]
    api_invalid = app.exception_handlers[RequestValidationError]

    async def domain(request: Request, exc: Exception) -> Response:
        if not getattr(request.state, "page", False):
            return await _call(api_domain, request, exc)
        assert isinstance(exc, DomainError)
        return error_page(request, exc.status_, exc.code_, exc.detail, exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        if not getattr(request.state, "page", False):
            return await _call(api_invalid, request, exc)
        return error_page(request, 404, "not_found", "", None)

    app.add_exception_handler(DomainError, domain)
    app.add_exception_handler(RequestValidationError, invalid)


async def _call(handler: Any, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    if inspect.isawaitable(result):
        result = await result
    assert isinstance(result, Response)
    return result


def error_page(
    request: Request, status: int, code: str, detail: str, exc: DomainError | None
) -> Response:
    if isinstance(exc, Unauthenticated):
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(request, "/login?next=" + quote(here, safe="/"))
    lang = pick_lang(request)
    key = f"error.{code}"
    message = (
        translate(lang, key)
        if key in catalogue("en")
        else (detail or translate(lang, "error.generic"))
    )
    response = render(
        request,
        "error.html",
        {"status": status, "code": code, "message": message},
        status_code=status,
    )
    if exc is not None:
        response.headers.update(exc.headers)
    return response
