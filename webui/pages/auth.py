"""Sign up, log in and log out with a cookie session (`tq_session`, HttpOnly, SameSite=Lax)."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError
from starlette.responses import Response

from quest.accounts import service as accounts
from quest.accounts.router import OriginDep
from quest.accounts.schemas import PlayerIn
from quest.core.deps import SESSION_COOKIE, SessionDep, StateDep
from quest.core.errors import Conflict, Forbidden, RateLimited, Unauthenticated
from webui.csrf import CsrfForm
from webui.deps import PageUser, page_router
from webui.forms import FORM_ERROR, field_errors, values
from webui.i18n import pick_lang, translate
from webui.templates import redirect, render, safe_next

router = page_router()
HOME_OF_ROLE = {"player": "/", "staff": "/staff", "recruiter": "/recruiters"}
PROBLEMS: dict[type[Exception], str] = {Forbidden: "login.banned", RateLimited: "login.throttled"}


def start_session(request: Request, response: Response, token: str, ttl_s: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ttl_s,
        httponly=True,
        samesite="lax",
        path="/",
        secure=request.url.scheme == "https",
    )


@router.get("/login")
async def login_form(request: Request, user: PageUser, next: str = "") -> Response:
    return render(request, "login.html", {"next": safe_next(next, ""), "values": {}, "errors": {}})


@router.post("/login")
async def login(
    request: Request, form: CsrfForm, session: SessionDep, state: StateDep, origin: OriginDep
) -> Response:
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or ""), "")
    ttl_s = state.settings.token_ttl_s
    try:
        signed_in = await accounts.log_in(
            session=session, username=username, password=password, ttl_s=ttl_s, origin=origin
        )
    except (Unauthenticated, Forbidden, RateLimited) as exc:
        problem = PROBLEMS.get(type(exc), "login.wrong")
        wait = int(exc.headers.get("Retry-After", "0"))
        response: Response = render(
            request,
            "login.html",
            {
                "next": next_url,
                "values": {"username": username},
                "errors": {"__all__": translate(pick_lang(request), problem, n=wait)},
            },
            status_code=FORM_ERROR,
        )
        response.headers.update(exc.headers)
        return response
    response = redirect(request, next_url or HOME_OF_ROLE.get(signed_in.role, "/"))
    start_session(request, response, signed_in.access_token, ttl_s)
    return response


@router.get("/signup")
async def signup_form(request: Request, user: PageUser, next: str = "") -> Response:
    return render(request, "signup.html", {"next": safe_next(next, ""), "values": {}, "errors": {}})


@router.post("/signup")
async def signup(
    request: Request, form: CsrfForm, session: SessionDep, state: StateDep, origin: OriginDep
) -> Response:
    given = values(form, "password")
    next_url = safe_next(str(form.get("next") or ""), "")
    lang = pick_lang(request)
    errors: dict[str, str] = {}
    retry_after: dict[str, str] = {}
    try:
        body = PlayerIn(
            handle=str(form.get("handle") or "").strip(),
            password=str(form.get("password") or ""),
            email=str(form.get("email") or "").strip() or None,
        )
    except ValidationError as exc:
        errors = field_errors(exc, lang, "signup")
    else:
        try:
            player = await accounts.sign_up(
                session=session, player=body, ttl_s=state.settings.token_ttl_s, origin=origin
            )
        except Conflict:
            errors = {"handle": translate(lang, "signup.handle_taken")}
        except RateLimited as exc:
            retry_after = exc.headers
            wait = int(exc.headers["Retry-After"])
            errors = {"__all__": translate(lang, "signup.throttled", n=wait)}
    if errors:
        response: Response = render(
            request,
            "signup.html",
            {"next": next_url, "values": given, "errors": errors},
            status_code=FORM_ERROR,
        )
        response.headers.update(retry_after)
        return response
    response = redirect(request, next_url or "/")
    start_session(request, response, player.token, state.settings.token_ttl_s)
    return response


@router.post("/logout")
async def logout(
    request: Request, form: CsrfForm, session: SessionDep, state: StateDep
) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        await accounts.revoke_token(session=session, redis=state.redis, raw=raw)
    response = redirect(request, "/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
